import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftDecision, EpisodeCondition, EpisodeStatus, ModelType } from '@app/domain';
import { MODEL_TYPES } from '@app/domain';
import { Profile, Tenant } from '../entities/platform.entities';
import { ModelDeployment, ModelValidation, NotificationRecipient } from '../entities/pipeline.entities';

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
  /** The version on trial as the shadow challenger (issue 19), if one runs. */
  challengerVersion: number | null;
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
  challenger_version: number | null;
}

/**
 * The fleet in one statement (SQL on purpose: one row per tenant and model, the last check by the
 * (tenant, model, logical_date) index, the open episode by its partial unique index, runs and
 * unacknowledged alerts counted once for all, the running challenger by its partial unique index). `search` matches a tenant's id or name (substring,
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
  ), alerts as (
    -- One alert per message told (an event's deliveries), acknowledged when any delivery is.
    select n.tenant_id, n.event_id, min(n.model_type) as model_type,
           bool_or(exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)) as acked
      from ml_retraining_notifications n
     where n.severity in ('failure', 'warning')
     group by 1, 2
  ), unacked as (
    -- A model's own alerts, and the daily digests that list it.
    select al.tenant_id, coalesce(al.model_type, dm.model_type) as model_type, count(*)::int as n
      from alerts al
      left join alert_digests d on al.model_type is null and d.id = al.event_id
      left join lateral jsonb_array_elements_text(d.models) as dm(model_type) on true
     where not al.acked and coalesce(al.model_type, dm.model_type) is not null
     group by 1, 2
  )
  select m.tenant_id, m.tenant_name, m.model_type, md.model_version, md.deployed_at,
         c.logical_date::text as logical_date, c.decision, c.max_psi, c.max_psi_feature,
         c.accuracy, c.accuracy_low, c.accuracy_high, c.labelled_count,
         c.estimated_accuracy, c.estimated_low, c.estimated_high, c.estimated_count, c.accuracy_source,
         c.created_at as checked_at,
         e.id as episode_id, e.condition, e.status as episode_status, e.started_on::text as started_on,
         e.last_seen_on::text as last_seen_on, e.ended_on::text as ended_on, e.days, e.retrains,
         coalesce(r.n, 0) as running, coalesce(u.n, 0) as unacked,
         (select ch.challenger_version from model_challengers ch
           where ch.tenant_id = m.tenant_id and ch.model_type = m.model_type and ch.state = 'running') as challenger_version
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
    challengerVersion: r.challenger_version,
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
  /** A promotion's evidence as the validator stored it (the shadow trial's figures); null otherwise. */
  evidence: Record<string, unknown> | null;
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
    evidence: d.evidence,
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

/**
 * An alert: one warning or failure message (one event the notifier told of: a digest, a failed training,
 * a rejected candidate) with every delivery of it (channel and recipient), acknowledged when any of them
 * is (the first acknowledgement stands).
 */
export interface AlertView {
  /** The event told of (ml_retraining_notifications.event_id): one alert, whatever its deliveries. */
  id: string;
  tenantId: string;
  modelType: ModelType | null;
  /** The models it concerns: its own, or those a daily digest lists. */
  models: ModelType[];
  severity: 'failure' | 'warning';
  eventType: string;
  subject: string;
  createdAt: Date;
  deliveries: { id: string; channel: string; recipient: string; status: string }[];
  acknowledged: { by: string; at: Date; note: string | null } | null;
}

interface AlertGroupRow {
  event_id: string;
  tenant_id: string;
  model_type: ModelType | null;
  models: ModelType[] | null;
  severity: 'failure' | 'warning';
  event_type: string;
  subject: string;
  created_at: Date;
  deliveries: { id: string; channel: string; recipient: string; status: string }[];
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  note: string | null;
}

/**
 * Warning and failure deliveries grouped into alerts (SQL on purpose: a grouping with its first
 * acknowledgement), in the caller's scope. `where` adds conditions on the deliveries `n`; its `?` are
 * `params`' first values.
 */
function alertGroupsSql(where: string, tail: string): string {
  return `
    with g as (
      select n.event_id, n.tenant_id, min(n.model_type) as model_type, min(n.event_type) as event_type,
             min(n.severity) as severity, min(n.subject) as subject, min(n.created_at) as created_at,
             array_agg(n.id) as ids,
             jsonb_agg(jsonb_build_object('id', n.id, 'channel', n.channel, 'recipient', n.recipient, 'status', n.status)
                       order by n.channel, n.recipient) as deliveries
        from ml_retraining_notifications n
       where n.severity in ('failure', 'warning') ${where}
       group by n.event_id, n.tenant_id
    )
    select g.event_id, g.tenant_id, g.model_type, d.models, g.severity, g.event_type, g.subject, g.created_at,
           g.deliveries, a.acknowledged_by, a.acknowledged_at, a.note
      from g
      left join alert_digests d on d.id = g.event_id
      left join lateral (
        select x.acknowledged_by, x.acknowledged_at, x.note from ml_alert_acknowledgments x
         where x.notification_id = any(g.ids) order by x.acknowledged_at limit 1
      ) a on true
     ${tail}`;
}

function toAlert(r: AlertGroupRow): AlertView {
  return {
    id: r.event_id,
    tenantId: r.tenant_id,
    modelType: r.model_type,
    models: r.model_type ? [r.model_type] : (r.models ?? []),
    severity: r.severity,
    eventType: r.event_type,
    subject: r.subject,
    createdAt: new Date(r.created_at),
    deliveries: r.deliveries,
    acknowledged:
      r.acknowledged_by === null || r.acknowledged_at === null
        ? null
        : { by: r.acknowledged_by, at: new Date(r.acknowledged_at), note: r.note },
  };
}

/**
 * A page of alerts in scope (of one tenant, or all), unacknowledged first, newest first; with the number
 * of alerts and of unacknowledged ones.
 */
export async function alertsPage(
  em: EntityManager,
  q: { tenantId?: string; unacknowledgedOnly: boolean; limit: number; offset: number },
): Promise<{ rows: AlertView[]; total: number; unacknowledged: number }> {
  const tenant = q.tenantId ?? null;
  const where = 'and (cast(? as text) is null or n.tenant_id = ?)';
  const [counts] = await em.execute<{ total: number; unacked: number }[]>(
    `select count(*)::int as total, (count(*) filter (where acknowledged_by is null))::int as unacked
       from (${alertGroupsSql(where, '')}) x`,
    [tenant, tenant],
  );
  const rows = await em.execute<AlertGroupRow[]>(
    alertGroupsSql(
      where,
      `where (not cast(? as boolean) or a.acknowledged_by is null)
       order by (a.acknowledged_by is null) desc, g.created_at desc, g.event_id limit ? offset ?`,
    ),
    [tenant, tenant, q.unacknowledgedOnly, q.limit, q.offset],
  );
  const total = q.unacknowledgedOnly ? (counts?.unacked ?? 0) : (counts?.total ?? 0);
  return { rows: rows.map(toAlert), total, unacknowledged: counts?.unacked ?? 0 };
}

/** One alert in scope by its event id, or null (another tenant's is null to an admin, as one that does not exist). */
export async function alertById(em: EntityManager, id: string): Promise<AlertView | null> {
  const [row] = await em.execute<AlertGroupRow[]>(alertGroupsSql('and n.event_id = ?', ''), [id]);
  return row ? toAlert(row) : null;
}

/** Alerts in scope first told after `after` (the live stream's next batch), oldest first. */
export async function alertsAfter(
  em: EntityManager,
  q: { after: Date; tenantId?: string; limit: number },
): Promise<AlertView[]> {
  const tenant = q.tenantId ?? null;
  const rows = await em.execute<AlertGroupRow[]>(
    alertGroupsSql(
      'and (cast(? as text) is null or n.tenant_id = ?)',
      'where g.created_at > ? order by g.created_at, g.event_id limit ?',
    ),
    [tenant, tenant, q.after, q.limit],
  );
  return rows.map(toAlert);
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
