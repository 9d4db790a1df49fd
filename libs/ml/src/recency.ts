const DAY_MS = 86_400_000;

/** Weights of training examples by age, and what they amount to. */
export interface RecencyWeights {
  /** One per example, in the examples' order, with mean 1 (so XGBoost's min_child_weight keeps its scale). */
  weights: Float32Array;
  /** Kish's effective sample size, (sum w)^2 / sum w^2: how many equally weighted examples they are worth. */
  effectiveSamples: number;
}

/**
 * Exponential decay by age: an example `halfLifeDays` older than `asOf` counts half as much as one filed at
 * `asOf`. When the relationship a model learns changes (concept drift), the examples after the change
 * outweigh the older ones within a few half-lives instead of staying a minority of a 12-month window;
 * with stable data the price is a smaller effective sample. Examples after `asOf` count as at `asOf`.
 */
export function recencyWeights(times: readonly Date[], asOf: Date, halfLifeDays: number): RecencyWeights {
  if (!(halfLifeDays > 0)) throw new RangeError(`halfLifeDays must be positive, got ${halfLifeDays}`);
  const raw = times.map((t) => 0.5 ** (Math.max(0, asOf.getTime() - t.getTime()) / DAY_MS / halfLifeDays));
  const sum = raw.reduce((a, w) => a + w, 0);
  const sumSq = raw.reduce((a, w) => a + w * w, 0);
  const mean = sum / Math.max(1, raw.length);
  return {
    weights: Float32Array.from(raw, (w) => w / mean),
    effectiveSamples: sumSq > 0 ? (sum * sum) / sumSq : 0,
  };
}
