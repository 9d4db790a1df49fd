import {
  buildBaseline,
  buildCategoricalBaseline,
  computePsi,
  histogramFromValues,
  psiFromCounts,
} from '../index';
import type { StringCategoricalBaseline } from '../index';

// Scenario: a categorical feature where one category vanishes and a new one appears.
//
// Baseline: A x50, B x30, C x20 (n = 100). Current: A x45, B x35, D x20 (n = 100).
// Bins are the union {A, B, C, D}:
//   A: (0.45 - 0.5) * ln(0.9)          = 0.0052680257828913125
//   B: (0.35 - 0.3) * ln(0.35 / 0.3)   = 0.007707533991362916
//   C: vanished, current share 1e-4: (1e-4 - 0.2) * ln(1e-4 / 0.2) = 0.1999 * ln(2000) = 1.5194204016624624
//   D: new, baseline share 1e-4:     (0.2 - 1e-4) * ln(0.2 / 1e-4) = 1.5194204016624624
//   PSI = 3.051816363099179 (python3) -> 'significant'.
const repeat = (value: string, times: number): string[] => new Array<string>(times).fill(value);
const BASELINE = [...repeat('B', 30), ...repeat('A', 50), ...repeat('C', 20)];
const CURRENT = [...repeat('D', 20), ...repeat('A', 45), ...repeat('B', 35)];

describe('categorical feature with a new and a vanished category', () => {
  const baseline = buildCategoricalBaseline(BASELINE);

  it('stores one count per value seen', () => {
    expect(baseline).toEqual({
      version: 1,
      kind: 'categorical',
      numeric: false,
      counts: { A: 50, B: 30, C: 20 },
      n: 100,
    });
    expect(buildBaseline(BASELINE, 'categorical')).toEqual(baseline);
  });

  it('counts the window by value, only values present', () => {
    expect(histogramFromValues(baseline, CURRENT)).toEqual({ A: 45, B: 35, D: 20 });
  });

  it('gives the vanished category current share 1e-4 and the new one baseline share 1e-4', () => {
    const result = computePsi(baseline, CURRENT);
    expect(result.psi).toBeCloseTo(3.051816363099179, 12);
    expect(result.band).toBe('significant');
    expect(result.bins.map((b) => b.label)).toEqual(['A', 'B', 'C', 'D']);
    const [a, b, c, d] = result.bins;
    expect(a.contribution).toBeCloseTo(0.0052680257828913125, 14);
    expect(b.contribution).toBeCloseTo(0.007707533991362916, 14);
    expect(c).toMatchObject({ baselineCount: 20, currentCount: 0, baselineShare: 0.2, currentShare: 1e-4 });
    expect(c.contribution).toBeCloseTo(1.5194204016624624, 12);
    expect(d).toMatchObject({ baselineCount: 0, currentCount: 20, baselineShare: 1e-4, currentShare: 0.2 });
    expect(d.contribution).toBeCloseTo(1.5194204016624624, 12);
  });

  it('gives the same answer from a GROUP BY record, and an explicit zero changes nothing', () => {
    const base: StringCategoricalBaseline = baseline;
    expect(psiFromCounts(base, { D: 20, B: 35, A: 45 }).psi).toBeCloseTo(3.051816363099179, 12);
    expect(psiFromCounts(base, { D: 20, B: 35, A: 45, C: 0 }).psi).toBeCloseTo(3.051816363099179, 12);
  });
});
