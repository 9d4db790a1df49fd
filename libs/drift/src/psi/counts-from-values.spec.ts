import {
  buildBaseline,
  buildNumericBaseline,
  countsFromValues,
  histogramFromValues,
  psiFromCounts,
} from '../index';
import type { NumericBinnedBaseline } from '../index';
import { DriftMathError } from '../errors';

// A window counted by distinct value (SQL group by), mapped to a baseline's bins in TypeScript.
//
// Binned numeric: baseline 1..100, edges [11, 21, ..., 91] (numeric-drift.spec). Window values with counts:
//   5 x3 -> bin 0; 11 x2 -> bin 1 (equal to an edge: upper bin); 20.5 x1 -> bin 1; 91 x4 -> bin 9;
//   140 x1 -> bin 9; null x7 -> not counted; 60 x0 -> nothing.
//   -> [3, 3, 0, 0, 0, 0, 0, 0, 0, 5]
describe('countsFromValues', () => {
  const binned = buildNumericBaseline(Array.from({ length: 100 }, (_, i) => i + 1)) as NumericBinnedBaseline;

  it('puts each distinct value of a binned numeric in bin = number of edges <= value', () => {
    const counts = countsFromValues(binned, [
      { value: 5, n: 3 },
      { value: 11, n: 2 },
      { value: 20.5, n: 1 },
      { value: 91, n: 4 },
      { value: 140, n: 1 },
      { value: null, n: 7 },
      { value: 60, n: 0 },
    ]);
    expect(counts).toEqual([3, 3, 0, 0, 0, 0, 0, 0, 0, 5]);
  });

  it('gives the counts (and so the PSI) of the claims themselves', () => {
    // Window: 41..140 once each, plus 41..60 again: distinct values with n 2 for 41..60, 1 otherwise.
    const claims = [
      ...Array.from({ length: 100 }, (_, i) => i + 41),
      ...Array.from({ length: 20 }, (_, i) => i + 41),
    ];
    const byValue = new Map<number, number>();
    for (const v of claims) byValue.set(v, (byValue.get(v) ?? 0) + 1);
    const counts = countsFromValues(
      binned,
      [...byValue].map(([value, n]) => ({ value, n })),
    );
    expect(counts).toEqual([0, 0, 0, 0, 20, 20, 10, 10, 10, 50]);
    expect(counts).toEqual(histogramFromValues(binned, claims));
    expect(psiFromCounts(binned, counts).psi).toBeCloseTo(
      psiFromCounts(binned, histogramFromValues(binned, claims)).psi,
      12,
    );
  });

  it('keys a low-cardinality numeric by its shortest rendering (3 and 3.0 are one bin)', () => {
    const baseline = buildBaseline([1, 2, 3, 3, 4], 'numeric');
    expect(baseline.kind).toBe('categorical');
    expect(
      countsFromValues(baseline, [
        { value: 3, n: 2 },
        { value: 3.0, n: 1 },
        { value: 7, n: 1 },
      ]),
    ).toEqual({
      '3': 3,
      '7': 1,
    });
  });

  it('keys a categorical by its value, a category named __proto__ included', () => {
    const baseline = buildBaseline(['a', 'b', '__proto__'], 'categorical');
    const counts = countsFromValues(baseline, [
      { value: 'a', n: 4 },
      { value: '__proto__', n: 2 },
      { value: null, n: 9 },
    ]) as Record<string, number>;
    expect(Object.keys(counts).sort()).toEqual(['__proto__', 'a']);
    expect(counts['__proto__']).toBe(2);
    expect(counts['a']).toBe(4);
  });

  it('refuses a text value for a binned numeric, or a non-finite one, with a DriftMathError', () => {
    expect(() => countsFromValues(binned, [{ value: '12', n: 1 }])).toThrow(DriftMathError);
    expect(() => countsFromValues(binned, [{ value: Number.NaN, n: 1 }])).toThrow(DriftMathError);
  });
});
