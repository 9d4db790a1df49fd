import { buildNumericBaseline, computePsi, psiFromCounts } from '../index';
import type { NumericBinnedBaseline } from '../index';

// Scenario: a numeric feature whose distribution does not move.
//
// Baseline 1..100: edges [11, ..., 91], 10 per bin, share 0.1.
// (a) The window is the training sample itself: every share equal, PSI = 0 exactly.
// (b) The window 5, 15, ..., 95 has one value per bin: shares all 0.1 again, PSI = 0 with a different n.
// (c) Counts [9, 11, 10, ..., 10]: (0.09 - 0.1) ln 0.9 + (0.11 - 0.1) ln 1.1
//     = 0.01 * (ln 1.1 - ln 0.9) = 0.002006706954621512 (python3) -> 'stable'.
const BASELINE = Array.from({ length: 100 }, (_, i) => i + 1);

describe('numeric feature without drift', () => {
  const baseline = buildNumericBaseline(BASELINE) as NumericBinnedBaseline;

  it('gives PSI 0 for the identical distribution', () => {
    const result = computePsi(baseline, BASELINE);
    expect(result.psi).toBe(0);
    expect(result.band).toBe('stable');
    expect(result.bins.every((b) => b.contribution === 0)).toBe(true);
  });

  it('gives PSI 0 for the same shares from a smaller window', () => {
    const window = Array.from({ length: 10 }, (_, i) => 10 * i + 5);
    const result = computePsi(baseline, window);
    expect(result.psi).toBe(0);
    expect(result.nCurrent).toBe(10);
  });

  it('gives a small PSI, stable, for a slight wobble', () => {
    const result = psiFromCounts(baseline, [9, 11, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(result.psi).toBeCloseTo(0.002006706954621512, 14);
    expect(result.band).toBe('stable');
  });

  it('judges the band against the model thresholds when given', () => {
    const result = psiFromCounts(baseline, [9, 11, 10, 10, 10, 10, 10, 10, 10, 10], {
      moderate: 0.001,
      significant: 0.0015,
    });
    expect(result.band).toBe('significant');
    expect(result.thresholds).toEqual({ moderate: 0.001, significant: 0.0015 });
  });
});
