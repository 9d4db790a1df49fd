import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftDecision, EpisodeCondition, EpisodeStatus, ModelType } from '@app/domain';
import { MODEL_TYPES } from '@app/domain';
import { MlAlertAcknowledgment, MlRetrainingNotification } from '../entities/ml.entities';
import { Profile, Tenant } from '../entities/platform.entities';
import { ModelDeployment, ModelValidation, NotificationRecipient } from '../entities/pipeline.entities';
import { ALERT_SEVERITIES } from './notifications';

/**
 * What the operations console (apps/console) reads: the fleet (every tenant's models in one statement),
 * the people who may sign in, the deployment history, the verdicts of a model's runs, alerts and
 * recipients. Every function runs in the caller's transaction, whose tenant scope (row-level security)
 * is the signed-in person's: an admin's queries see their tenant's rows and no other.
 */

export interface TenantListing {
  id: string;
  name: string;
  unionLocal: string;
}

/** The tenants in scope, by id. */
export async function tenantListing(em: EntityManager): Promise<TenantListing[]> {
  const rows = await em.find(Tenant, {}, { orderBy: { id: 'asc' }, disableIdentityMap: true });
  return rows.map((t) => ({ id: t.id, name: t.name, unionLocal: t.unionLocal }));
}

/** A union local's admin (profiles.role = 'admin'): who may sign in to the console for that tenant. */
export interface TenantAdmin {
  userId: string;
  name: string;
  email: string;
  tenantId: string;
  tenantName: string;
}

/** The admins in scope, by tenant then name; `email` narrows to one address (case-insensitive). */
export async function tenantAdmins(em: EntityManager, q: { email?: string } = {}): Promise<TenantAdmin[]> {
  const profiles = await em.find(
    Profile,
    {
      role: 'admin',
      ...(q.email === undefined ? {} : { email: { $ilike: q.email.replace(/[\\%_]/g, (c) => `\\${c}`) } }),
    },
    { orderBy: { tenantId: 'asc', lastName: 'asc', firstName: 'asc' }, disableIdentityMap: true },
  );
  if (profiles.length === 0) return [];
  const tenants = await em.find(
    Tenant,
    { id: { $in: [...new Set(profiles.map((p) => p.tenantId))] } },
    { disableIdentityMap: true },
  );
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return profiles.map((p) => ({
    userId: p.userId,
    name: `${p.firstName} ${p.lastName}`,
    email: p.email,
    tenantId: p.tenantId,
    tenantName: names.get(p.tenantId) ?? p.tenantId,
  }));
}

/** One (tenant, model) of the fleet with what decides its state. */
export interface FleetEntry {
  tenantId: string;
  tenantName: string;
  modelType: ModelType;
  activeVersion: number | null;
  deployedAt: Date | null;
  lastCheck: {
    logicalDate: string;
    decision: DriftDecision;
    maxPsi: number | null;
    maxPsiFeature: string | null;
    realized: { value: number; low: number | null; high: number | null; n: number } | null;
    estimated: { value: number; low: number | null; high: number | null; n: number } | null;
    accuracySource: 'realized' | 'estimated' | null;
    checkedAt: Date;
  } | null;
  openEpisode: {
    id: string;
    condition: EpisodeCondition;
    status: EpisodeStatus;
    startedOn: string;
    lastSeenOn: string;
    endedOn: string | null;
    days: number;
    retrains: number;
  } | null;
  runsInProgress: number;
  unacknowledgedAlerts: number;
}

interface FleetRow {
  tenant_id: string;
  tenant_name: string;
  model_type: ModelType;
  model_version: number | null;
  deployed_at: Date | null;
  logical_date: string | null;
  decision: DriftDecision | null;
  max_psi: number | null;
  max_psi_feature: string | null;
  accuracy: number | null;
  accuracy_low: number | null;
  accuracy_high: number | null;
  labelled_count: number | null;
  estimated_accuracy: number | null;
  estimated_low: number | null;
  estimated_high: number | null;
  estimated_count: number | null;
  accuracy_source: 'realized' | 'estimated' | null;
  checked_at: Date | null;
  episode_id: string | null;
  condition: EpisodeCondition | null;
  episode_status: EpisodeStatus | null;
  started_on: string | null;
  last_seen_on: string | null;
  ended_on: string | null;
  days: number | null;
  retrains: number | null;
  running: number;
  unacked: number;
}

/**
 * The fleet in one statement (SQL on purpose: one row per tenant and model, the last check by the
 * (tenant, model, logical_date) index, the open episode by its partial unique index, runs and
 * unacknowledged alerts counted once for all). `search` matches a tenant's id or name (substring,
 * case-insensitive); `modelType` keeps one model.
 */
const FLEET_SQL = `
  with t as (
    select id, name from tenants
     where cast(? as text) is null or id ilike ? or name ilike ?
  ), m as (
    select t.id as tenant_id, t.name as tenant_name, mt.model_type
      from t cross join unnest(cast(? as text[])) as mt(model_type)
  ), running as (
    select tenant_id, model_type, count(*)::int as n from ml_model_training_runs
     where status in ('queued', 'running') group by 1, 2
  ), unacked as (
    select n.tenant_id, n.model_type, count(*)::int as n from ml_retraining_notifications n
     where n.severity in ('failure', 'warning') and n.model_type is not null
       and not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)
     group by 1, 2
  )
  select m.tenant_id, m.tenant_name, m.model_type, md.model_version, md.deployed_at,
         c.logical_date::text as logical_date, c.decision, c.max_psi, c.max_psi_feature,
         c.accuracy, c.accuracy_low, c.accuracy_high, c.labelled_count,
         c.estimated_accuracy, c.estimated_low, c.estimated_high, c.estimated_count, c.accuracy_source,
         c.created_at as checked_at,
         e.id as episode_id, e.condition, e.status as episode_status, e.started_on::text as started_on,
         e.last_seen_on::text as last_seen_on, e.ended_on::text as ended_on, e.days, e.retrains,
         coalesce(r.n, 0) as running, coalesce(u.n, 0) as unacked
    from m
    left join model_metadata md on md.tenant_id = m.tenant_id and md.model_type = m.model_type and md.is_active
    left join lateral (
      select * from drift_checks d
       where d.tenant_id = m.tenant_id and d.model_type = m.model_type
       order by d.logical_date desc, d.created_at desc limit 1
    ) c on true
    left join lateral (
      select * from drift_episodes e
       where e.tenant_id = m.tenant_id and e.model_type = m.model_type and e.status = 'open' limit 1
    ) e on true
    left join running r on r.tenant_id = m.tenant_id and r.model_type = m.model_type
    left join unacked u on u.tenant_id = m.tenant_id and u.model_type = m.model_type
   order by m.tenant_id, m.model_type`;

function interval(
  value: number | null,
  low: number | null,
  high: number | null,
  n: number | null,
): { value: number; low: number | null; high: number | null; n: number } | null {
  return value === null ? null : { value, low, high, n: n ?? 0 };
}

/** Every tenant's models in scope (all four per tenant, with or without an active version). */
export async function fleetEntries(
  em: EntityManager,
  q: { search?: string; modelType?: ModelType } = {},
): Promise<FleetEntry[]> {
  const search = q.search?.trim() ? `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const models = q.modelType ? [q.modelType] : [...MODEL_TYPES];
  // Row-level security's qualifier (tenant = setting, or setting = '*') makes the planner believe that
  // one check in a hundred survives it, so it reads all of a model's checks and sorts them (1.2 s for
  // 1,000 tenants) instead of taking the first entry of drift_checks_latest walked backwards (50 ms),
  // which is what these two settings leave it (measured with bench:console). Local to this transaction,
  // which runs this statement only.
  await em.execute('set local enable_bitmapscan = off');
  await em.execute('set local enable_sort = off');
  const rows = await em.execute<FleetRow[]>(FLEET_SQL, [search, search, search, `{${models.join(',')}}`]);
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    tenantName: r.tenant_name,
    modelType: r.model_type,
    activeVersion: r.model_version,
    deployedAt: r.deployed_at === null ? null : new Date(r.deployed_at),
    lastCheck:
      r.decision === null || r.logical_date === null || r.checked_at === null
        ? null
        : {
            logicalDate: r.logical_date,
            decision: r.decision,
            maxPsi: r.max_psi,
            maxPsiFeature: r.max_psi_feature,
            realized: interval(r.accuracy, r.accuracy_low, r.accuracy_high, r.labelled_count),
            estimated: interval(r.estimated_accuracy, r.estimated_low, r.estimated_high, r.estimated_count),
            accuracySource: r.accuracy_source,
            checkedAt: new Date(r.checked_at),
          },
    openEpisode:
      r.episode_id === null
        ? null
        : {
            id: r.episode_id,
            condition: r.condition!,
            status: r.episode_status!,
            startedOn: r.started_on!,
            lastSeenOn: r.last_seen_on!,
            endedOn: r.ended_on,
            days: r.days ?? 0,
            retrains: r.retrains ?? 0,
          },
    runsInProgress: Number(r.running),
    unacknowledgedAlerts: Number(r.unacked),
  }));
}

/** One deployment of a model (model_deployments), newest first. */
export interface DeploymentView {
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  trainingRunId: string | null;
  correlationId: string;
  deployedAt: Date;
}

export async function deploymentHistory(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
): Promise<DeploymentView[]> {
  const rows = await em.find(
    ModelDeployment,
    { tenantId, modelType },
    { orderBy: { deployedAt: 'desc' }, disableIdentityMap: true },
  );
  return rows.map((d) => ({
    fromVersion: d.fromVersion,
    toVersion: d.toVersion,
    reason: d.reason,
    trainingRunId: d.trainingRunId,
    correlationId: d.correlationId,
    deployedAt: d.deployedAt,
  }));
}

/** The validator's verdicts on several runs at once, by run id. */
export async function verdictsOfRuns(
  em: EntityManager,
  runIds: readonly string[],
): Promise<Map<string, { passed: boolean; result: Record<string, unknown> }>> {
  if (runIds.length === 0) return new Map();
  const rows = await em.find(
    ModelValidation,
    { trainingRunId: { $in: [...runIds] } },
    { disableIdentityMap: true },
  );
  return new Map(rows.map((v) => [v.trainingRunId, { passed: v.passed, result: v.result }]));
}

/** A warning or failure delivery with its acknowledgment. */
export interface AlertView {
  id: string;
  tenantId: string;
  modelType: ModelType | null;
  severity: 'failure' | 'warning';
  eventType: string;
  subject: string;
  channel: string;
  recipient: string;
  createdAt: Date;
  acknowledged: { by: string; at: Date; note: string | null } | null;
}

async function withAcks(em: EntityManager, rows: MlRetrainingNotification[]): Promise<AlertView[]> {
  const acks =
    rows.length === 0
      ? []
      : await em.find(
          MlAlertAcknowledgment,
          { notificationId: { $in: rows.map((r) => r.id) } },
          { disableIdentityMap: true },
        );
  const byId = new Map(acks.map((a) => [a.notificationId, a]));
  return rows.map((n) => {
    const a = byId.get(n.id);
    return {
      id: n.id,
      tenantId: n.tenantId,
      modelType: n.modelType,
      severity: n.severity as 'failure' | 'warning',
      eventType: n.eventType,
      subject: n.subject,
      channel: n.channel,
      recipient: n.recipient,
      createdAt: n.createdAt,
      acknowledged: a ? { by: a.acknowledgedBy, at: a.acknowledgedAt, note: a.note } : null,
    };
  });
}

const NOT_ACKED = 'not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)';

/**
 * A page of alerts in scope (of one tenant, or all), unacknowledged first, newest first; with the total
 * and the number unacknowledged.
 */
export async function alertsPage(
  em: EntityManager,
  q: { tenantId?: string; unacknowledgedOnly: boolean; limit: number; offset: number },
): Promise<{ rows: AlertView[]; total: number; unacknowledged: number }> {
  const where = {
    severity: { $in: [...ALERT_SEVERITIES] },
    ...(q.tenantId === undefined ? {} : { tenantId: q.tenantId }),
  };
  const base = () => em.createQueryBuilder(MlRetrainingNotification, 'n').where(where);
  const unacknowledged = await base().andWhere(NOT_ACKED).getCount();
  const total = q.unacknowledgedOnly ? unacknowledged : await base().getCount();
  const page = base()
    .select('*')
    .orderBy([
      { [raw(`(case when ${NOT_ACKED} then 0 else 1 end)`)]: 'asc' },
      { createdAt: 'desc', id: 'asc' },
    ])
    .limit(q.limit)
    .offset(q.offset);
  if (q.unacknowledgedOnly) page.andWhere(NOT_ACKED);
  return { rows: await withAcks(em, await page.getResultList()), total, unacknowledged };
}

/** One alert in scope, or null (another tenant's alert is null to an admin, as one that does not exist). */
export async function alertById(em: EntityManager, id: string): Promise<AlertView | null> {
  const n = await em.findOne(
    MlRetrainingNotification,
    { id, severity: { $in: [...ALERT_SEVERITIES] } },
    { disableIdentityMap: true },
  );
  return n ? ((await withAcks(em, [n]))[0] ?? null) : null;
}

/** Alerts in scope created after `after` (the live stream's next batch), oldest first. */
export async function alertsAfter(
  em: EntityManager,
  q: { after: Date; tenantId?: string; limit: number },
): Promise<AlertView[]> {
  const rows = await em.find(
    MlRetrainingNotification,
    {
      severity: { $in: [...ALERT_SEVERITIES] },
      createdAt: { $gt: q.after },
      ...(q.tenantId === undefined ? {} : { tenantId: q.tenantId }),
    },
    { orderBy: { createdAt: 'asc', id: 'asc' }, limit: q.limit, disableIdentityMap: true },
  );
  return withAcks(em, rows);
}

export interface RecipientView {
  id: string;
  tenantId: string;
  name: string;
  channel: string;
  address: string;
  eventKinds: string[];
  active: boolean;
}

/** A tenant's active recipients, by name. */
export async function recipientsOf(em: EntityManager, tenantId: string): Promise<RecipientView[]> {
  const rows = await em.find(
    NotificationRecipient,
    { tenantId, isActive: true },
    { orderBy: { name: 'asc' }, disableIdentityMap: true },
  );
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    channel: r.channel,
    address: r.address,
    eventKinds: r.eventKinds,
    active: r.isActive,
  }));
}

/** The tenant a recipient belongs to (in scope), or null. */
export async function recipientTenant(em: EntityManager, id: string): Promise<string | null> {
  const r = await em.findOne(NotificationRecipient, { id }, { disableIdentityMap: true });
  return r?.tenantId ?? null;
}
