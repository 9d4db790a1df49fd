/**
 * Categorical Naive Bayes: small, pure and deterministic. Its job is to show that seeded data carries a
 * learnable signal, i.e. that a real (if naive) model beats the majority-class baseline.
 *
 * Lookups into the model's records go through `Object.hasOwn`, because feature values are arbitrary
 * strings: a value such as "toString" or "__proto__" must not hit Object.prototype.
 */

export type FeatureValue = string | number | boolean | null;

export interface Example {
  features: Record<string, FeatureValue>;
  label: string;
}

export interface NaiveBayesModel {
  algorithm: 'categorical-naive-bayes';
  formatVersion: 1;
  /** Sorted by code unit; prediction ties break in this order. */
  labels: string[];
  /** Natural log of each label's share of the training data. */
  priors: Record<string, number>;
  /** feature -> String(value) -> label -> log P(value | label), Laplace-smoothed. */
  likelihoods: Record<string, Record<string, Record<string, number>>>;
  /** feature -> label -> log P(value | label) for a value never seen in training for that feature. */
  unseen: Record<string, Record<string, number>>;
  /** Sorted; every example (training and prediction) must have all of them. */
  features: string[];
  alpha: number;
  trainedOn: number;
}

export interface NaiveBayesOptions {
  /** Laplace smoothing pseudo-count, > 0 (default 1). */
  alpha?: number;
  /** Features to use; default is every feature seen in training. Others are ignored. */
  features?: readonly string[];
}

export interface Prediction {
  label: string;
  /** Posterior probability of the chosen label, in [0, 1]. */
  confidence: number;
}

export interface Evaluation {
  accuracy: number;
  n: number;
  /** actual label -> predicted label -> count; square over model labels and the labels seen here. */
  confusion: Record<string, Record<string, number>>;
}

// Code-unit order, not localeCompare: the model must be identical whatever the host's locale.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key a value is counted under: String(value), so null -> "null" and 1 and "1" are the same value. */
function keyOf(value: FeatureValue): string {
  return String(value);
}

function valueOf(features: Record<string, FeatureValue>, feature: string, where: string): string {
  // `undefined` can still arrive from untyped callers; treat it as missing rather than as "undefined".
  const v = Object.hasOwn(features, feature) ? features[feature] : undefined;
  if (v === undefined) throw new Error(`${where}: missing feature "${feature}"`);
  return keyOf(v);
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function trainNaiveBayes(examples: readonly Example[], opts: NaiveBayesOptions = {}): NaiveBayesModel {
  if (examples.length === 0) throw new RangeError('cannot train on no examples');
  const alpha = opts.alpha ?? 1;
  // alpha = 0 would give log(0) = -Infinity for unseen values, which JSON cannot carry.
  if (!(Number.isFinite(alpha) && alpha > 0))
    throw new RangeError(`alpha must be a finite number > 0, got ${alpha}`);

  const featureSet = new Set<string>(opts.features ?? examples.flatMap((e) => Object.keys(e.features)));
  const features = [...featureSet].sort(byCodeUnit);

  const labelCounts = new Map<string, number>();
  // feature -> value -> label -> count
  const counts = new Map<string, Map<string, Map<string, number>>>(features.map((f) => [f, new Map()]));
  examples.forEach((ex, i) => {
    increment(labelCounts, ex.label);
    for (const f of features) {
      const v = valueOf(ex.features, f, `training example ${i}`);
      const byValue = counts.get(f)!;
      let byLabel = byValue.get(v);
      if (byLabel === undefined) byValue.set(v, (byLabel = new Map()));
      increment(byLabel, ex.label);
    }
  });

  const labels = [...labelCounts.keys()].sort(byCodeUnit);
  const n = examples.length;
  // Object.fromEntries (not assignment) so that a key such as "__proto__" becomes an own property.
  const priors = Object.fromEntries(labels.map((c) => [c, Math.log(labelCounts.get(c)! / n)]));

  const likelihoodEntries: [string, Record<string, Record<string, number>>][] = [];
  const unseenEntries: [string, Record<string, number>][] = [];
  for (const f of features) {
    const byValue = counts.get(f)!;
    // The +1 reserves one value's worth of mass for values never seen in training.
    const denominator = (c: string) => labelCounts.get(c)! + alpha * (byValue.size + 1);
    const values = [...byValue.keys()].sort(byCodeUnit);
    likelihoodEntries.push([
      f,
      Object.fromEntries(
        values.map((v) => {
          const byLabel = byValue.get(v)!;
          return [
            v,
            Object.fromEntries(
              labels.map((c) => [c, Math.log(((byLabel.get(c) ?? 0) + alpha) / denominator(c))]),
            ),
          ];
        }),
      ),
    ]);
    unseenEntries.push([f, Object.fromEntries(labels.map((c) => [c, Math.log(alpha / denominator(c))]))]);
  }
  const likelihoods = Object.fromEntries(likelihoodEntries);
  const unseen = Object.fromEntries(unseenEntries);

  return {
    algorithm: 'categorical-naive-bayes',
    formatVersion: 1,
    labels,
    priors,
    likelihoods,
    unseen,
    features,
    alpha,
    trainedOn: n,
  };
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function corrupt(what: string): never {
  throw new Error(`naive Bayes model is inconsistent: no ${what}`);
}

export function predictNaiveBayes(
  model: NaiveBayesModel,
  features: Record<string, FeatureValue>,
): Prediction {
  const values = model.features.map((f) => valueOf(features, f, 'prediction'));
  const scores = model.labels.map((c) => {
    let score = own(model.priors, c) ?? corrupt(`prior for label "${c}"`);
    model.features.forEach((f, i) => {
      const byValue = own(model.likelihoods, f) ?? corrupt(`likelihoods for feature "${f}"`);
      const byLabel =
        own(byValue, values[i]!) ?? own(model.unseen, f) ?? corrupt(`unseen mass for feature "${f}"`);
      score += own(byLabel, c) ?? corrupt(`likelihood of feature "${f}" for label "${c}"`);
    });
    return score;
  });

  // Labels are sorted and only a strictly higher score wins, so ties go to the earliest label.
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  // Normalise in log space (log-sum-exp around the maximum) so tiny joint probabilities do not underflow.
  const max = scores[best]!;
  const total = scores.reduce((sum, s) => sum + Math.exp(s - max), 0);
  return { label: model.labels[best]!, confidence: 1 / total };
}

export function evaluate(model: NaiveBayesModel, examples: readonly Example[]): Evaluation {
  if (examples.length === 0) throw new RangeError('cannot evaluate on no examples');
  const all = [...new Set([...model.labels, ...examples.map((e) => e.label)])].sort(byCodeUnit);
  const cells = new Map<string, Map<string, number>>(all.map((a) => [a, new Map(all.map((p) => [p, 0]))]));
  let correct = 0;
  for (const ex of examples) {
    const { label } = predictNaiveBayes(model, ex.features);
    if (label === ex.label) correct++;
    increment(cells.get(ex.label)!, label);
  }
  const confusion = Object.fromEntries(all.map((a) => [a, Object.fromEntries(cells.get(a)!)]));
  return { accuracy: correct / examples.length, n: examples.length, confusion };
}

/**
 * Bins a number for a categorical model: "b<k>" where k is the number of edges <= value, so a value equal
 * to an edge falls in the bin above it, and duplicate edges produce a bin nothing can land in.
 * `edges` must be sorted ascending (duplicates allowed).
 */
export function discretize(value: number, edges: readonly number[]): string {
  if (Number.isNaN(value)) throw new RangeError('cannot discretize NaN');
  let k = 0;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (Number.isNaN(e)) throw new RangeError(`bin edge ${i} is NaN`);
    if (i > 0 && e < edges[i - 1]!)
      throw new RangeError(
        `bin edges must be sorted ascending, but edge ${i} (${e}) < edge ${i - 1} (${edges[i - 1]})`,
      );
    if (e <= value) k++;
  }
  return `b${k}`;
}
