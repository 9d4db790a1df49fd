import type { TrainingExample } from '../xgb-model';
import { EARLY_STOPPING_FORM, stoppingSplit } from './fit-candidate';

const examples = (n: number): TrainingExample[] =>
  Array.from(
    { length: n },
    (_, i) => ({ target: String(i), at: new Date(Date.UTC(2026, 0, 1) + i * 60_000) }) as TrainingExample,
  );

describe('stoppingSplit: which fits stop early, on which rows', () => {
  it('sets every tenth example apart, counting back from the newest, with its weight', () => {
    const train = examples(2000);
    const weights = Float32Array.from(train, (_, i) => 1 + (i % 3));
    const s = stoppingSplit(train, weights, 10);
    expect(s.stopping!.examples).toHaveLength(200);
    expect(s.stopping!.examples[199]).toBe(train[1999]);
    expect(s.stopping!.examples[0]).toBe(train[9]);
    expect(s.train).toHaveLength(1800);
    expect(s.weights).toHaveLength(1800);
    // Example 9's weight is 1 + 9 % 3 = 1; example 1999's is 1 + 1999 % 3 = 2.
    expect([s.stopping!.weights[0], s.stopping!.weights[199]]).toEqual([1, 2]);
    expect(s.stopping!.patience).toBe(10);
  });

  it('boosts every round on every example under 2,000 examples, or with a patience of 0', () => {
    const w = (n: number) => new Float32Array(n).fill(1);
    expect(stoppingSplit(examples(1999), w(1999), 10).stopping).toBeUndefined();
    expect(stoppingSplit(examples(5000), w(5000), 0).stopping).toBeUndefined();
    expect(EARLY_STOPPING_FORM).toEqual({ minExamples: 2000, refitBelow: 10_000, minEffectiveRows: 100 });
  });

  it('boosts every round when the stopping rows count for fewer than 100 under their weights', () => {
    const train = examples(3000);
    // 300 stopping rows; weights halving every 10 rows from the newest, so from one stopping row to the
    // next: Kish's effective number, (sum w)^2 / sum w^2, is (2)^2 / (4/3) = 3.
    const steep = Float32Array.from(train, (_, i) => 0.5 ** ((2999 - i) / 10));
    expect(stoppingSplit(train, steep, 10).stopping).toBeUndefined();
    // Halving every 1,000 rows: the tenth counts for about 224 (126.7^2 / 71.5), so it stops early. Every
    // 300 rows would give about 86: not enough.
    const gentle = Float32Array.from(train, (_, i) => 0.5 ** ((2999 - i) / 1000));
    const edge = Float32Array.from(train, (_, i) => 0.5 ** ((2999 - i) / 300));
    expect(stoppingSplit(train, edge, 10).stopping).toBeUndefined();
    expect(stoppingSplit(train, gentle, 10).stopping?.examples).toHaveLength(300);
  });
});
