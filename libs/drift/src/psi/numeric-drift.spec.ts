import { buildNumericBaseline, computePsi, histogramFromValues, psiFromCounts } from '../index';
import type { NumericBinnedBaseline } from '../index';

// Scenario: a numeric feature whose distribution shifts up (PSI well above 0.25).
//
// Baseline: 1..100 (100 distinct). Edges s[10k] = 10k + 1 = [11, 21, ..., 91]; 10 values per bin,
// baseline share 0.1 everywhere.
// Current: 41..140 (n = 100). 41-50 -> bin 4, 51-60 -> bin 5, ..., 81-90 -> bin 8, 91-140 -> bin 9:
//   counts [0, 0, 0, 0, 10, 10, 10, 10, 10, 50].
// Bins 0-3 are empty in the window -> current share 1e-4:
//   each (1e-4 - 0.1) * ln(1e-4 / 0.1) = 0.0999 * ln(1000) = 0.6900847523703155
// Bins 4-8: 0. Bin 9: (0.5 - 0.1) * ln(5) = 0.6437751649736402.
// PSI = 4 * 0.6900847523703155 + 0.6437751649736402 = 3.4041141744549024 (python3) -> 'significant'.
const BASELINE = Array.from({ length: 100 }, (_, i) => i + 1);
const CURRENT = Array.from({ length: 100 }, (_, i) => i + 41);

describe('numeric feature with drift', () => {
  const baseline = buildNumericBaseline(BASELINE) as NumericBinnedBaseline;

  it('freezes decile edges from the training sample', () => {
    expect(baseline.kind).toBe('numeric_binned');
    expect(baseline.edges).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 91]);
    expect(baseline.counts).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('counts the current window in the frozen bins', () => {
    expect(histogramFromValues(baseline, CURRENT)).toEqual([0, 0, 0, 0, 10, 10, 10, 10, 10, 50]);
  });

  it('reports PSI > 0.25 as significant, with per-bin details', () => {
    const result = computePsi(baseline, CURRENT);
    expect(result.psi).toBeCloseTo(3.4041141744549024, 12);
    expect(result.band).toBe('significant');
    expect(result.kind).toBe('numeric_binned');
    expect(result.nBaseline).toBe(100);
    expect(result.nCurrent).toBe(100);
    expect(result.thresholds).toEqual({ moderate: 0.1, significant: 0.25 });
    expect(result.bins).toHaveLength(10);
    expect(result.bins[0]).toMatchObject({
      label: '(-inf, 11)',
      baselineCount: 10,
      currentCount: 0,
      baselineShare: 0.1,
      currentShare: 1e-4,
    });
    expect(result.bins[0].contribution).toBeCloseTo(0.6900847523703155, 12);
    expect(result.bins[5].contribution).toBe(0);
    expect(result.bins[9]).toMatchObject({ label: '[91, +inf)', currentCount: 50, currentShare: 0.5 });
    expect(result.bins[9].contribution).toBeCloseTo(0.6437751649736402, 12);
  });

  it('gives the same answer from counts (as SQL would supply them)', () => {
    const fromCounts = psiFromCounts(baseline, [0, 0, 0, 0, 10, 10, 10, 10, 10, 50]);
    expect(fromCounts.psi).toBeCloseTo(3.4041141744549024, 12);
    expect(fromCounts).toEqual(computePsi(baseline, CURRENT));
  });
});
