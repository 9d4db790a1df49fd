import { TRAINING_TARGETS, timelineWithinTolerance } from '@app/domain';
import type { FeatureName, ModelType } from '@app/domain';
import { featureMatrix } from './claim-features';
import type { ClaimFeatures } from './claim-features';
import { Booster } from './xgboost';
import type { XgbParams } from './xgboost';

/** A labelled example: features, the target as text (class) or number (days), and when it happened. */
export interface TrainingExample extends ClaimFeatures {
  target: string | number;
  at: Date;
}

export interface XgbTrainingOptions {
  rounds?: number;
  maxDepth?: number;
  eta?: number;
  seed?: number;
  threads?: number;
}

export interface ModelEvaluation {
  accuracy: number;
  n: number;
  /** Classification: actual -> predicted -> count. */
  confusion?: Record<string, Record<string, number>>;
  /** Regression: mean absolute error in days. */
  mae?: number;
  /** Per example: whether the prediction was right (for paired comparisons such as McNemar). */
  correct: boolean[];
}

/** The artifact format: XGBoost's own JSON, with this project's metadata in `learner.attributes`. */
export const XGB_FORMAT = 'xgboost-json/1.7';

function params(modelType: ModelType, opts: XgbTrainingOptions): XgbParams {
  const target = TRAINING_TARGETS[modelType];
  const common = {
    max_depth: opts.maxDepth ?? 6,
    eta: opts.eta ?? 0.2,
    seed: opts.seed ?? 42,
    nthread: opts.threads ?? 2,
    tree_method: 'hist',
  };
  if (target.task === 'regression') return { ...common, objective: 'reg:squarederror' };
  return target.classes.length === 2
    ? { ...common, objective: 'binary:logistic' }
    : { ...common, objective: 'multi:softprob', num_class: target.classes.length };
}

function labelsOf(modelType: ModelType, examples: readonly TrainingExample[]): Float32Array {
  const target = TRAINING_TARGETS[modelType];
  return Float32Array.from(examples, (e) => {
    if (target.task === 'regression') return Number(e.target);
    const k = target.classes.indexOf(String(e.target));
    if (k < 0) throw new RangeError(`unknown ${modelType} label "${String(e.target)}"`);
    return k;
  });
}

/** Trains a candidate with XGBoost (yielding to the event loop between rounds). Dispose the booster when done. */
export async function trainXgbModel(
  modelType: ModelType,
  features: readonly FeatureName[],
  train: readonly TrainingExample[],
  opts: XgbTrainingOptions = {},
): Promise<Booster> {
  if (train.length === 0) throw new RangeError('cannot train on no examples');
  const m = featureMatrix(train, features);
  const booster = await Booster.trainAsync(
    m,
    labelsOf(modelType, train),
    params(modelType, opts),
    opts.rounds ?? 100,
  );
  booster.setAttr('ue_model_type', modelType);
  booster.setAttr('ue_features', JSON.stringify(features));
  booster.setAttr('ue_columns', JSON.stringify(m.columns));
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'classification') booster.setAttr('ue_classes', JSON.stringify(target.classes));
  return booster;
}

/** Predicted class (classification) or number of days (timeline), per example. */
export function predictXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  rows: readonly ClaimFeatures[],
): (string | number)[] {
  const raw = booster.predict(featureMatrix(rows, features));
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'regression') return Array.from(raw);
  const k = target.classes.length;
  if (k === 2) return Array.from(raw, (p) => target.classes[p > 0.5 ? 1 : 0]!);
  return rows.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (raw[i * k + c]! > raw[i * k + best]!) best = c;
    return target.classes[best]!;
  });
}

/**
 * Whether a model's answer is right, one definition for the trainer's hold-out, the validator and stored
 * predictions: the same class, or (timeline) days within max(7 days, 25%) of the actual resolution days.
 */
export function isRightAnswer(
  modelType: ModelType,
  predicted: string | number,
  actual: string | number,
): boolean {
  return TRAINING_TARGETS[modelType].task === 'regression'
    ? timelineWithinTolerance(Number(predicted), Number(actual))
    : String(predicted) === String(actual);
}

/** A model's answer for one claim and its own probability for it. */
export interface ScoredAnswer {
  /** The class (classification), or the predicted number of days (timeline). */
  value: string | number;
  /**
   * Classification: the model's probability of the class it answers (the largest). Regression: null, a
   * number of days has no probability of its own; callers say what they store instead.
   */
  confidence: number | null;
}

/** Like predictXgbModel, with the model's probability of each answer (one predict call for all rows). */
export function scoreXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  rows: readonly ClaimFeatures[],
): ScoredAnswer[] {
  if (rows.length === 0) return [];
  const raw = booster.predict(featureMatrix(rows, features));
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'regression') return Array.from(raw, (v) => ({ value: v, confidence: null }));
  const k = target.classes.length;
  if (k === 2)
    return Array.from(raw, (p) =>
      p > 0.5
        ? { value: target.classes[1]!, confidence: p }
        : { value: target.classes[0]!, confidence: 1 - p },
    );
  return rows.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (raw[i * k + c]! > raw[i * k + best]!) best = c;
    return { value: target.classes[best]!, confidence: raw[i * k + best]! };
  });
}

/** Accuracy on a hold-out: share of right classes, or of timelines within tolerance. */
export function evaluateXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  holdout: readonly TrainingExample[],
): ModelEvaluation {
  if (holdout.length === 0) throw new RangeError('cannot evaluate on no examples');
  const predicted = predictXgbModel(modelType, booster, features, holdout);
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'regression') {
    const correct = holdout.map((e, i) => isRightAnswer(modelType, predicted[i]!, e.target));
    const mae =
      holdout.reduce((s, e, i) => s + Math.abs(Number(predicted[i]) - Number(e.target)), 0) / holdout.length;
    return { accuracy: correct.filter(Boolean).length / holdout.length, n: holdout.length, mae, correct };
  }
  const confusion: Record<string, Record<string, number>> = {};
  for (const a of target.classes) confusion[a] = Object.fromEntries(target.classes.map((p) => [p, 0]));
  const correct = holdout.map((e, i) => {
    const row = (confusion[String(e.target)] ??= {});
    row[String(predicted[i])] = (row[String(predicted[i])] ?? 0) + 1;
    return predicted[i] === e.target;
  });
  return { accuracy: correct.filter(Boolean).length / holdout.length, n: holdout.length, confusion, correct };
}
