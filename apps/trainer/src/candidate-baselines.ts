import type { FeatureBaselineDraft } from '@app/database';
import { buildBaseline } from '@app/drift';
import { FEATURES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import type { TrainingExample } from '@app/ml';

/** Frozen drift baselines of a candidate, from the sample it was trained on (one per key feature). */
export function candidateBaselines(
  features: readonly FeatureName[],
  train: readonly TrainingExample[],
): FeatureBaselineDraft[] {
  const complexity = train.reduce((s, e) => s + Number(e.case_complexity), 0) / train.length;
  return features.map((f) => {
    const kind = FEATURES[f].kind;
    const values = train.map((e) => (kind === 'numeric' ? Number(e[f]) : String(e[f])));
    const mean = kind === 'numeric' ? (values as number[]).reduce((s, v) => s + v, 0) / values.length : null;
    return {
      featureName: f,
      featureKind: kind,
      baselineValue: mean,
      baselineComplexity: complexity,
      distribution: buildBaseline(values, kind) as unknown as Record<string, unknown>,
      sampleSize: values.length,
    };
  });
}
