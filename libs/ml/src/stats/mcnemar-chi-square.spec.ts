import { mcnemar } from './mcnemar';

// Reference values computed independently (Python: (|b-c|-1)^2/(b+c), p = erfc(sqrt(x/2))).
describe('McNemar, chi-square branch with continuity correction (25 or more discordant pairs)', () => {
  it.each([
    [10, 25, 5.6, 0.017960477526078766],
    [40, 20, 6.016666666666667, 0.01417138825401233],
    [100, 100, 0.005, 0.9436280222029834],
  ])('b=%i c=%i gives chi2=%f p=%f', (b, c, x, p) => {
    const r = mcnemar(b, c);
    expect(r.method).toBe('chi-square');
    expect(r.statistic).toBeCloseTo(x, 12);
    expect(r.pValue).toBeCloseTo(p, 6); // erfc approximation: |error| < 1.2e-7
  });

  it('switches branch exactly at 25 discordant pairs', () => {
    expect(mcnemar(12, 12).method).toBe('exact');
    expect(mcnemar(12, 13).method).toBe('chi-square');
  });
});
