import { buildBaseline } from '@app/drift';
import { FEATURES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import type { ClaimFeatures } from '../claim-features';

/**
 * A feature's frozen drift baseline, as stored with an artifact and deployed into model_feature_baselines
 * (the same shape as @app/database's FeatureBaselineDraft: the rows without their keys).
 */
export interface FrozenFeatureBaseline {
  featureName: string;
  featureKind: 'numeric' | 'categorical';
  baselineValue: number | null;
  baselineComplexity: number | null;
  /** Frozen bin edges and shares, as libs/drift defines them. */
  distribution: Record<string, unknown>;
  sampleSize: number;
}

/** Frozen drift baselines of a model, from the sample it was trained on (one per key feature). */
export function candidateBaselines(
  features: readonly FeatureName[],
  train: readonly ClaimFeatures[],
): FrozenFeatureBaseline[] {
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
