import type { ModelType } from './enums';

/** Features the models use and the drift monitor watches; each is a column of `claims` (docs/models.md). */
export const FEATURES = {
  member_age: { kind: 'numeric', column: 'member_age' },
  case_complexity: { kind: 'numeric', column: 'case_complexity' },
  union_tenure_years: { kind: 'numeric', column: 'union_tenure_years' },
  claim_type: { kind: 'categorical', column: 'claim_type' },
  department: { kind: 'categorical', column: 'department' },
  priority: { kind: 'categorical', column: 'priority' },
} as const satisfies Record<string, { kind: 'numeric' | 'categorical'; column: string }>;

export type FeatureName = keyof typeof FEATURES;

/** Timeline buckets of resolution days: the timeline model's label. */
export function timelineBucket(resolutionDays: number): 'within_30d' | '31_90d' | 'over_90d' {
  return resolutionDays <= 30 ? 'within_30d' : resolutionDays <= 90 ? '31_90d' : 'over_90d';
}

/** Each model's label as a SQL expression over `claims`, and when it is known. */
export const LABELS: Record<ModelType, { sql: string; knownSql: string; values: readonly string[] }> = {
  claim_outcome: {
    sql: 'outcome',
    knownSql: 'outcome is not null',
    values: ['won', 'settled', 'lost', 'withdrawn'],
  },
  timeline: {
    sql: `case when resolution_days <= 30 then 'within_30d' when resolution_days <= 90 then '31_90d' else 'over_90d' end`,
    knownSql: 'resolution_days is not null',
    values: ['within_30d', '31_90d', 'over_90d'],
  },
  churn_risk: {
    sql: `case when member_churned then 'churned' else 'retained' end`,
    knownSql: 'member_churned is not null',
    values: ['churned', 'retained'],
  },
  assignment: {
    sql: 'assigned_team',
    knownSql: 'resolved_at is not null',
    values: ['contract', 'safety', 'equity', 'benefits'],
  },
};

/** What each model learns: a class among known labels, or a number of days (timeline). */
export const TRAINING_TARGETS: Record<
  ModelType,
  | { task: 'classification'; sql: string; knownSql: string; classes: readonly string[] }
  | { task: 'regression'; sql: string; knownSql: string }
> = {
  claim_outcome: {
    task: 'classification',
    sql: LABELS.claim_outcome.sql,
    knownSql: LABELS.claim_outcome.knownSql,
    classes: LABELS.claim_outcome.values,
  },
  timeline: { task: 'regression', sql: 'resolution_days', knownSql: LABELS.timeline.knownSql },
  churn_risk: {
    task: 'classification',
    sql: LABELS.churn_risk.sql,
    knownSql: LABELS.churn_risk.knownSql,
    classes: LABELS.churn_risk.values,
  },
  assignment: {
    task: 'classification',
    sql: LABELS.assignment.sql,
    knownSql: LABELS.assignment.knownSql,
    classes: LABELS.assignment.values,
  },
};

/**
 * A timeline prediction counts as right when it is within 7 days or 25% of the actual resolution time,
 * whichever is larger (docs/models.md).
 */
export function timelineWithinTolerance(predictedDays: number, actualDays: number): boolean {
  return Math.abs(predictedDays - actualDays) <= Math.max(7, 0.25 * actualDays);
}
