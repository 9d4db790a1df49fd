import { WILSON_Z_95, wilsonInterval } from '../index';

// Scenario: Wilson score intervals against values computed independently (python3, same closed form:
// centre = (p + z^2/2n) / (1 + z^2/n), half = z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)), z = 1.959963984540054.
//   8/10     -> [0.4901624715366418, 0.9433178485456248]   (textbook: [0.4902, 0.9433])
//   50/100   -> [0.4038315303659956, 0.5961684696340044]
//   850/1000 -> [0.8265313415731996, 0.8707899274869118]
//   0/10     -> [0, z^2/(n+z^2)] = [0, 3.8414588.../13.8414588...] = [0, 0.2775327998628892]
//   10/10    -> [n/(n+z^2), 1] = [0.7224672001371107, 1]
//   1/1      -> [1/(1+z^2), 1] = [0.20654931437723745, 1]
describe('Wilson interval', () => {
  it.each([
    [8, 10, 0.8, 0.4901624715366418, 0.9433178485456248],
    [50, 100, 0.5, 0.4038315303659956, 0.5961684696340044],
    [850, 1000, 0.85, 0.8265313415731996, 0.8707899274869118],
    [0, 10, 0, 0, 0.2775327998628892],
    [10, 10, 1, 0.7224672001371107, 1],
    [1, 1, 1, 0.20654931437723745, 1],
  ])('%p of %p -> estimate %p, [%p, %p]', (successes, n, estimate, low, high) => {
    const interval = wilsonInterval(successes, n);
    expect(interval.estimate).toBe(estimate);
    expect(interval.low).toBeCloseTo(low, 12);
    expect(interval.high).toBeCloseTo(high, 12);
  });

  it('pins the bounds to exactly 0 and 1 at the extremes (no 0.9999999999999999)', () => {
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(0, 10).low).toBe(0);
  });

  it('matches the rounded textbook values for 8 of 10', () => {
    const { low, high } = wilsonInterval(8, 10);
    expect(low.toFixed(4)).toBe('0.4902');
    expect(high.toFixed(4)).toBe('0.9433');
  });

  it('uses z = 1.959963984540054 by default and accepts another z', () => {
    expect(WILSON_Z_95).toBe(1.959963984540054);
    // z = 1 for 8/10: centre = (0.8 + 0.05)/1.1, half = (1/1.1) * sqrt(0.016 + 0.0025)
    //   -> [0.6490775408296778, 0.8963770046248676] (python3)
    const narrow = wilsonInterval(8, 10, 1);
    expect(narrow.low).toBeCloseTo(0.6490775408296778, 12);
    expect(narrow.high).toBeCloseTo(0.8963770046248676, 12);
  });
});
