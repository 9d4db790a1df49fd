import { CHURN_LABEL_DAYS, DAYS_PATTERN } from '@app/domain';
import type { FeatureName, ModelType } from '@app/domain';

/**
 * The SQL side of the domain's vocabulary: where each feature lives in `claims`, and each model's label
 * and training target as expressions over `claims` with the condition that says they are known. The
 * domain (libs/domain/src/features.ts) says what the features and labels are; this says how to read them.
 */
export const FEATURE_COLUMNS: Record<FeatureName, string> = {
  member_age: 'member_age',
  case_complexity: 'case_complexity',
  union_tenure_years: 'union_tenure_years',
  claim_type: 'claim_type',
  department: 'department',
  priority: 'priority',
};

export interface ModelLabelSql {
  /** The label as a class (timeline: its bucket), what the seeded predictions and the drift check compare. */
  label: string;
  /** What the trainer learns: the class, or for timeline the number of resolution days. */
  target: string;
  /** True when the claim's label is recorded in its row (the value exists). */
  known: string;
  /**
   * When the label becomes known (a timestamp expression; libs/domain `labelKnownAt` is its twin): a label
   * counts as known at time T when `known` holds and this is at or before T.
   */
  knownAt: string;
}

const TIMELINE_BUCKET = `case when resolution_days <= 30 then 'within_30d' when resolution_days <= 90 then '31_90d' else 'over_90d' end`;

export const LABEL_SQL: Record<ModelType, ModelLabelSql> = {
  claim_outcome: {
    label: 'outcome',
    target: 'outcome',
    known: 'outcome is not null',
    knownAt: 'resolved_at',
  },
  timeline: {
    label: TIMELINE_BUCKET,
    target: 'resolution_days',
    known: 'resolution_days is not null',
    knownAt: 'resolved_at',
  },
  churn_risk: {
    label: `case when member_churned then 'churned' else 'retained' end`,
    target: `case when member_churned then 'churned' else 'retained' end`,
    known: 'member_churned is not null',
    // Whole days of 86,400 s, as labelKnownAt adds them: `days => N` would follow the session time zone's
    // daylight-saving changes and differ from the TS twin by an hour outside UTC.
    knownAt: `filed_at + make_interval(secs => ${CHURN_LABEL_DAYS * 86_400})`,
  },
  assignment: {
    label: 'assigned_team',
    target: 'assigned_team',
    known: 'resolved_at is not null',
    knownAt: 'resolved_at',
  },
};

/** Every feature's column, in FEATURES order, for a select list. */
export const FEATURE_SELECT_LIST = Object.values(FEATURE_COLUMNS).join(', ');

/**
 * A claim's label as `ml_predictions.actual_value` stores it, over `claims` (null while the row does not
 * hold it): the class, or for timeline the resolution days. libs/domain `actualValue` is its twin.
 */
export const ACTUAL_SQL: Record<ModelType, string> = {
  claim_outcome: 'outcome',
  timeline: 'resolution_days::text',
  churn_risk: `case when member_churned then 'churned' when not member_churned then 'retained' end`,
  assignment: 'case when resolved_at is not null then assigned_team end',
};

/**
 * The one definition of a right answer, in SQL: a boolean expression over a stored prediction's text and
 * its actual value's text (ACTUAL_SQL), both SQL expressions. libs/domain `isRightAnswer` is its twin (and
 * the trainer and validator judge hold-outs with it). Timeline: a predicted number of days (DAYS_PATTERN;
 * anything else is never right, and is never cast) within max(7 days, 25%) of the actual days, in float8,
 * as JavaScript computes it.
 */
export const CORRECT_SQL: Record<ModelType, (predicted: string, actual: string) => string> = {
  claim_outcome: (predicted, actual) => `(${predicted} = ${actual})`,
  timeline: (predicted, actual) =>
    `(case when ${predicted} ~ '${DAYS_PATTERN}' and ${actual} ~ '${DAYS_PATTERN}'` +
    ` then abs(${predicted}::float8 - ${actual}::float8) <= greatest(7::float8, 0.25::float8 * ${actual}::float8)` +
    ` else false end)`,
  churn_risk: (predicted, actual) => `(${predicted} = ${actual})`,
  assignment: (predicted, actual) => `(${predicted} = ${actual})`,
};
