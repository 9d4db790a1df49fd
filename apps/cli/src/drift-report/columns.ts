import type { CsvTable } from './csv';
import { DriftReportError, quoteValue } from './errors';
import { parseFiniteNumber } from './numbers';

export type ColumnKind = 'numeric' | 'categorical';

/** The non-empty cells of one column of one file. */
export interface ColumnCells {
  file: string;
  values: string[];
  /** Line of each value, for messages that point at a cell. */
  lines: number[];
  /** Cells that were empty or blank: skipped, and counted so the report can say so. */
  empty: number;
}

export type SharedColumn =
  | {
      name: string;
      kind: 'numeric';
      reference: number[];
      current: number[];
      emptyReference: number;
      emptyCurrent: number;
    }
  | {
      name: string;
      kind: 'categorical';
      reference: string[];
      current: string[];
      emptyReference: number;
      emptyCurrent: number;
    };

export interface ColumnSplit {
  /** Columns present in both files, in the reference file's order. */
  shared: SharedColumn[];
  onlyInReference: string[];
  onlyInCurrent: string[];
}

export function columnCells(table: CsvTable, name: string): ColumnCells {
  const index = table.header.indexOf(name);
  const cells: ColumnCells = { file: table.file, values: [], lines: [], empty: 0 };
  for (const row of table.rows) {
    const value = row.fields[index]!;
    if (value.trim() === '') {
      cells.empty += 1;
      continue;
    }
    cells.values.push(value);
    cells.lines.push(row.line);
  }
  return cells;
}

/** Index of the first value that is not a finite number, or -1 when every value is one. */
function firstNonNumeric(cells: ColumnCells): number {
  return cells.values.findIndex((v) => parseFiniteNumber(v) === undefined);
}

/**
 * Numeric when every non-empty value in both files is a finite number; categorical when both files hold
 * something else. Numeric in one file only is an error rather than a silent switch to categorical: it
 * usually means a stray value ("n/a", "1,5") that would otherwise hide a real numeric drift.
 */
export function detectKind(name: string, reference: ColumnCells, current: ColumnCells): ColumnKind {
  const badRef = firstNonNumeric(reference);
  const badCur = firstNonNumeric(current);
  if (badRef < 0 && badCur < 0) return 'numeric';
  if (badRef >= 0 && badCur >= 0) return 'categorical';
  const [numeric, other, bad] = badRef < 0 ? [reference, current, badCur] : [current, reference, badRef];
  throw new DriftReportError(
    `column ${quoteValue(name)} is numeric in ${numeric.file} but has non-numeric value ${quoteValue(other.values[bad]!)} at line ${other.lines[bad]} of ${other.file}`,
  );
}

/** Pairs up the columns both files share and types them; a shared column without values is an error. */
export function splitColumns(reference: CsvTable, current: CsvTable): ColumnSplit {
  const inCurrent = new Set(current.header);
  const inReference = new Set(reference.header);
  const names = reference.header.filter((n) => inCurrent.has(n));
  if (names.length === 0) {
    throw new DriftReportError(`${reference.file} and ${current.file} have no column in common`);
  }
  return {
    shared: names.map((name) => sharedColumn(name, reference, current)),
    onlyInReference: reference.header.filter((n) => !inCurrent.has(n)),
    onlyInCurrent: current.header.filter((n) => !inReference.has(n)),
  };
}

function sharedColumn(name: string, reference: CsvTable, current: CsvTable): SharedColumn {
  const ref = columnCells(reference, name);
  const cur = columnCells(current, name);
  for (const cells of [ref, cur]) {
    if (cells.values.length === 0) {
      throw new DriftReportError(
        `column ${quoteValue(name)} has no values in ${cells.file} (all ${cells.empty} cells are empty)`,
      );
    }
  }
  const empties = { emptyReference: ref.empty, emptyCurrent: cur.empty };
  return detectKind(name, ref, cur) === 'numeric'
    ? {
        name,
        kind: 'numeric',
        reference: ref.values.map(toNumber),
        current: cur.values.map(toNumber),
        ...empties,
      }
    : { name, kind: 'categorical', reference: ref.values, current: cur.values, ...empties };
}

function toNumber(value: string): number {
  // detectKind has already checked every value; undefined here would be a bug, not bad data.
  const n = parseFiniteNumber(value);
  if (n === undefined) throw new Error(`internal: ${value} is not a number`);
  return n;
}
