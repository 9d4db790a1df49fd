import { DriftMathError } from '../errors';
import { DEFAULT_SEQUENTIAL_TEST, mixtureLogLikelihoodRatio, pairedSequentialTest } from './paired-test';

/** A seeded generator (mulberry32), so the simulations below are the same on every run. */
function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the paired sequential test (mixture SPRT on discordant pairs)', () => {
  // Reference values computed independently, with Python's math.lgamma:
  // lgamma(a+s) + lgamma(a+n-s) - lgamma(2a+n) - (2 lgamma(a) - lgamma(2a)) + n ln 2.
  it.each([
    [20, 15, 10, 0.9433631584430113],
    [100, 60, 10, 0.7823433146074024],
    [50, 25, 10, -0.6353049842984078],
    [30, 28, 1, 11.285082181224524],
    [209, 130, 10, 4.522055022361656],
    [40, 8, 10, 4.467572819583463],
    [0, 0, 10, 0],
  ])('ln Λ for %i pairs, %i won, prior Beta(%i, a): %f', (n, s, a, expected) => {
    expect(mixtureLogLikelihoodRatio(n, s, a)).toBeCloseTo(expected, 10);
  });

  it('accumulates pair by pair to the closed form, whatever the order of the outcomes', () => {
    const outcomes = [true, true, false, true, true, true, false, true, true, true, true, false];
    const wins = outcomes.filter(Boolean).length;
    const closed = mixtureLogLikelihoodRatio(outcomes.length, wins, 10);
    const options = { alpha: 1e-9, prior: 10, maxPairs: 10_000 };
    expect(pairedSequentialTest(outcomes, options).logLikelihoodRatio).toBeCloseTo(closed, 12);
    expect(pairedSequentialTest([...outcomes].reverse(), options).logLikelihoodRatio).toBeCloseTo(closed, 12);
  });

  it('promotes a challenger that wins the discordant pairs, at the first pair where Λ reaches 1/α', () => {
    // 1/0.05 = 20, ln 20 = 2.996: with Beta(10, 10), 14 straight wins give ln Λ 2.794, 15 give 3.139
    // (Python's lgamma, above).
    const r = pairedSequentialTest(new Array<boolean>(40).fill(true));
    expect(r).toMatchObject({ verdict: 'promote', pairs: 15, challengerWins: 15 });
    expect(r.logLikelihoodRatio).toBeCloseTo(3.139166271431847, 10);
    expect(r.alwaysValidP).toBeCloseTo(Math.exp(-3.139166271431847), 12);
    expect(pairedSequentialTest(new Array<boolean>(14).fill(true)).verdict).toBe('continue');
  });

  it('retires a challenger that loses them, and one too close to tell after maxPairs', () => {
    expect(pairedSequentialTest(new Array<boolean>(40).fill(false))).toMatchObject({
      verdict: 'retire_worse',
      pairs: 15,
      challengerWins: 0,
    });
    const alternating = Array.from({ length: 300 }, (_, i) => i % 2 === 0);
    const r = pairedSequentialTest(alternating, { ...DEFAULT_SEQUENTIAL_TEST, maxPairs: 200 });
    expect(r).toMatchObject({ verdict: 'retire_futile', pairs: 200, challengerWins: 100 });
    expect(r.alwaysValidP).toBeGreaterThan(0.05);
    expect(pairedSequentialTest([])).toMatchObject({ verdict: 'continue', pairs: 0, alwaysValidP: 1 });
  });

  it('refuses what is not a test: counts out of range, a prior or alpha out of domain', () => {
    expect(() => mixtureLogLikelihoodRatio(3, 4, 10)).toThrow(DriftMathError);
    expect(() => mixtureLogLikelihoodRatio(-1, 0, 10)).toThrow(/non-negative integer/);
    expect(() => pairedSequentialTest([true], { ...DEFAULT_SEQUENTIAL_TEST, alpha: 1 })).toThrow(/alpha/);
    expect(() => pairedSequentialTest([true], { ...DEFAULT_SEQUENTIAL_TEST, prior: 0 })).toThrow(/prior/);
  });

  it('between equal models, promotes in at most α of 10,000 runs checked after every pair', () => {
    // The check of the error rate: 10,000 runs in which champion and challenger are equally good
    // (each discordant pair is a coin flip), each looked at after every one of up to 500 pairs (the bound
    // holds at any horizon; 500 keeps the test at a few seconds, and the 2,000-pair horizon is measured in
    // docs/decisions.md).
    const rng = mulberry32(19);
    let promoted = 0;
    let retiredWorse = 0;
    const options = { ...DEFAULT_SEQUENTIAL_TEST, maxPairs: 500 };
    const outcomes = new Array<boolean>(options.maxPairs).fill(false);
    for (let run = 0; run < 10_000; run++) {
      for (let i = 0; i < outcomes.length; i++) outcomes[i] = rng() < 0.5;
      const v = pairedSequentialTest(outcomes, options).verdict;
      if (v === 'promote') promoted += 1;
      if (v === 'retire_worse') retiredWorse += 1;
    }
    // Ville's inequality bounds any decision at α = 5%; measured here (seed 19): 146 promoted and 146
    // retired as worse, 1.46% each way.
    expect(promoted / 10_000).toBeLessThanOrEqual(DEFAULT_SEQUENTIAL_TEST.alpha);
    expect((promoted + retiredWorse) / 10_000).toBeLessThanOrEqual(DEFAULT_SEQUENTIAL_TEST.alpha);
    expect(promoted).toBeGreaterThan(0); // the bound is not met by a test that never decides
  });

  it('decides for a better challenger within a few hundred pairs (power)', () => {
    const rng = mulberry32(7);
    for (const [p, within] of [
      [0.65, 400],
      [0.7, 250],
      [0.9, 60],
    ] as const) {
      let promoted = 0;
      const outcomes = new Array<boolean>(400).fill(false);
      for (let run = 0; run < 200; run++) {
        for (let i = 0; i < outcomes.length; i++) outcomes[i] = rng() < p;
        const r = pairedSequentialTest(outcomes);
        if (r.verdict === 'promote' && r.pairs <= within) promoted += 1;
      }
      expect(promoted / 200).toBeGreaterThan(0.9);
    }
  });
});
