import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { activeModels, candidateArtifact, Claim, Profile, SeedRun, Tenant } from '@app/database';
import { XGB_LOADABLE_FORMATS } from '@app/ml';
import { SeederError } from './errors';
import type { ProfileRow } from './generator';
import type { ActiveVersion } from './model-seeding';
import type { SeedPlan, SeedSummary } from './seed-plan';

// The seeder's ordinary reads and writes, through MikroORM. Rows themselves go in with COPY
// (copy-writer.ts) on the connection of the same transaction (`copyConnection`).

/** Tables the seeder fills or that hold state derived from them, children first. --reset empties them. */
export const SEEDED_TABLES = [
  'ml_alert_acknowledgments',
  'ml_retraining_notifications',
  // A reset starts the platform's life again: no episode open, no digest sent for a day.
  'alert_items',
  'alert_digests',
  'drift_episodes',
  'member_ai_feedback',
  'analytics_scheduled_reports',
  'benchmark_data',
  'ml_predictions',
  'model_feature_baselines',
  'model_validations',
  'model_deployments',
  'model_artifacts',
  'model_metadata',
  'ml_model_training_runs',
  'drift_checks',
  'scheduled_runs',
  'claims',
  'profiles',
  'notification_recipients',
  'tenants',
  'seed_runs',
] as const;

/**
 * The database connection under `em`'s transaction, for COPY (which MikroORM does not speak). knex pins
 * a transaction to one connection and its transaction client hands out that very connection, so rows
 * streamed here commit or roll back with everything `em` does.
 */
export async function copyConnection(em: EntityManager): Promise<PoolClient> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('COPY needs a transaction: call copyConnection inside em.transactional');
  const client = trx.client as { acquireConnection(): Promise<PoolClient> };
  return client.acquireConnection();
}

/** What a completed seeding run with this id wrote, or null when it never completed. */
export async function completedRun(
  em: EntityManager,
  runId: string,
): Promise<{ summary: SeedSummary; tenantIds: string[] } | null> {
  const run = await em.findOne(
    SeedRun,
    { id: runId, completedAt: { $ne: null } },
    { disableIdentityMap: true },
  );
  if (!run) return null;
  return { summary: run.summary as unknown as SeedSummary, tenantIds: run.tenantIds ?? [] };
}

export async function recordRun(
  em: EntityManager,
  run: { id: string; plan: SeedPlan; summary: SeedSummary; tenantIds: string[]; startedAt: Date },
): Promise<void> {
  await em.insert(SeedRun, {
    id: run.id,
    plan: { ...run.plan, now: run.plan.now.toISOString() },
    summary: { ...run.summary },
    tenantIds: run.tenantIds,
    startedAt: run.startedAt,
    completedAt: new Date(),
  });
}

/** Which of these tenant ids exist already. */
export async function existingTenants(em: EntityManager, ids: readonly string[]): Promise<string[]> {
  const rows = await em.find(
    Tenant,
    { id: { $in: [...ids] } },
    { fields: ['id'], orderBy: { id: 'asc' }, disableIdentityMap: true },
  );
  return rows.map((t) => t.id);
}

/** Tenants (one, or all) with how many claims each has, by id. */
export async function tenantsWithClaimCounts(
  em: EntityManager,
  tenantId?: string,
): Promise<{ id: string; claims: number }[]> {
  const tenants = await em.find(Tenant, tenantId === undefined ? {} : { id: tenantId }, {
    fields: ['id'],
    orderBy: { id: 'asc' },
    disableIdentityMap: true,
  });
  const out: { id: string; claims: number }[] = [];
  for (const t of tenants) out.push({ id: t.id, claims: await em.count(Claim, { tenantId: t.id }) });
  return out;
}

/** A tenant's users, by user id, as the generator draws members and stewards from them. */
export async function profilesOf(em: EntityManager, tenantId: string): Promise<ProfileRow[]> {
  const rows = await em.find(Profile, { tenantId }, { orderBy: { userId: 'asc' }, disableIdentityMap: true });
  return rows.map((p) => ({
    id: p.id,
    tenantId,
    userId: p.userId,
    firstName: p.firstName,
    lastName: p.lastName,
    email: p.email,
    role: p.role,
    department: p.department,
    specialty: p.specialty,
    birth: Date.parse(p.birthDate),
    joined: Date.parse(p.unionJoinedAt),
  }));
}

/** Empties the seeded tables; returns how many rows each held. */
export async function resetSeededTables(em: EntityManager): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const table of SEEDED_TABLES) {
    const [row] = await em.execute<{ n: number }[]>('select count(*)::int as n from ??', [table]);
    deleted[table] = row!.n;
  }
  await em.execute(`truncate table ${SEEDED_TABLES.map((t) => `"${t}"`).join(', ')}`);
  return deleted;
}

/**
 * The tenant's versions in production that have an artifact, with its bytes (checked against its
 * checksum): the models that answer claims added by seed:claims.
 */
export async function activeVersions(em: EntityManager, tenantId: string): Promise<ActiveVersion[]> {
  const versions: ActiveVersion[] = [];
  for (const m of await activeModels(em, tenantId)) {
    if (!m.artifactId) continue;
    const a = await candidateArtifact(em, m.artifactId);
    if (!a) continue;
    if (
      !XGB_LOADABLE_FORMATS.includes(a.format) ||
      createHash('sha256').update(a.content).digest('hex') !== a.checksum
    )
      throw new SeederError(
        'ARTIFACT_CORRUPT',
        `artifact of ${m.modelType} v${m.version} (${tenantId}) fails its checksum or format: refusing to load it`,
      );
    versions.push({
      model: m.modelType,
      version: m.version,
      deployedAt: (m.deployedAt ?? new Date(0)).getTime(),
      accuracy: m.accuracy,
      content: a.content,
    });
  }
  return versions;
}
