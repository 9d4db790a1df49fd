import {
  applyIsotonic,
  estimatedAccuracy,
  fitIsotonic,
  fitTimelineErrors,
  parseIsotonic,
  POISSON_BINOMIAL_EXACT_MAX,
  poissonBinomialPmf,
  timelineRightProbability,
  WILSON_Z_95,
} from '../index';

// Reference values computed independently in python3 (fractions, no numeric library):
// - the Poisson-binomial pmf of [0.9, 0.8, 0.7] by enumerating the 8 outcomes: [0.006, 0.092, 0.398, 0.504];
// - the central 95% interval by exact convolution in fractions, smallest k with P(K <= k) >= 2.5% and
//   >= 97.5%: 10 x 0.9 + 10 x 0.6 -> k 11..18 of 20 (mean 0.75); 150 x 0.95 + 50 x 0.7 -> 169..185 of 200;
// - the isotonic fits by hand (pool-adjacent-violators on the textbook sequence 1,3,2,4,3,5, scaled by 1/5);
// - the timeline error quantiles with statistics.quantiles(method='inclusive') (type 7), and the share of
//   them, ends weighted 1/2, for which |p - p e^r| <= max(7, p e^r / 4): 0.975, 0.67, 0.59, 0.59 for 8, 20,
//   40 and 100 days (no quantile within 0.018 days of the rule's edge, so rounding cannot flip one).

describe('Poisson-binomial', () => {
  it('gives the distribution of the number right', () => {
    const pmf = Array.from(poissonBinomialPmf([0.9, 0.8, 0.7]));
    [0.006, 0.092, 0.398, 0.504].forEach((v, k) => expect(pmf[k]).toBeCloseTo(v, 12));
    expect(Array.from(poissonBinomialPmf([0.5, 0.5]))).toEqual([0.25, 0.5, 0.25]);
  });

  it.each([
    [[...Array<number>(10).fill(0.9), ...Array<number>(10).fill(0.6)], 0.75, 11 / 20, 18 / 20],
    [[...Array<number>(150).fill(0.95), ...Array<number>(50).fill(0.7)], 0.8875, 169 / 200, 185 / 200],
  ])('estimates a window of %#: the mean, and the exact central 95%', (ps, estimate, low, high) => {
    const e = estimatedAccuracy(ps);
    expect(e.method).toBe('exact');
    expect(e.estimate).toBeCloseTo(estimate, 12);
    expect([e.low, e.high]).toEqual([low, high]);
    expect(e.n).toBe(ps.length);
  });

  it('uses mean +- 1.96 sd above the exact size', () => {
    const n = POISSON_BINOMIAL_EXACT_MAX + 500;
    const e = estimatedAccuracy(Array<number>(n).fill(0.8));
    const half = (WILSON_Z_95 * Math.sqrt(n * 0.8 * 0.2)) / n;
    expect(e.method).toBe('normal');
    expect(e.estimate).toBeCloseTo(0.8, 12);
    expect(e.low).toBeCloseTo(0.8 - half, 12);
    expect(e.high).toBeCloseTo(0.8 + half, 12);
  });

  it('is certain when every prediction is', () => {
    expect(estimatedAccuracy([1, 1, 1])).toMatchObject({ estimate: 1, low: 1, high: 1 });
    expect(estimatedAccuracy([0, 0])).toMatchObject({ estimate: 0, low: 0, high: 0 });
  });

  it('refuses an empty window and probabilities out of [0, 1], with codes', () => {
    expect(() => estimatedAccuracy([])).toThrow(expect.objectContaining({ code: 'EMPTY_SAMPLE' }));
    expect(() => estimatedAccuracy([0.5, 1.2])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => estimatedAccuracy([Number.NaN])).toThrow(
      expect.objectContaining({ code: 'NON_FINITE_VALUE' }),
    );
  });
});

describe('isotonic calibration', () => {
  it('pools adjacent violators (1,3,2,4,3,5 / 5 -> 0.2, 0.5, 0.5, 0.7, 0.7, 1)', () => {
    const ys = [0.2, 0.6, 0.4, 0.8, 0.6, 1];
    const c = fitIsotonic(ys.map((y, i) => ({ x: i + 1, y })));
    expect(c.xs).toEqual([1, 2, 3, 4, 5, 6]);
    c.ys.forEach((y, i) => expect(y).toBeCloseTo([0.2, 0.5, 0.5, 0.7, 0.7, 1][i]!, 12));
    expect(c.n).toBe(6);
    // Linear between knots, flat outside them.
    expect(applyIsotonic(c, 2.5)).toBeCloseTo(0.5, 12);
    expect(applyIsotonic(c, 3.5)).toBeCloseTo(0.6, 12);
    expect(applyIsotonic(c, 5.5)).toBeCloseTo(0.85, 12);
    expect(applyIsotonic(c, 0)).toBeCloseTo(0.2, 12);
    expect(applyIsotonic(c, 9)).toBe(1);
  });

  it('fits right/wrong answers by confidence, pooling ties in confidence first', () => {
    const c = fitIsotonic([
      { x: 0.6, y: 1 },
      { x: 0.6, y: 0 },
      { x: 0.7, y: 0 },
      { x: 0.9, y: 1 },
      { x: 0.9, y: 1 },
      { x: 0.8, y: 1 },
    ]);
    // 0.6 -> 1/2 and 0.7 -> 0 violate: pooled to 1/3 over [0.6, 0.7]; 0.8 and 0.9 -> 1.
    expect(c.xs).toEqual([0.6, 0.7, 0.8, 0.9]);
    c.ys.forEach((y, i) => expect(y).toBeCloseTo([1 / 3, 1 / 3, 1, 1][i]!, 12));
  });

  it('round-trips through JSON (stored with the artifact) and refuses a broken one', () => {
    const c = fitIsotonic([0.55, 0.7, 0.8, 0.95].map((x, i) => ({ x, y: i % 2 })));
    expect(parseIsotonic(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(() => parseIsotonic({ ...c, ys: [0.9, 0.1, 0.5, 0.5] })).toThrow(/breaks the order/);
    expect(() => parseIsotonic({ version: 2 })).toThrow(/version-1/);
    expect(() => fitIsotonic([])).toThrow(expect.objectContaining({ code: 'EMPTY_SAMPLE' }));
  });
});

describe('timeline error model', () => {
  const pairs = [10, 12, 16, 18, 19, 20, 21, 22, 24, 29, 30, 40].map((actual) => ({ predicted: 20, actual }));

  it('keeps the quantiles of log(actual / predicted) (type 7)', () => {
    const m = fitTimelineErrors(pairs);
    expect(m.logRatioQuantiles).toHaveLength(101);
    expect(m.logRatioQuantiles[0]).toBeCloseTo(Math.log(0.5), 12);
    expect(m.logRatioQuantiles[25]).toBeCloseTo(-0.13480627457192212, 12);
    expect(m.logRatioQuantiles[50]).toBeCloseTo(0.024395082084716028, 12);
    expect(m.logRatioQuantiles[100]).toBeCloseTo(Math.log(2), 12);
  });

  it.each([
    [8, 0.975],
    [20, 0.67],
    [40, 0.59],
    [100, 0.59],
  ])('a prediction of %p days is right with probability %p (within max(7 days, 25%))', (days, p) => {
    const m = fitTimelineErrors(pairs);
    expect(timelineRightProbability(m, days, { minDays: 7, share: 0.25 })).toBeCloseTo(p, 12);
  });

  it('refuses days that are not positive', () => {
    expect(() => fitTimelineErrors([{ predicted: 0, actual: 3 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
