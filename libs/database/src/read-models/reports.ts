import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftDecision, ModelType } from '@app/domain';
import { MlRetrainingNotification } from '../entities/ml.entities';
import { Tenant } from '../entities/platform.entities';

/**
 * Operator reports (the CLI, the demo's report): read-only views that join several owners' tables, for
 * people rather than for a service's decisions. The aggregating ones are SQL on purpose, with `?`
 * placeholders and a typed mapper each. Through `em.execute` timestamps arrive as text and parameters
 * are inlined by MikroORM: no literal question mark in this SQL, and `in (?)` only with a non-empty list.
 */

const toDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const toDateOrNull = (v: string | Date | null): Date | null => (v === null ? null : toDate(v));

/** The tenants, or the one asked for when it exists, by id. */
export async function tenantIds(em: EntityManager, only?: string): Promise<string[]> {
  const rows = await em.find(Tenant, only === undefined ? {} : { id: only }, {
    fields: ['id'],
    orderBy: { id: 'asc' },
    disableIdentityMap: true,
  });
  return rows.map((t) => t.id);
}

export interface ModelStatus {
  tenantId: string;
  modelType: ModelType;
  activeVersion: number;
  baselineAccuracy: number;
  deployedAt: Date | null;
  /** The latest drift check of the model, whatever its version. */
  lastCheck: { decision: DriftDecision; checkedAt: Date; maxPsi: number | null } | null;
  /** Training runs queued or running. */
  runsInProgress: number;
  /** Failure and warning notifications nobody has acknowledged. */
  unacknowledgedAlerts: number;
}

interface ModelStatusRow {
  tenant_id: string;
  model_type: ModelType;
  model_version: number;
  baseline_accuracy: number;
  deployed_at: string | null;
  decision: DriftDecision | null;
  checked_at: string | null;
  max_psi: number | null;
  running: number;
  unacked: number;
}

const MODEL_STATUS_SQL = `
  select m.tenant_id, m.model_type, m.model_version, m.baseline_accuracy, m.deployed_at,
         c.decision, c.created_at as checked_at, c.max_psi,
         (select count(*)::int from ml_model_training_runs r
           where r.tenant_id = m.tenant_id and r.model_type = m.model_type and r.status in ('queued', 'running')) as running,
         (select count(*)::int from ml_retraining_notifications n
           where n.tenant_id = m.tenant_id and n.model_type = m.model_type and n.severity in ('failure', 'warning')
             and not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)) as unacked
    from model_metadata m
    left join lateral (select decision, created_at, max_psi from drift_checks d
                        where d.tenant_id = m.tenant_id and d.model_type = m.model_type
                        order by created_at desc limit 1) c on true
   where m.is_active and (?::text is null or m.tenant_id = ?)
   order by m.tenant_id, m.model_type`;

/** Every active model (of one tenant, or all): its version, last check, runs in progress, open alerts. */
export async function modelStatus(em: EntityManager, tenantId?: string): Promise<ModelStatus[]> {
  const rows = await em.execute<ModelStatusRow[]>(MODEL_STATUS_SQL, [tenantId ?? null, tenantId ?? null]);
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    modelType: r.model_type,
    activeVersion: r.model_version,
    baselineAccuracy: r.baseline_accuracy,
    deployedAt: toDateOrNull(r.deployed_at),
    lastCheck:
      r.decision !== null && r.checked_at !== null
        ? { decision: r.decision, checkedAt: toDate(r.checked_at), maxPsi: r.max_psi }
        : null,
    runsInProgress: r.running,
    unacknowledgedAlerts: r.unacked,
  }));
}

/** How many notifications each pipeline (correlation id) produced; pipelines with none are absent. */
export async function notificationCounts(
  em: EntityManager,
  correlationIds: readonly string[],
): Promise<Map<string, number>> {
  if (correlationIds.length === 0) return new Map();
  const rows = await em.execute<{ correlation_id: string; n: number }[]>(
    `select correlation_id, count(*)::int as n from ml_retraining_notifications
      where correlation_id in (?) group by correlation_id`,
    [correlationIds],
  );
  return new Map(rows.map((r) => [r.correlation_id, r.n]));
}

/** The correlation id of the latest notification of an event type (the demo traces that pipeline). */
export async function latestNotifiedCorrelation(
  em: EntityManager,
  eventType: string,
): Promise<string | null> {
  const row = await em.findOne(
    MlRetrainingNotification,
    { eventType },
    { fields: ['correlationId'], orderBy: { createdAt: 'desc' }, disableIdentityMap: true },
  );
  return row?.correlationId ?? null;
}

/** One drift check and what followed it: the training run, the validator's verdict, the notifier. */
export interface PipelineOutcome {
  tenantId: string;
  modelType: ModelType;
  decision: DriftDecision;
  accuracy: number | null;
  labelledCount: number;
  reasons: string[];
  correlationId: string;
  runStatus: string | null;
  runError: string | null;
  validationAccuracy: number | null;
  /** The validator's verdict (model_validations), null until it has judged the candidate. */
  validation: { passed: boolean; gates: { name: string; passed: boolean }[] } | null;
  activeVersion: number | null;
  /** Deliveries that told of it: its own messages, and the daily digests that listed it. */
  notifications: number;
  /** The notifier has handled the event that ends this pipeline (training.failed, model.validated or model.deployed). */
  notifiedEnd: boolean;
}

interface PipelineOutcomeRow {
  tenant_id: string;
  model_type: ModelType;
  decision: DriftDecision;
  accuracy: number | null;
  labelled_count: number;
  reasons: string[];
  correlation_id: string;
  run_status: string | null;
  run_error: string | null;
  validation_accuracy: number | null;
  passed: boolean | null;
  gates: { name: string; passed: boolean }[] | null;
  active_version: number | null;
  notifications: number;
  notified_end: boolean;
}

const PIPELINE_OUTCOMES_SQL = `
  select c.tenant_id, c.model_type, c.decision, c.accuracy, c.labelled_count, c.reasons, c.correlation_id,
         r.status as run_status, r.error as run_error, r.validation_accuracy,
         v.passed, coalesce(v.result->'gates', '[]'::jsonb) as gates,
         (select model_version from model_metadata m
           where m.tenant_id = c.tenant_id and m.model_type = c.model_type and m.is_active) as active_version,
         (select count(*)::int from ml_retraining_notifications n
           where n.correlation_id = c.correlation_id
              or n.event_id in (select i.digest_id from alert_items i where i.correlation_id = c.correlation_id)) as notifications,
         exists (select 1 from outbox o
                   join processed_events p on p.event_id = o.id and p.consumer = 'notifier__' || replace(o.subject, '.', '_')
                  where o.envelope->>'correlationId' = c.correlation_id
                    and o.subject = case when r.status = 'failed' then 'training.failed'
                                         when v.passed then 'model.deployed'
                                         else 'model.validated' end) as notified_end
    from drift_checks c
    left join ml_model_training_runs r on r.correlation_id = c.correlation_id and r.status <> 'coalesced'
    left join model_validations v on v.training_run_id = r.id
   where c.logical_date = coalesce(?::date, (select max(logical_date) from scheduled_runs))`;

/**
 * The pipelines of one logical date (by default the last scheduled run's), optionally of some tenants
 * only, ordered by tenant and model.
 */
export async function pipelineOutcomes(
  em: EntityManager,
  q: { logicalDate?: string; tenantIds?: readonly string[] } = {},
): Promise<PipelineOutcome[]> {
  if (q.tenantIds?.length === 0) return [];
  const byTenant = q.tenantIds ? ' and c.tenant_id in (?)' : '';
  const rows = await em.execute<PipelineOutcomeRow[]>(
    `${PIPELINE_OUTCOMES_SQL}${byTenant} order by c.tenant_id, c.model_type`,
    q.tenantIds ? [q.logicalDate ?? null, q.tenantIds] : [q.logicalDate ?? null],
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    modelType: r.model_type,
    decision: r.decision,
    accuracy: r.accuracy,
    labelledCount: r.labelled_count,
    reasons: r.reasons,
    correlationId: r.correlation_id,
    runStatus: r.run_status,
    runError: r.run_error,
    validationAccuracy: r.validation_accuracy,
    validation: r.passed === null ? null : { passed: r.passed, gates: r.gates ?? [] },
    activeVersion: r.active_version,
    notifications: r.notifications,
    notifiedEnd: r.notified_end,
  }));
}

/** Share of correct predictions per week (weeks start on Monday, in UTC whatever the session's zone). */
export interface WeeklyAccuracy {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  accuracy: number;
  n: number;
}

/**
 * Weekly accuracy of one tenant's model over the outcomes known in [from, to): the answers the platform
 * used (the champion's), not a shadow challenger's.
 */
export async function weeklyAccuracy(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; from: Date; to: Date },
): Promise<WeeklyAccuracy[]> {
  const rows = await em.execute<{ week: string; accuracy: number; n: number }[]>(
    `select to_char(date_trunc('week', outcome_known_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
            avg(is_correct::int)::float8 as accuracy, count(*)::int as n
       from ml_predictions
      where tenant_id = ? and model_type = ? and role = 'champion' and is_correct is not null
        and outcome_known_at >= ? and outcome_known_at < ?
      group by 1
      order by 1`,
    [q.tenantId, q.modelType, q.from.toISOString(), q.to.toISOString()],
  );
  return rows.map((r) => ({ week: r.week, accuracy: r.accuracy, n: r.n }));
}
