import { accuracyOf, trainMajority } from './majority';
import { discretize, evaluate, predictNaiveBayes, trainNaiveBayes } from './naive-bayes';
import type { Example } from './naive-bayes';

// Hand-computable fixture. Counts: yes 3, no 2; each feature has 2 seen values, so with alpha = 1 the
// denominators are 3 + 1*(2+1) = 6 for yes and 2 + 3 = 5 for no.
const play: Example[] = [
  { features: { outlook: 'sunny', wind: 'weak' }, label: 'yes' },
  { features: { outlook: 'sunny', wind: 'strong' }, label: 'yes' },
  { features: { outlook: 'rainy', wind: 'weak' }, label: 'yes' },
  { features: { outlook: 'rainy', wind: 'strong' }, label: 'no' },
  { features: { outlook: 'sunny', wind: 'strong' }, label: 'no' },
];

/** mulberry32: a tiny fixed PRNG so the synthetic data is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('categorical naive Bayes', () => {
  it('matches a hand-computed model and posterior', () => {
    const m = trainNaiveBayes(play);
    expect(m.labels).toEqual(['no', 'yes']);
    expect(m.features).toEqual(['outlook', 'wind']);
    expect(m.trainedOn).toBe(5);
    expect(m.priors['yes']).toBeCloseTo(Math.log(3 / 5), 12);
    // P(sunny|yes) = (2+1)/6, P(sunny|no) = (1+1)/5
    expect(m.likelihoods['outlook']!['sunny']!['yes']).toBeCloseTo(Math.log(3 / 6), 12);
    expect(m.likelihoods['outlook']!['sunny']!['no']).toBeCloseTo(Math.log(2 / 5), 12);
    // yes: 3/5 * 3/6 * 2/6 = 0.1; no: 2/5 * 2/5 * 3/5 = 0.096; posterior(yes) = 0.1 / 0.196 = 0.510204...
    const p = predictNaiveBayes(m, { outlook: 'sunny', wind: 'strong' });
    expect(p.label).toBe('yes');
    expect(p.confidence).toBeCloseTo(0.5102, 4);
    // no: 2/5 * 2/5 * 3/5 = 0.096 vs yes: 3/5 * 2/6 * 2/6 = 0.0667 -> no at 0.590164...
    expect(predictNaiveBayes(m, { outlook: 'rainy', wind: 'strong' })).toEqual({
      label: 'no',
      confidence: expect.closeTo(0.5902, 4),
    });
  });

  it('evaluates accuracy and a confusion matrix', () => {
    // Only the last example (sunny, strong -> no) is misclassified, as "yes".
    const e = evaluate(trainNaiveBayes(play), play);
    expect(e).toEqual({ accuracy: 0.8, n: 5, confusion: { no: { no: 1, yes: 1 }, yes: { no: 0, yes: 3 } } });
  });

  it('beats the majority baseline on seeded data with a signal', () => {
    // Label follows feature A 90% of the time (otherwise uniform over the three labels); B is noise.
    const rand = mulberry32(20260101);
    const target: Record<string, string> = { a0: 'x', a1: 'y', a2: 'z', a3: 'x' };
    const data: Example[] = Array.from({ length: 2000 }, () => {
      const a = `a${Math.floor(rand() * 4)}`;
      const b = `b${Math.floor(rand() * 5)}`;
      const label = rand() < 0.9 ? target[a]! : ['x', 'y', 'z'][Math.floor(rand() * 3)]!;
      return { features: { a, b }, label };
    });
    const train = data.slice(0, 1500);
    const holdout = data.slice(1500);

    const nb = evaluate(trainNaiveBayes(train), holdout);
    const baseline = accuracyOf(
      trainMajority(train.map((e) => e.label)),
      holdout.map((e) => e.label),
    );
    // Expected about 0.93 (0.9 + 0.1/3) against a baseline near 0.5 ('x' is about half the labels).
    expect(nb.n).toBe(500);
    expect(nb.accuracy).toBeGreaterThan(baseline + 0.2);
    expect(nb.accuracy).toBeGreaterThan(0.85);
  });

  it('gives an unseen value the reserved mass instead of crashing', () => {
    const m = trainNaiveBayes(play);
    expect(m.unseen['outlook']).toEqual({
      no: expect.closeTo(Math.log(1 / 5), 12),
      yes: expect.closeTo(Math.log(1 / 6), 12),
    });
    // yes: 3/5 * 1/6 * (2+1)/6 = 0.05; no: 2/5 * 1/5 * (0+1)/5 = 0.016 -> yes at 0.05 / 0.066 = 0.757576...
    const p = predictNaiveBayes(m, { outlook: 'overcast', wind: 'weak' });
    expect(p).toEqual({ label: 'yes', confidence: expect.closeTo(0.7576, 4) });
    // Values named like Object.prototype members are ordinary unseen values, not prototype lookups.
    for (const odd of ['toString', '__proto__', 'constructor']) {
      expect(predictNaiveBayes(m, { outlook: odd, wind: 'weak' })).toEqual(p);
    }
  });

  it('keys values by String(value), including null', () => {
    const m = trainNaiveBayes([
      { features: { f: null }, label: 'a' },
      { features: { f: 1 }, label: 'b' },
      { features: { f: true }, label: 'c' },
    ]);
    expect(Object.keys(m.likelihoods['f']!).sort()).toEqual(['1', 'null', 'true']);
    expect(predictNaiveBayes(m, { f: 'null' }).label).toBe('a');
    expect(predictNaiveBayes(m, { f: '1' }).label).toBe('b');
    expect(predictNaiveBayes(m, { f: 'true' }).label).toBe('c');
  });

  it('is deterministic: same data (in any order) gives the same model JSON and predictions', () => {
    const a = JSON.stringify(trainNaiveBayes(play));
    expect(JSON.stringify(trainNaiveBayes(play))).toBe(a);
    expect(JSON.stringify(trainNaiveBayes([...play].reverse()))).toBe(a);
    const restored = JSON.parse(a) as ReturnType<typeof trainNaiveBayes>;
    expect(predictNaiveBayes(restored, { outlook: 'sunny', wind: 'strong' })).toEqual(
      predictNaiveBayes(trainNaiveBayes(play), { outlook: 'sunny', wind: 'strong' }),
    );
  });

  it('breaks exact ties by label order', () => {
    const m = trainNaiveBayes([
      { features: { f: 'x' }, label: 'b' },
      { features: { f: 'x' }, label: 'a' },
    ]);
    expect(predictNaiveBayes(m, { f: 'x' })).toEqual({ label: 'a', confidence: 0.5 });
  });

  it('uses only the chosen features', () => {
    const m = trainNaiveBayes(play, { features: ['wind'], alpha: 2 });
    expect(m.features).toEqual(['wind']);
    expect(m.alpha).toBe(2);
    // outlook is neither required nor used.
    expect(() => predictNaiveBayes(m, { wind: 'weak' })).not.toThrow();
  });

  it('rejects empty input, missing features and bad alpha', () => {
    expect(() => trainNaiveBayes([])).toThrow(RangeError);
    expect(() => trainNaiveBayes(play, { alpha: 0 })).toThrow(RangeError);
    expect(() => trainNaiveBayes([...play, { features: { outlook: 'sunny' }, label: 'no' }])).toThrow(
      /training example 5: missing feature "wind"/,
    );
    const m = trainNaiveBayes(play);
    expect(() => predictNaiveBayes(m, { outlook: 'sunny' })).toThrow(/missing feature "wind"/);
    expect(() => evaluate(m, [])).toThrow(RangeError);
  });
});

describe('discretize', () => {
  it('counts edges <= value, so a value on an edge goes to the bin above', () => {
    const edges = [0, 10, 10, 20];
    expect(discretize(-1, edges)).toBe('b0');
    expect(discretize(0, edges)).toBe('b1');
    expect(discretize(5, edges)).toBe('b1');
    // Both tied edges at 10 are <= 10, so b2 is empty.
    expect(discretize(10, edges)).toBe('b3');
    expect(discretize(19.999, edges)).toBe('b3');
    expect(discretize(20, edges)).toBe('b4');
    expect(discretize(Infinity, edges)).toBe('b4');
    expect(discretize(-Infinity, edges)).toBe('b0');
    expect(discretize(42, [])).toBe('b0');
  });

  it('rejects NaN and unsorted edges', () => {
    expect(() => discretize(NaN, [1])).toThrow(RangeError);
    expect(() => discretize(1, [2, 1])).toThrow(/sorted/);
    expect(() => discretize(1, [0, NaN])).toThrow(RangeError);
  });
});
