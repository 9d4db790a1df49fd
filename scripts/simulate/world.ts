import { CHURN_LABEL_DAYS, CLAIM_TYPES, MODEL_TYPES } from '@app/domain';
import type { ClaimOutcome, ClaimType, ModelType } from '@app/domain';
import {
  churnProbability,
  DAY,
  drawOutcome,
  OUTCOME_NOISE,
  drawResolutionDays,
  drawShiftedClaimant,
  drawTeam,
  priorityOf,
} from '../../apps/seeder/src/seeding/generator';
import { DESCRIPTIONS, TEAM_FOR_TYPE } from '../../apps/seeder/src/seeding/pools';
import type { TEAMS } from '../../apps/seeder/src/seeding/pools';
import { Random } from '../../apps/seeder/src/seeding/random';

// The simulator's ground truth: what happens to each tenant's claims from the day its drift starts. The
// relationships themselves are the seeder's (apps/seeder/src/seeding/generator.ts): a simulated day
// continues the seeded history it follows.

export const SCENARIOS = ['steady', 'covariate', 'concept'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * Which models a scenario affects (their inputs, or the relationship they learn, change):
 * - covariate: new kinds of members (younger, new to the union, harder cases); every model reads age,
 *   complexity and tenure, so every model's inputs move, while the relationships stay as they were;
 * - concept: the same members and claims; outcomes turn against members (claim_outcome), the union
 *   reorganises which team handles what (assignment), and churn follows lost claims (churn_risk).
 *   Resolution times do not change: timeline is not affected.
 */
export function affectedModels(scenario: Scenario): ReadonlySet<ModelType> {
  switch (scenario) {
    case 'steady':
      return new Set();
    case 'covariate':
      return new Set(MODEL_TYPES);
    case 'concept':
      return new Set<ModelType>(['claim_outcome', 'assignment', 'churn_risk']);
  }
}

/**
 * Days from the drift's start before any evidence of it can exist for this model. Input drift is in the
 * claims as they are filed (0). A changed relationship shows only in labels: the quickest claims resolve
 * within days (0 here: the detection delay itself measures it), but churn is known CHURN_LABEL_DAYS after
 * filing, so no check can see churn's concept drift before then, whatever it does.
 */
export function evidenceDelayDays(scenario: Scenario, model: ModelType): number {
  return scenario === 'concept' && model === 'churn_risk' ? CHURN_LABEL_DAYS : 0;
}

/** After the reorganisation (concept drift), these claim types go to another team. */
const REORGANISED_TEAMS: Record<ClaimType, (typeof TEAMS)[number]> = {
  ...TEAM_FOR_TYPE,
  scheduling_conflict: 'benefits',
  disciplinary_action: 'equity',
  leave_request: 'contract',
  overtime_dispute: 'contract',
};

/**
 * A member as their claims show them. Age and tenure stay as seeded: the seeder's population is
 * stationary (members join and leave, so claimants' ages and tenures keep their distribution; see
 * apps/seeder/src/seeding/generator.ts), and the simulation continues it. Ageing the same few dozen
 * members through 180 days instead would be input drift of its own: with 35 members per tenant, one
 * birthday moves 3% of the claims across an age bin of the frozen baseline.
 */
export interface Member {
  id: string;
  department: string;
  age: number;
  tenure: number;
}

/** A claim as the claims application files it, with what the future holds for it. */
export interface SimClaim {
  id: string;
  tenantId: string;
  claimNumber: string;
  memberId: string;
  type: ClaimType;
  priority: string;
  department: string;
  description: string;
  complexity: number;
  memberAge: number;
  tenure: number;
  filedAt: Date;
  /** Known to the simulator at filing, recorded in the row only when `resolvedAt` comes. */
  resolvedAt: Date;
  resolutionDays: number;
  outcome: ClaimOutcome;
  team: string;
  /** Whether the member leaves within 180 days: written at filing, a label only after 180 days. */
  churned: boolean;
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

/** One tenant's claims, day after day, from one seeded generator (the same arguments give the same claims). */
export class TenantWorld {
  private readonly rnd: Random;
  private filed = 0;

  constructor(
    readonly tenantId: string,
    readonly scenario: Scenario,
    /** First drifted day (0-based), or null (steady). */
    readonly driftStartDay: number | null,
    private readonly members: readonly Member[],
    seed: number,
    /** The outcome noise (drawOutcome's; the seeded history's too). */
    private readonly outcomeNoise: number = OUTCOME_NOISE,
  ) {
    if (members.length === 0) throw new Error(`${tenantId} has no members to file claims`);
    this.rnd = new Random(seed);
  }

  /** The claims filed on simulated day `day` (0-based) starting at `dayStart`, spread over its hours. */
  claimsOn(day: number, dayStart: Date, count: number): SimClaim[] {
    const drifted = this.driftStartDay !== null && day >= this.driftStartDay;
    return Array.from({ length: count }, () => this.claim(dayStart, drifted));
  }

  private claim(dayStart: Date, drifted: boolean): SimClaim {
    const rnd = this.rnd;
    const filedAt = new Date(dayStart.getTime() + Math.floor(rnd.next() * (DAY - 1000)));
    const member = rnd.pick(this.members);
    let memberAge = member.age;
    let tenure = member.tenure;
    let complexity = clamp(Math.round(rnd.normal(5, 2)), 1, 10);
    // The seeder's drift: younger members, new to the union, with harder cases.
    if (drifted && this.scenario === 'covariate')
      ({ memberAge, tenure, complexity } = drawShiftedClaimant(rnd));
    const concept = drifted && this.scenario === 'concept';
    const type = rnd.pick(CLAIM_TYPES);
    const resolutionDays = drawResolutionDays(type, complexity, rnd);
    const outcome = drawOutcome(type, complexity, tenure, concept ? -0.9 : 0, rnd, this.outcomeNoise);
    const team = drawTeam(type, rnd, concept ? REORGANISED_TEAMS : TEAM_FOR_TYPE);
    const churned = rnd.chance(churnProbability(complexity, tenure, outcome));
    this.filed += 1;
    return {
      id: rnd.uuid(),
      tenantId: this.tenantId,
      claimNumber: `SIM-${this.tenantId.split('_').pop()}-${String(this.filed).padStart(7, '0')}`,
      memberId: member.id,
      type,
      priority: priorityOf(complexity),
      department: member.department,
      description: rnd.pick(DESCRIPTIONS[type]),
      complexity,
      memberAge,
      tenure: Math.round(tenure * 10) / 10,
      filedAt,
      resolvedAt: new Date(filedAt.getTime() + resolutionDays * DAY),
      resolutionDays,
      outcome,
      team,
      churned,
    };
  }
}

/**
 * The seed of a tenant's simulated days: a hash of (seed, tenant), so that its stream of draws (ids
 * included) never replays one of the seeder's, whose seeds are small sums of the same numbers.
 */
export function worldSeed(seed: number, tenantId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `simulate:${seed}:${tenantId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** The scenario of tenant `i` (0-based): one for all, or `mixed`: steady, covariate and concept in turn. */
export function scenarioOf(i: number, scenario: Scenario | 'mixed'): Scenario {
  return scenario === 'mixed' ? SCENARIOS[i % SCENARIOS.length]! : scenario;
}
