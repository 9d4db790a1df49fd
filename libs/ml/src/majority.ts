import { createHash } from 'node:crypto';

/**
 * The simplest real model: predicts the most frequent label of its training data. It is the baseline
 * every trained model is compared with (the run's `majorityBaselineAccuracy`), so a model that learned
 * nothing shows it.
 */
export interface MajorityModel {
  algorithm: 'majority-class';
  formatVersion: 1;
  label: string;
  /** Share of the training data with that label (the model's confidence). */
  confidence: number;
  trainedOn: number;
  classCounts: Record<string, number>;
}

export function trainMajority(labels: readonly string[]): MajorityModel {
  if (labels.length === 0) throw new RangeError('cannot train on no examples');
  const counts: Record<string, number> = {};
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  // Ties break by label so that training is deterministic.
  const [label, count] = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  return {
    algorithm: 'majority-class',
    formatVersion: 1,
    label,
    confidence: count / labels.length,
    trainedOn: labels.length,
    classCounts: counts,
  };
}

/** Share of `labels` equal to what the model predicts. */
export function accuracyOf(model: MajorityModel, labels: readonly string[]): number {
  if (labels.length === 0) throw new RangeError('cannot evaluate on no examples');
  return labels.filter((l) => l === model.label).length / labels.length;
}

export interface SerializedModel {
  format: string;
  content: Buffer;
  /** SHA-256 of content, hex. */
  checksum: string;
}

/** Model formats this project writes; the format names the algorithm and its JSON layout version. */
export const MODEL_FORMATS = {
  majority: 'majority-class/v1',
  naiveBayes: 'categorical-naive-bayes/v1',
} as const;

export function serializeModel(
  model: { algorithm: string },
  format: string = MODEL_FORMATS.majority,
): SerializedModel {
  const content = Buffer.from(JSON.stringify(model), 'utf8');
  return { format, content, checksum: createHash('sha256').update(content).digest('hex') };
}

/** Loads an artifact back, refusing a corrupted one (checksum) or one of an unexpected format. */
export function deserializeModel<T>(
  artifact: SerializedModel,
  expectedFormat: string = MODEL_FORMATS.majority,
): T {
  const actual = createHash('sha256').update(artifact.content).digest('hex');
  if (actual !== artifact.checksum)
    throw new Error(`artifact checksum mismatch: stored ${artifact.checksum}, computed ${actual}`);
  if (artifact.format !== expectedFormat)
    throw new Error(`unexpected artifact format ${artifact.format} (expected ${expectedFormat})`);
  return JSON.parse(artifact.content.toString('utf8')) as T;
}
