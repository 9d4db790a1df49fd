import { parseCsv } from './csv';
import { DriftReportError } from './errors';

function error(text: string, file = 'f.csv'): string {
  try {
    parseCsv(text, file);
  } catch (e) {
    if (e instanceof DriftReportError) return e.message;
    throw e;
  }
  throw new Error('expected a DriftReportError');
}

describe('parseCsv', () => {
  it('reads a header and rows, with line numbers', () => {
    const t = parseCsv('a,b\n1,x\n2,y\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      { line: 2, fields: ['1', 'x'] },
      { line: 3, fields: ['2', 'y'] },
    ]);
  });

  it('supports quoted fields with embedded commas and doubled quotes', () => {
    const t = parseCsv('name,note\n"Smith, J.","said ""hi"""\n"",plain\n', 'f.csv');
    expect(t.rows.map((r) => r.fields)).toEqual([
      ['Smith, J.', 'said "hi"'],
      ['', 'plain'],
    ]);
  });

  it('keeps line breaks inside quotes and counts lines physically', () => {
    const t = parseCsv('a,b\n"two\nlines",1\n3,4', 'f.csv');
    expect(t.rows).toEqual([
      { line: 2, fields: ['two\nlines', '1'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('accepts CRLF line ends and trims trailing line breaks', () => {
    const t = parseCsv('a,b\r\n1,2\r\n3,4\r\n\r\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows.map((r) => r.fields)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('drops a UTF-8 byte-order mark and trims header names', () => {
    expect(parseCsv('\uFEFFa , b\n1,2', 'f.csv').header).toEqual(['a', 'b']);
  });

  it('keeps a quote inside an unquoted field as a literal', () => {
    expect(parseCsv('h\n5"', 'f.csv').rows[0]!.fields).toEqual(['5"']);
  });

  it('reports ragged rows with their line number', () => {
    expect(error('a,b\n1,2\n3\n4,5', 'cur.csv')).toBe(
      'line 3 of cur.csv has 1 field(s), but the header has 2',
    );
    expect(error('a,b\n1,2,3')).toBe('line 2 of f.csv has 3 field(s), but the header has 2');
  });

  it('reports the line a ragged record starts on after a multi-line field', () => {
    expect(error('a,b\n"x\ny",1\n2')).toBe('line 4 of f.csv has 1 field(s), but the header has 2');
  });

  it('rejects empty files, files without data and files without a header', () => {
    expect(error('', 'ref.csv')).toBe('ref.csv is empty');
    expect(error('\r\n\n')).toBe('f.csv is empty');
    expect(error('a,b\n')).toBe('f.csv has a header row but no data rows');
    expect(error('\n1,2')).toBe('f.csv has no header row (line 1 is empty)');
    expect(error('1,2.5\n3,4')).toBe('f.csv has no header row: line 1 holds only numbers (1,2.5)');
  });

  it('rejects unnamed and duplicate columns', () => {
    expect(error('a,,c\n1,2,3')).toBe('column 2 of the header of f.csv has no name');
    expect(error('a,b,a\n1,2,3')).toBe("column 'a' appears twice in the header of f.csv");
  });

  it('rejects broken quoting', () => {
    expect(error('a,b\n1,"open\n2,3')).toBe('unterminated quoted field starting at line 2 of f.csv');
    expect(error('a,b\n"x"y,1')).toBe("unexpected 'y' after a closing quote at line 2 of f.csv");
  });
});
