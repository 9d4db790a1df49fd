import { discordant, mcnemar } from './mcnemar';

// Reference values computed independently (Python: math.comb for the exact test).
describe('McNemar, exact branch (fewer than 25 discordant pairs)', () => {
  it.each([
    [2, 10, 0.03857421875],
    [5, 5, 1],
    [0, 6, 0.03125],
    [3, 21, 0.0002771615982055664],
  ])('b=%i c=%i gives p=%f', (b, c, p) => {
    const r = mcnemar(b, c);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(p, 12);
  });

  it('has nothing to test without discordant pairs', () => {
    expect(mcnemar(0, 0)).toEqual({ b: 0, c: 0, method: 'none', statistic: null, pValue: 1 });
  });

  it('counts discordant pairs from paired outcomes', () => {
    expect(discordant([true, true, false, false, true], [true, false, true, false, false])).toEqual({
      b: 2,
      c: 1,
    });
    expect(() => discordant([true], [])).toThrow(RangeError);
    expect(() => mcnemar(-1, 2)).toThrow(RangeError);
  });
});
