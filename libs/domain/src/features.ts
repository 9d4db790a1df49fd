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
