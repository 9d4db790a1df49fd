import { parseFiniteNumber } from './numbers';
import { DriftReportError, quoteValue } from './errors';

/** One data record and the physical line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvTable {
  /** The path as the user gave it, so messages name the file the way they typed it. */
  file: string;
  header: string[];
  rows: CsvRecord[];
}

/**
 * Parses comma-separated text with a header row: RFC 4180 quoting (embedded commas, line breaks and
 * doubled quotes), LF or CRLF line ends, trailing line breaks ignored. A quote in the middle of an
 * unquoted field is kept as a literal character, as spreadsheets write it. Every row must have as many
 * fields as the header; the first one that does not is reported with its line number.
 */
export function parseCsv(text: string, file: string): CsvTable {
  // A UTF-8 byte-order mark (Excel writes one) would otherwise become part of the first column's name.
  const body = text.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  if (body.trim() === '') throw new DriftReportError(`${file} is empty`);
  const [head, ...rows] = parseRecords(body, file);
  const header = checkHeader(head!, file);
  for (const row of rows) {
    if (row.fields.length !== header.length) {
      throw new DriftReportError(
        `line ${row.line} of ${file} has ${row.fields.length} field(s), but the header has ${header.length}`,
      );
    }
  }
  if (rows.length === 0) throw new DriftReportError(`${file} has a header row but no data rows`);
  return { file, header, rows };
}

function checkHeader(head: CsvRecord, file: string): string[] {
  const names = head.fields.map((f) => f.trim());
  if (names.every((n) => n === '')) throw new DriftReportError(`${file} has no header row (line 1 is empty)`);
  // A first line of numbers is data: without this check its values would silently become column names.
  if (names.every((n) => parseFiniteNumber(n) !== undefined)) {
    throw new DriftReportError(`${file} has no header row: line 1 holds only numbers (${names.join(',')})`);
  }
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw new DriftReportError(`column ${i + 1} of the header of ${file} has no name`);
    if (seen.has(name))
      throw new DriftReportError(`column ${quoteValue(name)} appears twice in the header of ${file}`);
    seen.add(name);
  });
  return names;
}

/** Splits the text into records; a line break inside quotes belongs to the field. */
export function parseRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 1;
  for (;;) {
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      const field = text[pos] === '"' ? readQuoted(text, pos, line, file) : readPlain(text, pos, line);
      record.fields.push(field.value);
      pos = field.next;
      line = field.line;
      if (text[pos] !== ',') break;
      pos += 1;
    }
    records.push(record);
    if (pos >= text.length) return records;
    pos += text.startsWith('\r\n', pos) ? 2 : 1;
    line += 1;
  }
}

interface Field {
  value: string;
  /** Index just after the field (at a comma, a line break or the end). */
  next: number;
  /** Line the field ends on. */
  line: number;
}

function readPlain(text: string, pos: number, line: number): Field {
  let end = pos;
  while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end += 1;
  return { value: text.slice(pos, end), next: end, line };
}

function readQuoted(text: string, pos: number, startLine: number, file: string): Field {
  let value = '';
  let line = startLine;
  let from = pos + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) {
      throw new DriftReportError(`unterminated quoted field starting at line ${startLine} of ${file}`);
    }
    const chunk = text.slice(from, quote);
    value += chunk;
    line += (chunk.match(/\r\n|\r|\n/g) ?? []).length;
    if (text[quote + 1] === '"') {
      value += '"';
      from = quote + 2;
      continue;
    }
    const next = quote + 1;
    if (next < text.length && text[next] !== ',' && text[next] !== '\n' && text[next] !== '\r') {
      throw new DriftReportError(
        `unexpected ${quoteValue(text[next]!)} after a closing quote at line ${line} of ${file}`,
      );
    }
    return { value, next, line };
  }
}
