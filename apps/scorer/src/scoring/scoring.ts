import type { ClaimFeaturesView } from '@app/database';
import { MODEL_CONFIGS, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { answerXgbModel } from '@app/ml';
import type { Booster, XgbAnswer } from '@app/ml';

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

/**
 * The stored answer as text: a class as it is; a timeline's resolution days with one decimal (what the
 * platform shows, and what the outcome is compared with, within max(7 days, 25%)).
 */
export function predictionText(modelType: ModelType, value: string | number): string {
  if (TRAINING_TARGETS[modelType].task === 'classification') return String(value);
  const days = Number(value);
  if (!Number.isFinite(days)) throw new RangeError(`${modelType} predicted ${String(value)} days`);
  return (Math.round(days * 10) / 10).toFixed(1);
}

/**
 * The model's own probability for its answer (docs/integration.md): a classifier's probability of the
 * class it chose (at least 1/k for k classes, so never 0). A regression (timeline) has none: its
 * confidence is the version's hold-out accuracy, the share of its hold-out predicted within tolerance,
 * i.e. how often this version's answers have been right. Rounded to 6 decimals, within [0, 1].
 */
export function confidenceOf(answer: XgbAnswer, versionAccuracy: number): number {
  const p = answer.probability ?? versionAccuracy;
  if (!Number.isFinite(p)) throw new RangeError(`confidence ${p} is not a number`);
  return Math.round(Math.min(1, Math.max(0, p)) * 1e6) / 1e6;
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
