import { formatPredictedDays, isRightAnswer, TRAINING_TARGETS } from '@app/domain';
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
  /** One weight per training example (recencyWeights); absent: every example counts the same. */
  weights?: Float32Array;
  /**
   * Examples kept out of training and scored after every round: boosting stops once `patience` rounds in
   * a row have not improved their score, and the model keeps its best round (`rounds` is then a maximum).
   */
  earlyStopping?: { examples: readonly TrainingExample[]; weights?: Float32Array; patience: number };
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

/**
 * The artifact format of new models: XGBoost's own Universal Binary JSON, with this project's metadata in
 * `learner.attributes` (issue 20: a validation loads two models, and a JSON multi-class model of 100 rounds
 * took 38 ms to load against 5 ms in UBJ).
 */
export const XGB_FORMAT = 'xgboost-ubj/1.7';

/** Formats an artifact may be stored in and still load: the JSON of the models stored before UBJ, too. */
export const XGB_LOADABLE_FORMATS: readonly string[] = [XGB_FORMAT, 'xgboost-json/1.7'];

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
  const stop = opts.earlyStopping;
  const booster = await Booster.trainAsync(
    m,
    labelsOf(modelType, train),
    params(modelType, opts),
    opts.rounds ?? 100,
    {
      weights: opts.weights,
      earlyStopping:
        stop && stop.examples.length > 0
          ? {
              eval: featureMatrix(stop.examples, features),
              labels: labelsOf(modelType, stop.examples),
              weights: stop.weights,
              patience: stop.patience,
            }
          : undefined,
    },
  );
  booster.setAttr('ue_model_type', modelType);
  booster.setAttr('ue_features', JSON.stringify(features));
  booster.setAttr('ue_columns', JSON.stringify(m.columns));
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'classification') booster.setAttr('ue_classes', JSON.stringify(target.classes));
  return booster;
}

/** One model's answer for one example: a class (classification) or a number of days (timeline). */
export interface XgbAnswer {
  value: string | number;
  /**
   * The model's own probability for `value`: the chosen class's probability (softprob's largest, or the
   * logistic output on the side it chose). Null for regression, which has no probability of its own.
   */
  probability: number | null;
}

/**
 * Decodes XGBoost's raw output for `n` examples, as the objective `params` gives each model: regression one
 * value per row, binary:logistic P(class 1) per row, multi:softprob one probability per class per row
 * (row-major). The one decoding of a prediction: evaluation (trainer, validator) and scoring (scorer).
 */
export function decodeXgbOutput(modelType: ModelType, raw: Float32Array, n: number): XgbAnswer[] {
  const target = TRAINING_TARGETS[modelType];
  if (target.task === 'regression') {
    if (raw.length !== n) throw new RangeError(`${raw.length} outputs for ${n} rows`);
    return Array.from(raw, (v) => ({ value: v, probability: null }));
  }
  const k = target.classes.length;
  if (k === 2) {
    if (raw.length !== n) throw new RangeError(`${raw.length} outputs for ${n} rows`);
    return Array.from(raw, (p) =>
      p > 0.5
        ? { value: target.classes[1]!, probability: p }
        : { value: target.classes[0]!, probability: 1 - p },
    );
  }
  if (raw.length !== n * k) throw new RangeError(`${raw.length} outputs for ${n} rows of ${k} classes`);
  const out: XgbAnswer[] = new Array<XgbAnswer>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (raw[i * k + c]! > raw[i * k + best]!) best = c;
    out[i] = { value: target.classes[best]!, probability: raw[i * k + best]! };
  }
  return out;
}

/** Every example's answer with its probability, in one XGBoost call. */
export function answerXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  rows: readonly ClaimFeatures[],
): XgbAnswer[] {
  if (rows.length === 0) return [];
  return decodeXgbOutput(modelType, booster.predict(featureMatrix(rows, features)), rows.length);
}

/** Predicted class (classification) or number of days (timeline), per example. */
export function predictXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  rows: readonly ClaimFeatures[],
): (string | number)[] {
  return answerXgbModel(modelType, booster, features, rows).map((a) => a.value);
}

/**
 * Accuracy on a hold-out: share of right answers, by the one definition the scorer's stored outcomes also
 * use (libs/domain isRightAnswer: the same class, or a timeline within max(7 days, 25%)).
 */
export function evaluateXgbModel(
  modelType: ModelType,
  booster: Booster,
  features: readonly FeatureName[],
  holdout: readonly TrainingExample[],
  /** The model's answers on the hold-out when the caller already has them (one XGBoost call, not two). */
  answers?: readonly XgbAnswer[],
): ModelEvaluation {
  if (holdout.length === 0) throw new RangeError('cannot evaluate on no examples');
  const predicted = answers
    ? answers.map((a) => a.value)
    : predictXgbModel(modelType, booster, features, holdout);
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
    return isRightAnswer(modelType, predicted[i]!, e.target);
  });
  return { accuracy: correct.filter(Boolean).length / holdout.length, n: holdout.length, confusion, correct };
}

/**
 * A model's answer as ml_predictions stores it (the scorer, and the seeder for version 1): a class as it
 * is; a timeline's resolution days in full (libs/domain formatPredictedDays), so that the stored answer is
 * judged exactly as the trainer judged the number on its hold-out.
 */
export function predictionText(modelType: ModelType, value: string | number): string {
  if (TRAINING_TARGETS[modelType].task === 'classification') return String(value);
  return formatPredictedDays(Number(value));
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
