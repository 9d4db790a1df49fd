import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { ClaimOutcome, ClaimStatus, ClaimType, UserRole } from '@app/domain';

// Platform reference data: tenants, people and their claims. Owned by the seeder; read by the ML services.

@Entity({ tableName: 'tenants' })
export class Tenant {
  /** Text id, e.g. `tenant_1735689600000_0` as in the spec's sample output. */
  @PrimaryKey({ type: 'text' })
  id: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  unionLocal: string;

  @Property({ type: 'text', nullable: true })
  region: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'profiles' })
@Unique({ properties: ['tenantId', 'userId'] })
@Index({ properties: ['tenantId', 'role'] })
export class Profile {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Tenant, { mapToPk: true, fieldName: 'tenant_id', deleteRule: 'cascade' })
  tenantId: string;

  /** Identity-provider user id; seeded ones are mock Clerk ids prefixed `mock_user_`. */
  @Property({ type: 'text' })
  userId: string;

  @Property({ type: 'text' })
  firstName: string;

  @Property({ type: 'text' })
  lastName: string;

  @Property({ type: 'text' })
  email: string;

  @Property({ type: 'text' })
  role: UserRole;

  @Property({ type: 'text' })
  department: string;

  /** Steward specialty (the team a claim can be assigned to); null for members and admins. */
  @Property({ type: 'text', nullable: true })
  specialty: string | null = null;

  @Property({ type: 'date' })
  birthDate: string;

  @Property({ type: 'date' })
  unionJoinedAt: string;

  /** When the member left the union, if they did (label source for churn_risk). */
  @Property({ type: 'datetime', nullable: true })
  churnedAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'claims' })
// A tenant's recent claims with their features and labels, read without visiting the table (the drift
// monitor's windows and new labels: Migration20261201000000ClaimsWindowIndex says why).
@Index({
  name: 'claims_window',
  expression:
    'create index "claims_window" on "claims" ("tenant_id", "filed_at") include ("member_age", "case_complexity", "union_tenure_years", "claim_type", "department", "priority", "resolved_at", "resolution_days", "outcome", "member_churned", "assigned_team")',
})
@Index({ properties: ['tenantId', 'status'] })
export class Claim {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Tenant, { mapToPk: true, fieldName: 'tenant_id', deleteRule: 'cascade' })
  tenantId: string;

  @Property({ type: 'text' })
  claimNumber: string;

  @ManyToOne(() => Profile, { mapToPk: true, fieldName: 'member_id', deleteRule: 'cascade' })
  memberId: string;

  @ManyToOne(() => Profile, {
    mapToPk: true,
    fieldName: 'assigned_steward_id',
    nullable: true,
    deleteRule: 'set null',
  })
  assignedStewardId: string | null = null;

  @Property({ type: 'text' })
  claimType: ClaimType;

  @Property({ type: 'text' })
  status: ClaimStatus;

  @Property({ type: 'text' })
  priority: string;

  @Property({ type: 'text' })
  department: string;

  @Property({ type: 'text' })
  description: string;

  /** Case complexity score 1..10 (a key drift feature). */
  @Property({ type: 'smallint' })
  caseComplexity: number;

  /** Member's age when the claim was filed (a key drift feature). */
  @Property({ type: 'smallint' })
  memberAge: number;

  /** Member's union tenure in years when the claim was filed (a key drift feature). */
  @Property({ type: 'double' })
  unionTenureYears: number;

  @Property({ type: 'datetime' })
  filedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  resolutionDays: number | null = null;

  @Property({ type: 'text', nullable: true })
  outcome: ClaimOutcome | null = null;

  /** Team the claim was (rightly) handled by: the label of the assignment model. */
  @Property({ type: 'text', nullable: true })
  assignedTeam: string | null = null;

  /** Whether the member left the union within 180 days of filing; null while unknown. */
  @Property({ type: 'boolean', nullable: true })
  memberChurned: boolean | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'benchmark_data' })
@Index({ properties: ['tenantId', 'metricName', 'periodStart'] })
export class BenchmarkData {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Tenant, { mapToPk: true, fieldName: 'tenant_id', deleteRule: 'cascade' })
  tenantId: string;

  /** resolution_time, claim_volume or member_satisfaction. */
  @Property({ type: 'text' })
  metricName: string;

  @Property({ type: 'date' })
  periodStart: string;

  @Property({ type: 'date' })
  periodEnd: string;

  @Property({ type: 'double' })
  value: number;

  @Property({ type: 'text' })
  unit: string;

  @Property({ type: 'integer' })
  sampleSize: number;

  /** What the value is compared with, e.g. `sector_median`. */
  @Property({ type: 'text', nullable: true })
  comparisonGroup: string | null = null;

  @Property({ type: 'double', nullable: true })
  comparisonValue: number | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'analytics_scheduled_reports' })
export class AnalyticsScheduledReport {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Tenant, { mapToPk: true, fieldName: 'tenant_id', deleteRule: 'cascade' })
  tenantId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  reportType: string;

  @Property({ type: 'text' })
  scheduleCron: string;

  @Property({ type: 'text', default: 'UTC' })
  timezone: string & Opt = 'UTC';

  @Property({ type: 'text' })
  format: string;

  @Property({ type: 'json' })
  recipients: string[];

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;

  @Property({ type: 'datetime', nullable: true })
  nextRunAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastRunAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'member_ai_feedback' })
@Index({ properties: ['tenantId', 'feedbackCategory'] })
export class MemberAiFeedback {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Tenant, { mapToPk: true, fieldName: 'tenant_id', deleteRule: 'cascade' })
  tenantId: string;

  @ManyToOne(() => Profile, { mapToPk: true, fieldName: 'member_id', nullable: true, deleteRule: 'set null' })
  memberId: string | null = null;

  /** The prediction the feedback is about, when there is one (no FK: predictions are ML telemetry). */
  @Property({ type: 'uuid', nullable: true })
  predictionId: string | null = null;

  @Property({ type: 'text' })
  feedbackCategory: string;

  @Property({ type: 'smallint' })
  rating: number;

  @Property({ type: 'text' })
  comment: string;

  /** open, in_review or resolved. */
  @Property({ type: 'text' })
  status: string;

  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
