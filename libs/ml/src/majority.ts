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
