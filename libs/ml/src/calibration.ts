import {
  applyIsotonic,
  fitIsotonic,
  fitTimelineErrors,
  parseIsotonic,
  timelineRightProbability,
  ERROR_QUANTILES,
} from '@app/drift';
import type { IsotonicCalibration, TimelineErrorModel } from '@app/drift';
import { isRightAnswer, TIMELINE_TOLERANCE, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import type { Booster } from './xgboost';
import type { TrainingExample, XgbAnswer } from './xgb-model';

/**
 * How likely each of a version's answers is to be right, learnt on its own hold-out (docs/models.md,
 * "Estimated accuracy"): for a classifier, an isotonic map from its probability of the class it chose to
 * the share of such answers that were right; for timeline (a regression, no probability of its own), the
 * distribution of its errors as ratios. Saved inside the artifact (`learner.attributes.ue_calibration`),
 * so every reader of the artifact (scorer, validator, an Azure ML job's output) has the same one.
 */
export type ModelCalibration =
  { kind: 'isotonic'; map: IsotonicCalibration } | { kind: 'timeline_errors'; errors: TimelineErrorModel };

export const CALIBRATION_ATTR = 'ue_calibration';

/** The smallest number of days a timeline answer is taken as (a regression may answer 0 or less). */
const MIN_DAYS = 0.5;

/** Fits a version's calibration from its answers on its hold-out, in the hold-out's order. */
export function fitCalibration(
  modelType: ModelType,
  answers: readonly XgbAnswer[],
  holdout: readonly TrainingExample[],
): ModelCalibration {
  if (answers.length !== holdout.length)
    throw new RangeError(`${answers.length} answers for ${holdout.length} hold-out examples`);
  if (TRAINING_TARGETS[modelType].task === 'regression')
    return {
      kind: 'timeline_errors',
      errors: fitTimelineErrors(
        answers.map((a, i) => ({
          predicted: Math.max(MIN_DAYS, Number(a.value)),
          actual: Math.max(MIN_DAYS, Number(holdout[i]!.target)),
        })),
      ),
    };
  return {
    kind: 'isotonic',
    map: fitIsotonic(
      answers.map((a, i) => ({
        x: a.probability ?? 0,
        y: isRightAnswer(modelType, a.value, holdout[i]!.target) ? 1 : 0,
      })),
    ),
  };
}

/** The probability that `answer` is right, by the version's calibration. */
export function rightProbability(calibration: ModelCalibration, answer: XgbAnswer): number {
  if (calibration.kind === 'timeline_errors')
    return timelineRightProbability(
      calibration.errors,
      Math.max(MIN_DAYS, Number(answer.value)),
      TIMELINE_TOLERANCE,
    );
  return applyIsotonic(calibration.map, answer.probability ?? 0);
}

/** Checks a calibration read from an artifact (JSON) before it is used. */
export function parseCalibration(value: unknown): ModelCalibration {
  const v = value as { kind?: unknown; map?: unknown; errors?: unknown } | null;
  if (v?.kind === 'isotonic') return { kind: 'isotonic', map: parseIsotonic(v.map) };
  if (v?.kind === 'timeline_errors') {
    const e = v.errors as Partial<TimelineErrorModel> | null;
    const qs = e?.logRatioQuantiles;
    if (
      e?.version !== 1 ||
      !Array.isArray(qs) ||
      qs.length !== ERROR_QUANTILES ||
      qs.some((q, i) => typeof q !== 'number' || !Number.isFinite(q) || (i > 0 && q < qs[i - 1]!)) ||
      typeof e.n !== 'number' ||
      !(e.n >= 1)
    )
      throw new RangeError('invalid timeline calibration: not 101 ordered finite quantiles with n');
    return { kind: 'timeline_errors', errors: { version: 1, logRatioQuantiles: [...qs], n: e.n } };
  }
  throw new RangeError('invalid calibration: unknown kind');
}

/** Saves the calibration inside the booster, to be written with it. */
export function attachCalibration(booster: Booster, calibration: ModelCalibration): void {
  booster.setAttr(CALIBRATION_ATTR, JSON.stringify(calibration));
}

/** The calibration saved inside a loaded booster; null for a version trained before calibrations existed. */
export function calibrationOf(booster: Booster): ModelCalibration | null {
  const raw = booster.getAttr(CALIBRATION_ATTR);
  return raw === null ? null : parseCalibration(JSON.parse(raw));
}
