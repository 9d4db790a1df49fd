import { buildBaseline } from '@app/drift';
import { FEATURES } from '@app/domain';
import type { FeatureName, ModelType } from '@app/domain';
import type { TrainingExample } from '@app/ml';

/** Frozen drift baselines of a candidate, from the sample it was trained on (one row per key feature). */
export function candidateBaselines(
  tenantId: string,
  modelType: ModelType,
  version: number,
  features: readonly FeatureName[],
  train: readonly TrainingExample[],
): object[] {
  const complexity = train.reduce((s, e) => s + Number(e.case_complexity), 0) / train.length;
  return features.map((f) => {
    const kind = FEATURES[f].kind;
    const values = train.map((e) => (kind === 'numeric' ? Number(e[f]) : String(e[f])));
    const mean = kind === 'numeric' ? (values as number[]).reduce((s, v) => s + v, 0) / values.length : null;
    return {
      tenant_id: tenantId,
      model_type: modelType,
      model_version: version,
      feature_name: f,
      feature_kind: kind,
      baseline_value: mean,
      baseline_complexity: complexity,
      distribution: buildBaseline(values, kind),
      sample_size: values.length,
    };
  });
}
