import { buildBaseline, buildNumericBaseline, computePsi, psiFromCounts } from '../index';
import type { NumericCategoricalBaseline } from '../index';

// Scenario: a numeric feature with at most 20 distinct values (case complexity 1..5) gets one bin per
// value, keyed by the value rendered as a string, and a value unseen in training becomes a new bin.
//
// Baseline: 1 x10, 2 x20, 3 x40, 4 x20, 5 x10 (n = 100) -> shares .1 .2 .4 .2 .1; mean = 300/100 = 3.
// Current:  1 x5,  2 x15, 3 x40, 4 x25, 5 x10, 6 x5 (n = 100).
// PSI terms (current - baseline) * ln(current / baseline):
//   1: (0.05 - 0.1) * ln(0.5)        = 0.034657359027997
//   2: (0.15 - 0.2) * ln(0.75)       = 0.014384103622589
//   3: 0
//   4: (0.25 - 0.2) * ln(1.25)       = 0.011157177565710
//   5: 0
//   6: (0.05 - 1e-4) * ln(0.05/1e-4) = 0.0499 * ln(500) = 0.310108944111267   (new value: baseline 1e-4)
//   PSI = 0.37030758432756417 (python3) -> 'significant'
const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);
const BASELINE_VALUES = [
  ...repeat(3, 40),
  ...repeat(1, 10),
  ...repeat(5, 10),
  ...repeat(2, 20),
  ...repeat(4, 20),
];
const CURRENT_VALUES = [
  ...repeat(1, 5),
  ...repeat(2, 15),
  ...repeat(3, 40),
  ...repeat(4, 25),
  ...repeat(5, 10),
  ...repeat(6, 5),
];

describe('low-cardinality numeric feature', () => {
  it('uses one bin per value, keyed by the value as a string, with summary stats', () => {
    const baseline = buildBaseline(BASELINE_VALUES, 'numeric');
    expect(baseline).toEqual({
      version: 1,
      kind: 'categorical',
      numeric: true,
      counts: { '1': 10, '2': 20, '3': 40, '4': 20, '5': 10 },
      n: 100,
      stats: { mean: 3, min: 1, max: 5 },
    });
  });

  it('switches to decile bins only above 20 distinct values (20 -> per value, 21 -> binned)', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i * 0.5);
    const twentyOne = Array.from({ length: 21 }, (_, i) => i * 0.5);
    expect(buildNumericBaseline(twenty).kind).toBe('categorical');
    expect(Object.keys((buildNumericBaseline(twenty) as NumericCategoricalBaseline).counts)).toHaveLength(20);
    expect(buildNumericBaseline(twentyOne).kind).toBe('numeric_binned');
  });

  it('computes PSI per value, with a value unseen in training as a new bin', () => {
    const baseline = buildNumericBaseline(BASELINE_VALUES) as NumericCategoricalBaseline;
    const result = computePsi(baseline, CURRENT_VALUES);
    expect(result.psi).toBeCloseTo(0.37030758432756417, 12);
    expect(result.band).toBe('significant');
    expect(result.nBaseline).toBe(100);
    expect(result.nCurrent).toBe(100);
    expect(result.bins.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5', '6']);
    const six = result.bins[5];
    expect(six).toMatchObject({ baselineCount: 0, currentCount: 5, baselineShare: 1e-4, currentShare: 0.05 });
    expect(six.contribution).toBeCloseTo(0.310108944111267, 12);
  });

  it('merges SQL-rendered keys ("3.0", "6.00") into the same bins as the values', () => {
    const baseline = buildNumericBaseline(BASELINE_VALUES) as NumericCategoricalBaseline;
    const fromSql = psiFromCounts(baseline, { '1': 5, '2.0': 15, '3.0': 40, '4': 25, '5.0': 10, '6.00': 5 });
    expect(fromSql.psi).toBeCloseTo(0.37030758432756417, 12);
    expect(fromSql.bins.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('orders numeric bins by value, not as text (2 before 10)', () => {
    const baseline = buildNumericBaseline([10, 2, 10, -1, 2.5]) as NumericCategoricalBaseline;
    expect(computePsi(baseline, [2, 10]).bins.map((b) => b.label)).toEqual(['-1', '2', '2.5', '10']);
  });
});
