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
  /**
   * Standard deviation of the outcome's noise (drawOutcome; default OUTCOME_NOISE). Larger puts the models
   * nearer their thresholds: the simulation's `--outcome-noise`, not the seed.requested contract.
   */
  outcomeNoise?: number;
}

export interface SeedSummary {
  tenants: number;
  users: number;
  claims: number;
  predictions: number;
  modelMetadata: number;
  feedback: number;
  /**
   * (tenant, model) pairs given no version 1: fewer labelled claims before its deployment than the
   * model's minTrainingSamples. Absent in runs recorded before it was counted.
   */
  insufficientSamples?: number;
}

/** 70% members, 25% stewards, the rest admins: 50 users give the spec's 35 / 12 / 3. */
export function roleCounts(users: number): { members: number; stewards: number; admins: number } {
  const members = Math.round(users * 0.7);
  const stewards = Math.min(users - members, Math.floor(users * 0.25));
  return { members, stewards, admins: users - members - stewards };
}
