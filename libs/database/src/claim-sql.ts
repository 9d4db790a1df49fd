import { CHURN_LABEL_DAYS } from '@app/domain';
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
    knownAt: `filed_at + make_interval(days => ${CHURN_LABEL_DAYS})`,
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
