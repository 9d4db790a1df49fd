import { buildCategoricalBaseline, computePsi, parseBaseline, psiFromCounts } from '../index';

// Scenario: category values that collide with Object.prototype names are ordinary categories.
// Baseline: "__proto__" x1, "constructor" x1 (n = 2, share 0.5 each). Current: the same -> PSI 0.
// Current with only "toString" x2: both baseline categories vanish (share 1e-4) and "toString" is new:
//   2 * (1e-4 - 0.5) * ln(1e-4 / 0.5) + (1 - 1e-4) * ln(1 / 1e-4)
//   = 2 * 0.4999 * ln(5000) + 0.9999 * ln(10000) = 17.72490909071694 (python3)
describe('categories named like Object.prototype members', () => {
  const baseline = buildCategoricalBaseline(['__proto__', 'constructor']);

  it('counts them as own keys and survives a JSON round trip', () => {
    expect(Object.keys(baseline.counts)).toEqual(['__proto__', 'constructor']);
    expect(parseBaseline(JSON.parse(JSON.stringify(baseline)))).toEqual(baseline);
  });

  it('does not read prototype members as counts', () => {
    expect(computePsi(baseline, ['constructor', '__proto__']).psi).toBe(0);
    const result = psiFromCounts(baseline, { toString: 2 });
    expect(result.bins.map((b) => [b.label, b.baselineCount, b.currentCount])).toEqual([
      ['__proto__', 1, 0],
      ['constructor', 1, 0],
      ['toString', 0, 2],
    ]);
    expect(result.psi).toBeCloseTo(17.72490909071694, 11);
  });
});
