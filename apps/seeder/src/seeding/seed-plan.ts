/** What to seed; validated by the CLI and by the seed.requested contract before anything runs. */
export interface SeedPlan {
  tenants: number;
  usersPerTenant: number;
  claimsPerTenant: number;
  seed: number;
  scenario: 'default' | 'drift';
  reset: boolean;
  /** Reference "now" (seeded dates are relative to it); fixed in tests for identical rows. */
  now: Date;
}

export interface SeedSummary {
  tenants: number;
  users: number;
  claims: number;
  predictions: number;
  modelMetadata: number;
  feedback: number;
}

/** Per-model share of correct seeded predictions; they average the spec's 80% (docs/models.md). */
export const SEEDED_PREDICTION_ACCURACY = {
  claim_outcome: 0.82,
  timeline: 0.8,
  churn_risk: 0.83,
  assignment: 0.75,
} as const;

/** 70% members, 25% stewards, the rest admins: 50 users give the spec's 35 / 12 / 3. */
export function roleCounts(users: number): { members: number; stewards: number; admins: number } {
  const members = Math.round(users * 0.7);
  const stewards = Math.min(users - members, Math.floor(users * 0.25));
  return { members, stewards, admins: users - members - stewards };
}

/** Share of correct predictions among outcomes learnt in the drift window (drift scenario). */
export const DRIFTED_PREDICTION_ACCURACY = 0.55;
