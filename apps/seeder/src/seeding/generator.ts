import { CLAIM_STATUSES, CLAIM_TYPES, MODEL_TYPES } from '@app/domain';
import type { ClaimOutcome, ClaimStatus, ClaimType, ModelType, UserRole } from '@app/domain';
import type { Random } from './random';
import { DEPARTMENTS, DESCRIPTIONS, FIRST_NAMES, LAST_NAMES, TEAM_FOR_TYPE, TEAMS, UNION_LOCALS } from './pools';
import { roleCounts, SEEDED_PREDICTION_ACCURACY } from './seed-plan';
import type { SeedPlan } from './seed-plan';

// Row generators. Labels depend on the claim's and member's attributes plus noise (docs/models.md), so
// that models trained on seeded data learn something.

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString();
const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface TenantRow { id: string; name: string; union_local: string; region: string; created_at: string }
export interface ProfileRow {
  id: string; tenant_id: string; user_id: string; first_name: string; last_name: string; email: string; role: UserRole;
  department: string; specialty: string | null; birth_date: string; union_joined_at: string; churned_at: string | null; created_at: string;
}
export interface ClaimRow {
  id: string; tenant_id: string; claim_number: string; member_id: string; assigned_steward_id: string | null; claim_type: ClaimType;
  status: ClaimStatus; priority: string; department: string; description: string; case_complexity: number; member_age: number;
  union_tenure_years: number; filed_at: string; resolved_at: string | null; resolution_days: number | null; outcome: ClaimOutcome | null;
  assigned_team: string | null; member_churned: boolean | null; created_at: string;
}
export interface PredictionRow {
  id: string; tenant_id: string; claim_id: string; model_type: ModelType; model_version: number; predicted_value: string; confidence: number;
  actual_value: string | null; is_correct: boolean | null; predicted_at: string; outcome_known_at: string | null; created_at: string;
}

export function tenantRows(plan: SeedPlan): TenantRow[] {
  return Array.from({ length: plan.tenants }, (_, i) => {
    const local = UNION_LOCALS[i % UNION_LOCALS.length]!;
    const round = Math.floor(i / UNION_LOCALS.length);
    return {
      id: `tenant_${plan.seed}_${i}`,
      name: round === 0 ? local.name : `${local.name}-${round + 1}`,
      union_local: local.union,
      region: local.region,
      created_at: iso(new Date(plan.now.getTime() - 400 * DAY)),
    };
  });
}

export function profileRows(plan: SeedPlan, tenantId: string, rnd: Random): ProfileRow[] {
  const { members, stewards } = roleCounts(plan.usersPerTenant);
  return Array.from({ length: plan.usersPerTenant }, (_, i) => {
    const role: UserRole = i < members ? 'member' : i < members + stewards ? 'steward' : 'admin';
    const first = rnd.pick(FIRST_NAMES);
    const last = rnd.pick(LAST_NAMES);
    const age = Math.max(19, Math.min(66, Math.round(rnd.normal(43, 11))));
    const tenure = Math.min(age - 18, Math.max(0, rnd.normal(9, 6)));
    return {
      id: rnd.uuid(),
      tenant_id: tenantId,
      user_id: `mock_user_${tenantId}_${i}`,
      first_name: first,
      last_name: last,
      email: `${first}.${last}.${i}@${tenantId.replace(/_/g, '-')}.example.org`.toLowerCase(),
      role,
      department: rnd.pick(DEPARTMENTS),
      specialty: role === 'steward' ? TEAMS[i % TEAMS.length]! : null,
      birth_date: dateOnly(new Date(plan.now.getTime() - (age * 365.25 + rnd.int(0, 364)) * DAY)),
      union_joined_at: dateOnly(new Date(plan.now.getTime() - tenure * 365.25 * DAY)),
      churned_at: null,
      created_at: iso(new Date(plan.now.getTime() - 400 * DAY)),
    };
  });
}

const TYPE_EFFECT: Record<ClaimType, number> = {
  contract_grievance: 0.6, disciplinary_action: 0.2, wrongful_termination: -0.6, workplace_safety: 0.9, discrimination: -0.4,
  harassment: 0.1, wage_and_hour: 0.8, overtime_dispute: 0.5, benefits_dispute: 0.3, leave_request: 0.7, scheduling_conflict: 0.4,
};

export function claimRows(plan: SeedPlan, tenantId: string, profiles: ProfileRow[], rnd: Random): ClaimRow[] {
  const members = profiles.filter((p) => p.role === 'member');
  const stewards = profiles.filter((p) => p.role === 'steward');
  const drifted = plan.scenario === 'drift';
  return Array.from({ length: plan.claimsPerTenant }, (_, i) => {
    // Filed over the last 15 months; in the drift scenario a third of the claims arrive in the last 30 days.
    const recent = drifted && rnd.chance(0.33);
    const ageDays = recent ? rnd.next() * 30 : rnd.next() * 456;
    const filed = new Date(plan.now.getTime() - ageDays * DAY);
    const member = rnd.pick(members.length > 0 ? members : profiles);
    const birth = new Date(member.birth_date);
    let memberAge = Math.floor((filed.getTime() - birth.getTime()) / (365.25 * DAY));
    let tenure = Math.max(0, (filed.getTime() - new Date(member.union_joined_at).getTime()) / (365.25 * DAY));
    let complexity = Math.max(1, Math.min(10, Math.round(rnd.normal(5, 2))));
    if (recent) {
      // Recent members are younger, newer to the union and bring harder cases.
      memberAge = Math.max(19, Math.round(rnd.normal(27, 4)));
      tenure = Math.max(0, rnd.normal(1.5, 1));
      complexity = Math.max(1, Math.min(10, Math.round(rnd.normal(8, 1.2))));
    }
    const type = rnd.pick(CLAIM_TYPES);
    const ageOfClaim = (plan.now.getTime() - filed.getTime()) / DAY;
    const resolutionDays = Math.max(3, Math.round(8 + 9 * complexity + (TYPE_EFFECT[type] < 0 ? 25 : 0) + rnd.normal(0, 8)));
    const resolved = resolutionDays <= ageOfClaim;
    let status: ClaimStatus;
    let outcome: ClaimOutcome | null = null;
    if (resolved) {
      const score = 1.1 + TYPE_EFFECT[type] - 0.45 * (complexity - 5) + 0.05 * tenure + rnd.normal(0, 0.6);
      outcome = score > 1.2 ? 'won' : score > 0.2 ? 'settled' : rnd.chance(0.15) ? 'withdrawn' : 'lost';
      status = outcome === 'withdrawn' ? 'withdrawn' : rnd.chance(0.6) ? 'closed' : 'resolved';
    } else {
      status = rnd.pick(CLAIM_STATUSES.slice(0, 5));
    }
    const churnKnown = ageOfClaim >= 180 || resolved;
    const churnP = sigmoid(-2.9 + 0.35 * (complexity - 5) - 0.12 * (tenure - 8) + (outcome === 'lost' ? 1.4 : 0));
    const resolvedAt = resolved ? new Date(filed.getTime() + resolutionDays * DAY) : null;
    const team = rnd.chance(0.9) ? TEAM_FOR_TYPE[type] : rnd.pick(TEAMS);
    const steward = stewards.find((s) => s.specialty === team) ?? (stewards.length > 0 ? rnd.pick(stewards) : null);
    return {
      id: rnd.uuid(),
      tenant_id: tenantId,
      claim_number: `CLM-${tenantId.split('_').slice(-1)[0]}-${String(i + 1).padStart(6, '0')}`,
      member_id: member.id,
      assigned_steward_id: steward?.id ?? null,
      claim_type: type,
      status,
      priority: complexity >= 8 ? 'high' : complexity >= 4 ? 'medium' : 'low',
      department: member.department,
      description: rnd.pick(DESCRIPTIONS[type]),
      case_complexity: complexity,
      member_age: memberAge,
      union_tenure_years: Math.round(tenure * 10) / 10,
      filed_at: iso(filed),
      resolved_at: resolvedAt ? iso(resolvedAt) : null,
      resolution_days: resolved ? resolutionDays : null,
      outcome,
      assigned_team: team,
      member_churned: churnKnown ? rnd.chance(churnP) : null,
      created_at: iso(filed),
    };
  });
}

function actualValue(model: ModelType, c: ClaimRow): string | null {
  switch (model) {
    case 'claim_outcome':
      return c.outcome;
    case 'timeline':
      return c.resolution_days === null ? null : c.resolution_days <= 30 ? 'within_30d' : c.resolution_days <= 90 ? '31_90d' : 'over_90d';
    case 'churn_risk':
      return c.member_churned === null ? null : c.member_churned ? 'churned' : 'retained';
    case 'assignment':
      return c.assigned_team;
  }
}

const LABELS: Record<ModelType, readonly string[]> = {
  claim_outcome: ['won', 'settled', 'lost', 'withdrawn'],
  timeline: ['within_30d', '31_90d', 'over_90d'],
  churn_risk: ['churned', 'retained'],
  assignment: TEAMS,
};

/** Predictions of the version-1 models for 60% of claims, one per model type. */
export function predictionRows(plan: SeedPlan, claims: ClaimRow[], rnd: Random): PredictionRow[] {
  const rows: PredictionRow[] = [];
  const withPredictions = Math.round(claims.length * 0.6);
  for (const c of claims.slice(0, withPredictions)) {
    for (const model of MODEL_TYPES) {
      const actual = actualValue(model, c);
      const correct = actual === null ? null : rnd.chance(SEEDED_PREDICTION_ACCURACY[model]);
      const wrong = LABELS[model].filter((l) => l !== actual);
      const predicted = actual === null ? rnd.pick(LABELS[model]) : correct ? actual : rnd.pick(wrong);
      const knownAt = actual === null ? null : c.resolved_at ?? iso(new Date(Math.min(plan.now.getTime(), new Date(c.filed_at).getTime() + 180 * DAY)));
      rows.push({
        id: rnd.uuid(),
        tenant_id: c.tenant_id,
        claim_id: c.id,
        model_type: model,
        model_version: 1,
        predicted_value: predicted,
        confidence: Math.round((0.7 + rnd.next() * 0.25) * 1000) / 1000,
        actual_value: actual,
        is_correct: correct,
        predicted_at: c.filed_at,
        outcome_known_at: knownAt,
        created_at: c.filed_at,
      });
    }
  }
  return rows;
}
