import type { ClaimFeaturesView } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType, PredictionRole } from '@app/domain';
import { answerXgbModel, confidenceOf, predictionText, rightProbability } from '@app/ml';
import type { Booster, ModelCalibration } from '@app/ml';

/** A version of one model, loaded: the active one (champion) or a shadow challenger on trial. */
export interface ScoringModel {
  modelType: ModelType;
  version: number;
  role: PredictionRole;
  /** The version's hold-out accuracy (model_metadata.baseline_accuracy; timeline: share within tolerance). */
  accuracy: number;
  booster: Booster;
  /** How likely each answer is right (saved in the artifact); null for a version without one. */
  calibration: ModelCalibration | null;
}

/** One row for ml_predictions. */
export interface NewPrediction {
  claimId: string;
  modelType: ModelType;
  version: number;
  role: PredictionRole;
  predictedValue: string;
  confidence: number;
  /** The calibrated probability that the answer is right (6 decimals); null without a calibration. */
  rightProbability: number | null;
}

/** Every claim's prediction by every model (champions and challengers): one XGBoost call per model for all the claims. */
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
        role: m.role,
        predictedValue: predictionText(m.modelType, a.value),
        confidence: confidenceOf(a, m.accuracy),
        rightProbability: m.calibration ? Math.round(rightProbability(m.calibration, a) * 1e6) / 1e6 : null,
      });
    });
  }
  return out;
}
