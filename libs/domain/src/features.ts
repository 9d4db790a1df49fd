import type { ModelType } from './enums';

/**
 * Features the models use and the drift monitor watches (docs/models.md). Each is a column of `claims`;
 * libs/database/src/claim-sql.ts says which.
 */
export const FEATURES = {
  member_age: { kind: 'numeric' },
  case_complexity: { kind: 'numeric' },
  union_tenure_years: { kind: 'numeric' },
  claim_type: { kind: 'categorical' },
  department: { kind: 'categorical' },
  priority: { kind: 'categorical' },
} as const satisfies Record<string, { kind: 'numeric' | 'categorical' }>;

export type FeatureName = keyof typeof FEATURES;

/** Timeline buckets of resolution days: the timeline model's label. */
export function timelineBucket(resolutionDays: number): 'within_30d' | '31_90d' | 'over_90d' {
  return resolutionDays <= 30 ? 'within_30d' : resolutionDays <= 90 ? '31_90d' : 'over_90d';
}

/** Each model's label values (timeline: its buckets). The SQL that reads them: libs/database/src/claim-sql.ts. */
export const LABEL_VALUES: Record<ModelType, readonly string[]> = {
  claim_outcome: ['won', 'settled', 'lost', 'withdrawn'],
  timeline: ['within_30d', '31_90d', 'over_90d'],
  churn_risk: ['churned', 'retained'],
  assignment: ['contract', 'safety', 'equity', 'benefits'],
};

/** What each model learns: a class among known labels, or a number of days (timeline). */
export const TRAINING_TARGETS: Record<
  ModelType,
  { task: 'classification'; classes: readonly string[] } | { task: 'regression' }
> = {
  claim_outcome: { task: 'classification', classes: LABEL_VALUES.claim_outcome },
  timeline: { task: 'regression' },
  churn_risk: { task: 'classification', classes: LABEL_VALUES.churn_risk },
  assignment: { task: 'classification', classes: LABEL_VALUES.assignment },
};

/** The tolerance of a right timeline answer: max(minDays, share x the actual time). */
export const TIMELINE_TOLERANCE = { minDays: 7, share: 0.25 } as const;

/**
 * A timeline prediction counts as right when it is within 7 days or 25% of the actual resolution time,
 * whichever is larger (docs/models.md).
 */
export function timelineWithinTolerance(predictedDays: number, actualDays: number): boolean {
  const { minDays, share } = TIMELINE_TOLERANCE;
  return Math.abs(predictedDays - actualDays) <= Math.max(minDays, share * actualDays);
}

/**
 * A member's churn is known 180 days after the claim was filed (docs/models.md): until then "retained"
 * is not a label yet.
 */
export const CHURN_LABEL_DAYS = 180;

/**
 * When a claim's label becomes known, for each model: at its resolution (outcome, resolution time and the
 * team that handled it are recorded then), or CHURN_LABEL_DAYS after filing for churn. The one rule of
 * label time: training data, the hold-out, the scorer's outcomes and realized accuracy all count a label
 * as known at time T when this is at or before T. The SQL twin is LABEL_SQL[model].knownAt.
 */
export function labelKnownAt(
  modelType: ModelType,
  claim: { filedAt: Date; resolvedAt: Date | null },
): Date | null {
  const at = labelKnownAtMs(modelType, claim.filedAt.getTime(), claim.resolvedAt?.getTime() ?? null);
  return at === null ? null : new Date(at);
}

/** labelKnownAt in epoch milliseconds, without a Date per claim (the seeder asks it of millions). */
export function labelKnownAtMs(
  modelType: ModelType,
  filedMs: number,
  resolvedMs: number | null,
): number | null {
  if (modelType === 'churn_risk') return filedMs + CHURN_LABEL_DAYS * 86_400_000;
  return resolvedMs;
}

/**
 * The instant a logical date (YYYY-MM-DD, UTC) ends: its last millisecond. The pipeline works "as of" the
 * logical date of the check that set it going, never as of the wall clock (a simulation replays past days):
 * a label counts for that date when `labelKnownAt` is at or before this instant.
 */
export function endOfLogicalDate(logicalDate: string): Date {
  const start = Date.parse(`${logicalDate}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(logicalDate) || Number.isNaN(start))
    throw new RangeError(`not a logical date (YYYY-MM-DD): ${logicalDate}`);
  return new Date(start + 86_400_000 - 1);
}
