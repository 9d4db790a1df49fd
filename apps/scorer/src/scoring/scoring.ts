import type { ClaimFeaturesView } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { answerXgbModel, confidenceOf, predictionText } from '@app/ml';
import type { Booster } from '@app/ml';

/** The active version of one model, loaded: what scores a tenant's claims. */
export interface ScoringModel {
  modelType: ModelType;
  version: number;
  /** The version's hold-out accuracy (model_metadata.baseline_accuracy; timeline: share within tolerance). */
  accuracy: number;
  booster: Booster;
}

/** One row for ml_predictions. */
export interface NewPrediction {
  claimId: string;
  modelType: ModelType;
  version: number;
  predictedValue: string;
  confidence: number;
}

/** Every claim's prediction by every model: one XGBoost call per model for all the claims. */
export function predictClaims(
  models: readonly ScoringModel[],
  claims: readonly ClaimFeaturesView[],
): NewPrediction[] {
  const out: NewPrediction[] = [];
  if (claims.length === 0) return out;
  for (const m of models) {
    const answers = answerXgbModel(m.modelType, m.booster, MODEL_CONFIGS[m.modelType].features, claims);
    answers.forEach((a, i) => {
      const claim = claims[i]!;
      out.push({
        claimId: claim.id,
        modelType: m.modelType,
        version: m.version,
        predictedValue: predictionText(m.modelType, a.value),
        confidence: confidenceOf(a, m.accuracy),
      });
    });
  }
  return out;
}
