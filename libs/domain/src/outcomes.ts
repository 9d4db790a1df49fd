import type { ModelType } from './enums';
import { labelKnownAt, timelineWithinTolerance, TRAINING_TARGETS } from './features';

/**
 * How a stored prediction (`ml_predictions.predicted_value`, text) and its outcome (`actual_value`) are
 * written, and the one definition of a right answer per model. The trainer and the validator judge a
 * hold-out with `isRightAnswer` (libs/ml evaluateXgbModel), the scorer fills `is_correct` with its SQL twin
 * (libs/database claim-sql.ts CORRECT_SQL), and realized accuracy counts `is_correct`: one definition.
 *
 * - A class model stores the class it predicts; its actual value is the class the claim got.
 * - Timeline stores the predicted number of resolution days as a decimal string, as JavaScript's
 *   `String(number)` writes it (`formatPredictedDays`: full precision, so that the stored answer is judged
 *   exactly as the trainer judged the same number); its actual value is the claim's resolution days.
 */

/**
 * A number of days as stored: optional sign, digits, optional fraction and exponent (what `String(number)`
 * writes for a finite number). The SQL twin matches predicted values with the same pattern, so neither side
 * casts text that is not a number (a timeline bucket stored by an older seeder, "NaN"). No `?` and no
 * backslash in it: it goes into SQL text, where MikroORM takes every `?` for a parameter.
 */
export const DAYS_PATTERN = '^-{0,1}[0-9]+([.][0-9]+){0,1}([eE][-+]{0,1}[0-9]+){0,1}$';
const DAYS_RE = new RegExp(DAYS_PATTERN);

/** The stored form of a timeline prediction. Refuses what is not a finite number (it could not be judged). */
export function formatPredictedDays(days: number): string {
  if (!Number.isFinite(days)) throw new RangeError(`a predicted number of days must be finite, got ${days}`);
  return String(days);
}

/** A stored number of days, or null when the text is not one (DAYS_PATTERN). */
export function parseDays(text: string): number | null {
  return DAYS_RE.test(text) ? Number(text) : null;
}

/**
 * The one definition of a right answer: the same class, or (timeline) a number of days within
 * max(7 days, 25%) of the actual resolution days (`timelineWithinTolerance`). Takes the answer as a model
 * gives it (a class, a number) or as stored (text): a timeline answer that is not a number of days is
 * never right, whatever it is (an older seeder stored buckets there; see docs/integration.md, "Outcomes").
 */
export function isRightAnswer(
  modelType: ModelType,
  predicted: string | number,
  actual: string | number,
): boolean {
  if (TRAINING_TARGETS[modelType].task === 'regression') {
    const p = typeof predicted === 'number' ? predicted : parseDays(predicted);
    const a = typeof actual === 'number' ? actual : parseDays(actual);
    return p !== null && a !== null && timelineWithinTolerance(p, a);
  }
  return String(predicted) === String(actual);
}

/** What a claim's row says about its labels (columns of `claims`). */
export interface ClaimLabels {
  filedAt: Date;
  resolvedAt: Date | null;
  outcome: string | null;
  resolutionDays: number | null;
  assignedTeam: string | null;
  memberChurned: boolean | null;
}

/**
 * A claim's label for a model as `actual_value` stores it (the class; timeline: resolution days), or null
 * while its row does not hold it. The SQL twin is ACTUAL_SQL in libs/database claim-sql.ts.
 */
export function actualValue(modelType: ModelType, claim: ClaimLabels): string | null {
  switch (modelType) {
    case 'claim_outcome':
      return claim.outcome;
    case 'timeline':
      return claim.resolutionDays === null ? null : String(claim.resolutionDays);
    case 'churn_risk':
      return claim.memberChurned === null ? null : claim.memberChurned ? 'churned' : 'retained';
    case 'assignment':
      return claim.resolvedAt === null ? null : claim.assignedTeam;
  }
}

/**
 * The models whose label a claim's resolution records (labelKnownAt is the resolution): a claim said to be
 * resolved must hold all three in its row. Churn is known CHURN_LABEL_DAYS after filing instead.
 */
export const LABELLED_AT_RESOLUTION = [
  'claim_outcome',
  'timeline',
  'assignment',
] as const satisfies readonly ModelType[];

/** The resolution labels a claim's row does not hold (all of them while it has no `resolvedAt`). */
export function missingResolutionLabels(claim: ClaimLabels): ModelType[] {
  return LABELLED_AT_RESOLUTION.filter((m) => claim.resolvedAt === null || actualValue(m, claim) === null);
}

/** A prediction's filled outcome: the label, whether the answer was right, and when the label became known. */
export interface PredictionOutcome {
  actualValue: string;
  isCorrect: boolean;
  outcomeKnownAt: Date;
}

/**
 * The outcome of one stored prediction as of `asOf` (inclusive), or null while its label is not known then
 * (not in the row yet, or not yet matured: labelKnownAt). What the scorer's bulk updates compute in SQL
 * (libs/database outcomes.ts), one prediction at a time.
 */
export function predictionOutcome(
  modelType: ModelType,
  predictedValue: string,
  claim: ClaimLabels,
  asOf: Date,
): PredictionOutcome | null {
  const actual = actualValue(modelType, claim);
  const knownAt = labelKnownAt(modelType, claim);
  if (actual === null || knownAt === null || knownAt.getTime() > asOf.getTime()) return null;
  return {
    actualValue: actual,
    isCorrect: isRightAnswer(modelType, predictedValue, actual),
    outcomeKnownAt: knownAt,
  };
}
