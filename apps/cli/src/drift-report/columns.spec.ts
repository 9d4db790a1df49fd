import { columnCells, detectKind, splitColumns } from './columns';
import { parseFiniteNumber } from './numbers';
import { parseCsv } from './csv';

const csv = (text: string, file: string) => parseCsv(text, file);

describe('parseFiniteNumber', () => {
  it.each([
    ['3', 3],
    [' -2.5 ', -2.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['+7', 7],
  ])('%j is %d', (raw, value) => expect(parseFiniteNumber(raw)).toBe(value));

  it.each(['', 'abc', '0x1F', '1e999', 'NaN', 'Infinity', '1,5', '3 4'])('%j is not a number', (raw) =>
    expect(parseFiniteNumber(raw)).toBeUndefined(),
  );
});

describe('type detection', () => {
  const ref = csv('n,c,m\n1,a,1\n2,b,2\n,c,x\n', 'ref.csv');
  const cur = csv('n,c,m\n3,a,3\n4.5,7,4\n', 'cur.csv');

  it('skips empty cells and counts them', () => {
    expect(columnCells(ref, 'n')).toEqual({ file: 'ref.csv', values: ['1', '2'], lines: [2, 3], empty: 1 });
  });

  it('is numeric when every non-empty value in both files is a number', () => {
    expect(detectKind('n', columnCells(ref, 'n'), columnCells(cur, 'n'))).toBe('numeric');
  });

  it('is categorical when both files hold non-numeric values', () => {
    expect(detectKind('c', columnCells(ref, 'c'), columnCells(cur, 'c'))).toBe('categorical');
  });

  it('refuses a column that is numeric in one file only, pointing at the value', () => {
    expect(() => detectKind('m', columnCells(cur, 'm'), columnCells(ref, 'm'))).toThrow(
      "column 'm' is numeric in cur.csv but has non-numeric value 'x' at line 4 of ref.csv",
    );
    expect(() => detectKind('m', columnCells(ref, 'm'), columnCells(cur, 'm'))).toThrow(
      "column 'm' is numeric in cur.csv but has non-numeric value 'x' at line 4 of ref.csv",
    );
  });
});

describe('splitColumns', () => {
  it('types the shared columns in reference order and lists the others', () => {
    const split = splitColumns(csv('b,a,only\n1,x,1\n', 'ref.csv'), csv('a,new,b\ny,1,2\n', 'cur.csv'));
    expect(split.shared.map((c) => [c.name, c.kind])).toEqual([
      ['b', 'numeric'],
      ['a', 'categorical'],
    ]);
    expect(split.shared[0]).toMatchObject({ reference: [1], current: [2] });
    expect(split.onlyInReference).toEqual(['only']);
    expect(split.onlyInCurrent).toEqual(['new']);
  });

  it('refuses files without a shared column', () => {
    expect(() => splitColumns(csv('a\n1', 'ref.csv'), csv('b\n1', 'cur.csv'))).toThrow(
      'ref.csv and cur.csv have no column in common',
    );
  });

  it('refuses a shared column that is empty in one file', () => {
    expect(() => splitColumns(csv('a,b\n1,\n2,', 'ref.csv'), csv('a,b\n1,2', 'cur.csv'))).toThrow(
      "column 'b' has no values in ref.csv (all 2 cells are empty)",
    );
  });
});
