import { Client } from 'pg';
import { createEnvelope, PLATFORM_TENANT } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { migrate } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { CliBus } from './bus';
import type { CliConfig } from './cli.config';
import type { CliIO, ParsedFlags } from '@app/common';

export type Out = (line: string) => void;

/** Exit codes: 0 done, 1 the work failed (or did not finish), 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

export async function dbMigrate(config: CliConfig, { out }: CliIO): Promise<ExitCode> {
  const r = await migrate(config.DATABASE_URL);
  out(
    `database ${r.database}: ${r.databaseCreated ? 'created' : 'exists'}; ${r.applied.length === 0 ? 'schema up to date' : `applied ${r.applied.join(', ')}`}`,
  );
  return 0;
}

export async function seed(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const bus = await CliBus.open(config.NATS_URL, config.SUBJECT_PREFIX);
  try {
    const request = createEnvelope(
      'seed.requested',
      {
        tenants: (flags.tenants as number | undefined) ?? 3,
        users: (flags.users as number | undefined) ?? 50,
        claims: (flags.claims as number | undefined) ?? 200,
        seed: (flags.seed as number | undefined) ?? 42,
        reset: (flags.reset as boolean | undefined) ?? false,
        scenario: (flags.scenario as 'default' | 'drift' | undefined) ?? 'default',
        requestedBy: 'cli',
      },
      { tenantId: PLATFORM_TENANT },
    );
    out(`🌱 seed.requested ${JSON.stringify(request.payload)} (correlation ${request.correlationId})`);
    await bus.publish(request);
    let result: Envelope | undefined;
    const finished = await bus.watch(
      (e) => {
        if (
          e.correlationId !== request.correlationId ||
          (e.type !== 'seed.completed' && e.type !== 'seed.failed')
        )
          return false;
        result = e;
        return true;
      },
      ((flags.timeout as number | undefined) ?? 300) * 1000,
    );
    if (!finished || !result) {
      err('⏱  no answer from the seeder: is it running? (npm run start:seeder)');
      return 1;
    }
    if (result.type === 'seed.failed') {
      const p = (result as Envelope<'seed.failed'>).payload;
      err(`❌ seeding failed (${p.code}): ${p.reason}`);
      return 1;
    }
    const p = (result as Envelope<'seed.completed'>).payload;
    out(
      `✅ seeded in ${(p.durationMs / 1000).toFixed(1)} s: tenants ${p.summary.tenants}, users ${p.summary.users}, claims ${p.summary.claims}, ML predictions ${p.summary.predictions}, model metadata ${p.summary.modelMetadata}, feedback ${p.summary.feedback}`,
    );
    out(`   tenant ids: ${p.tenantIds.join(', ')}`);
    return 0;
  } finally {
    await bus.close();
  }
}

/** Which service answers after each stage of a pipeline (for the timeout message). */
const NEXT_SERVICE: Record<string, string> = {
  'drift.check.requested': 'drift-monitor',
  'drift.checked': 'drift-monitor',
  'drift.detected': 'trainer',
  'model.trained': 'validator',
  'retrain.requested': 'trainer',
};

/** How far a pipeline got, by the events seen. */
const STAGE: Record<string, number> = {
  'drift.check.requested': 0,
  'drift.checked': 1,
  'drift.detected': 2,
  'model.trained': 3,
  'training.failed': 3,
  'model.validated': 4,
  'model.deployed': 5,
};

function describe(e: Envelope): string {
  switch (e.type) {
    case 'drift.checked': {
      const p = (e as Envelope<'drift.checked'>).payload;
      return `drift-monitor  drift.checked    decision=${p.decision}; ${p.reasons.join('; ')}`;
    }
    case 'drift.detected':
      return `drift-monitor  drift.detected   -> retrain`;
    case 'model.trained': {
      const p = (e as Envelope<'model.trained'>).payload;
      return `trainer        model.trained    v${p.candidateVersion} ${p.algorithm}, hold-out accuracy ${(p.holdoutAccuracy * 100).toFixed(1)}% (${p.trainingSamples} train / ${p.validationSamples} hold-out)`;
    }
    case 'training.failed': {
      const p = (e as Envelope<'training.failed'>).payload;
      return `trainer        training.failed  ${p.code}: ${p.reason}`;
    }
    case 'model.validated': {
      const p = (e as Envelope<'model.validated'>).payload;
      return `validator      model.validated  ${p.passed ? 'PASSED' : 'REJECTED'}: ${p.gates.map((g) => `${g.passed ? '✓' : '✗'} ${g.name}`).join(', ')}`;
    }
    case 'model.deployed': {
      const p = (e as Envelope<'model.deployed'>).payload;
      return `validator      model.deployed   v${p.version} active (was v${p.previousVersion ?? '-'})`;
    }
    default:
      return `${e.type}`;
  }
}

function isTerminal(e: Envelope): boolean {
  switch (e.type) {
    case 'drift.checked':
      return (e as Envelope<'drift.checked'>).payload.decision !== 'retrain';
    case 'training.failed':
    case 'model.deployed':
      return true;
    case 'model.validated':
      return !(e as Envelope<'model.validated'>).payload.passed;
    default:
      return false;
  }
}

/**
 * Publishes drift.check.requested for every (tenant, model) asked for and follows each pipeline to
 * its end: no action, training failed, candidate rejected, or deployed.
 */
export async function check(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const models: readonly ModelType[] = flags.model ? [flags.model as ModelType] : MODEL_TYPES;
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  let tenants: string[];
  try {
    tenants = flags.tenant
      ? (await db.query<{ id: string }>('select id from tenants where id = $1', [flags.tenant])).rows.map(
          (r) => r.id,
        )
      : (await db.query<{ id: string }>('select id from tenants order by id')).rows.map((r) => r.id);
  } finally {
    await db.end();
  }
  if (tenants.length === 0) {
    err(
      flags.tenant ? `no tenant ${String(flags.tenant)}` : 'no tenants: seed first (npm run seed:platform)',
    );
    return 1;
  }
  const bus = await CliBus.open(config.NATS_URL, config.SUBJECT_PREFIX);
  try {
    const logicalDate = new Date().toISOString().slice(0, 10);
    const pending = new Map<string, { tenant: string; model: ModelType; last: string }>();
    for (const tenant of tenants) {
      for (const model of models) {
        const e = createEnvelope(
          'drift.check.requested',
          { modelType: model, logicalDate, force: flags.force === true, requestedBy: 'cli' },
          { tenantId: tenant },
        );
        pending.set(e.correlationId, { tenant, model, last: e.type });
        await bus.publish(e);
        out(`→ ${tenant} ${model}: drift.check.requested${flags.force ? ' (forced)' : ''}`);
      }
    }
    let failures = 0;
    const results = new Map<string, PipelineResult>();
    await bus.watch(
      (e) => {
        const p = pending.get(e.correlationId);
        if (!p || e.type === 'drift.check.requested') return false;
        // Events of one pipeline may arrive out of order: remember the furthest stage reached.
        if ((STAGE[e.type] ?? 0) >= (STAGE[p.last] ?? 0)) p.last = e.type;
        record(results, e, p);
        out(`  ${p.tenant} ${p.model.padEnd(13)} ${describe(e)}`);
        if (isTerminal(e)) {
          if (e.type === 'training.failed') failures += 1;
          pending.delete(e.correlationId);
        }
        return pending.size === 0;
      },
      ((flags.timeout as number | undefined) ?? 120) * 1000,
    );
    for (const p of pending.values()) {
      const service = NEXT_SERVICE[p.last] ?? 'notifier';
      err(
        `⏱  ${p.tenant} ${p.model}: no answer after ${p.last} within the timeout; is the ${service} running? (npm run start:${service})`,
      );
    }
    await printSummary(config, results, out);
    return pending.size > 0 || failures > 0 ? 1 : 0;
  } finally {
    await bus.close();
  }
}

interface PipelineResult {
  tenant: string;
  model: ModelType;
  psi?: string;
  accuracy?: string;
  action?: string;
  training?: string;
  gates?: string;
}

function record(
  results: Map<string, PipelineResult>,
  e: Envelope,
  p: { tenant: string; model: ModelType },
): void {
  const r = results.get(e.correlationId) ?? { tenant: p.tenant, model: p.model };
  results.set(e.correlationId, r);
  switch (e.type) {
    case 'drift.checked': {
      const c = (e as Envelope<'drift.checked'>).payload;
      const top = [...c.features].sort((a, b) => b.psi - a.psi)[0];
      r.psi = top ? `${top.psi.toFixed(3)} ${top.feature}` : '-';
      r.accuracy = c.accuracy ? `${(c.accuracy.value * 100).toFixed(1)}% n=${c.accuracy.labelled}` : '-';
      r.action = c.decision;
      break;
    }
    case 'model.trained': {
      const t = (e as Envelope<'model.trained'>).payload;
      r.training = `v${t.candidateVersion} ${(t.holdoutAccuracy * 100).toFixed(1)}%`;
      break;
    }
    case 'training.failed':
      r.training = `failed: ${(e as Envelope<'training.failed'>).payload.code}`;
      break;
    case 'model.validated':
      r.gates = (e as Envelope<'model.validated'>).payload.gates
        .map((g) => `${g.passed ? '✓' : '✗'}${g.name}`)
        .join(' ');
      break;
    default:
      break;
  }
}

/** One line per tenant and model: what the check found, what was done, the version now active, the alerts. */
async function printSummary(
  config: CliConfig,
  results: Map<string, PipelineResult>,
  out: Out,
): Promise<void> {
  if (results.size === 0) return;
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const ids = [...results.keys()];
    const alerts = new Map(
      (
        await db.query<{ correlation_id: string; n: number }>(
          'select correlation_id, count(*)::int as n from ml_retraining_notifications where correlation_id = any($1) group by 1',
          [ids],
        )
      ).rows.map((r) => [r.correlation_id, r.n]),
    );
    const active = new Map(
      (
        await db.query<{ k: string; v: number }>(
          `select tenant_id || ':' || model_type as k, model_version as v from model_metadata where is_active`,
        )
      ).rows.map((r) => [r.k, r.v]),
    );
    const pad = (t: string | undefined, n: number) => (t ?? '-').padEnd(n);
    out('');
    out(
      `${pad('tenant', 18)} ${pad('model', 14)} ${pad('largest PSI', 26)} ${pad('7-day accuracy', 15)} ${pad('action', 18)} ${pad('training', 16)} ${pad('active', 7)} alerts  gates`,
    );
    for (const [id, r] of results) {
      out(
        `${pad(r.tenant, 18)} ${pad(r.model, 14)} ${pad(r.psi, 26)} ${pad(r.accuracy, 15)} ${pad(r.action, 18)} ${pad(r.training, 16)} ${pad(`v${active.get(`${r.tenant}:${r.model}`) ?? '-'}`, 7)} ${String(alerts.get(id) ?? 0).padEnd(7)} ${r.gates ?? '-'}`,
      );
    }
  } finally {
    await db.end();
  }
}

/** The state of every model: active version, last check, runs in progress, unacknowledged alerts. */
export async function status(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const tenant = flags.tenant ? String(flags.tenant) : null;
    const { rows } = await db.query<{
      tenant_id: string;
      model_type: string;
      model_version: number;
      baseline_accuracy: number;
      deployed_at: Date | null;
      decision: string | null;
      checked_at: Date | null;
      max_psi: number | null;
      running: number;
      unacked: number;
    }>(
      `select m.tenant_id, m.model_type, m.model_version, m.baseline_accuracy, m.deployed_at, c.decision, c.created_at as checked_at, c.max_psi,
              (select count(*)::int from ml_model_training_runs r where r.tenant_id = m.tenant_id and r.model_type = m.model_type and r.status in ('queued', 'running')) as running,
              (select count(*)::int from ml_retraining_notifications n where n.tenant_id = m.tenant_id and n.model_type = m.model_type and n.severity in ('failure', 'warning')
                  and not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)) as unacked
         from model_metadata m
         left join lateral (select decision, created_at, max_psi from drift_checks d where d.tenant_id = m.tenant_id and d.model_type = m.model_type order by created_at desc limit 1) c on true
        where m.is_active and ($1::text is null or m.tenant_id = $1)
        order by m.tenant_id, m.model_type`,
      [tenant],
    );
    if (flags.json) {
      // For scripts: one document, camelCase, ISO times; an empty platform is an empty list, not an error.
      out(
        JSON.stringify(
          {
            models: rows.map((r) => ({
              tenantId: r.tenant_id,
              modelType: r.model_type,
              activeVersion: r.model_version,
              baselineAccuracy: r.baseline_accuracy,
              deployedAt: r.deployed_at?.toISOString() ?? null,
              lastCheck: r.decision
                ? { decision: r.decision, checkedAt: r.checked_at!.toISOString(), maxPsi: r.max_psi }
                : null,
              runsInProgress: r.running,
              unacknowledgedAlerts: r.unacked,
            })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    if (rows.length === 0) {
      err(tenant ? `no active models for ${tenant}` : 'no active models: seed first (npm run seed:platform)');
      return 1;
    }
    const pad = (t: string, n: number) => t.padEnd(n);
    out(
      `${pad('tenant', 18)} ${pad('model', 14)} ${pad('active', 7)} ${pad('accuracy', 9)} ${pad('deployed', 17)} ${pad('last check', 30)} ${pad('running', 8)} unacknowledged alerts`,
    );
    for (const r of rows) {
      const check = r.decision
        ? `${r.decision} ${r.checked_at!.toISOString().slice(0, 16).replace('T', ' ')}${r.max_psi !== null ? ` psi ${r.max_psi.toFixed(2)}` : ''}`
        : '-';
      out(
        `${pad(r.tenant_id, 18)} ${pad(r.model_type, 14)} ${pad(`v${r.model_version}`, 7)} ${pad(`${(r.baseline_accuracy * 100).toFixed(1)}%`, 9)} ${pad(r.deployed_at ? r.deployed_at.toISOString().slice(0, 16).replace('T', ' ') : '-', 17)} ${pad(check, 30)} ${pad(String(r.running), 8)} ${r.unacked}`,
      );
    }
    return 0;
  } finally {
    await db.end();
  }
}

/** Asks the validator to reactivate an earlier version, and waits for the deployment. */
export async function rollback(
  config: CliConfig,
  flags: ParsedFlags,
  { out, err }: CliIO,
): Promise<ExitCode> {
  const tenantId = String(flags.tenant);
  const modelType = flags.model as ModelType;
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const versions = (
      await db.query<{ model_version: number; is_active: boolean }>(
        `select model_version, is_active from model_metadata where tenant_id = $1 and model_type = $2 order by model_version`,
        [tenantId, modelType],
      )
    ).rows;
    const active = versions.find((v) => v.is_active);
    if (!active) {
      err(`${tenantId} has no active ${modelType} model: nothing to roll back`);
      return 1;
    }
    if (flags['to-version'] !== undefined && !versions.some((v) => v.model_version === flags['to-version'])) {
      err(
        `${tenantId} has no ${modelType} version ${String(flags['to-version'])} (versions: ${versions.map((v) => v.model_version).join(', ')})`,
      );
      return 1;
    }
    if (flags['to-version'] === active.model_version) {
      err(`${modelType} v${active.model_version} is already active`);
      return 1;
    }
  } finally {
    await db.end();
  }
  const bus = await CliBus.open(config.NATS_URL, config.SUBJECT_PREFIX);
  try {
    const request = createEnvelope(
      'model.rollback.requested',
      {
        modelType,
        toVersion: flags['to-version'] as number | undefined,
        requestedBy: 'cli',
        reason: 'rollback requested from the command line',
      },
      { tenantId },
    );
    await bus.publish(request);
    let deployed: Envelope<'model.deployed'> | undefined;
    const finished = await bus.watch(
      (e) => {
        if (e.correlationId !== request.correlationId || e.type !== 'model.deployed') return false;
        deployed = e as Envelope<'model.deployed'>;
        return true;
      },
      ((flags.timeout as number | undefined) ?? 60) * 1000,
    );
    if (!finished || !deployed) {
      err('⏱  no answer from the validator: is it running? (npm run start:validator)');
      return 1;
    }
    out(
      `↩  ${tenantId} ${modelType}: v${deployed.payload.version} is active again (was v${deployed.payload.previousVersion ?? '-'})`,
    );
    return 0;
  } finally {
    await bus.close();
  }
}

/** Acknowledges an alert through the notifier (which owns acknowledgments). */
export async function ack(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const id = String(flags.notification);
  let res: Response;
  try {
    res = await fetch(`${config.NOTIFIER_URL}/alerts/${id}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: flags.by, ...(flags.note ? { note: flags.note } : {}) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    err(`the notifier does not answer at ${config.NOTIFIER_URL}: is it running? (npm run start:notifier)`);
    return 1;
  }
  if (res.status === 404) {
    err(`no notification ${id}`);
    return 1;
  }
  if (!res.ok) {
    err(`the notifier refused: HTTP ${res.status} ${await res.text()}`);
    return 1;
  }
  const r = (await res.json()) as {
    alreadyAcknowledged: boolean;
    acknowledgedBy: string;
    acknowledgedAt: string;
  };
  out(
    r.alreadyAcknowledged
      ? `✓ notification ${id} was already acknowledged by ${r.acknowledgedBy} at ${r.acknowledgedAt}`
      : `✓ notification ${id} acknowledged by ${r.acknowledgedBy}`,
  );
  return 0;
}

/** The stakeholder lists, edited through the notifier (which owns them): list, add, remove. */
export async function recipients(
  config: CliConfig,
  action: string,
  flags: ParsedFlags,
  { out, err }: CliIO,
): Promise<ExitCode> {
  const call = async (method: string, path: string, body?: unknown): Promise<Response | null> => {
    try {
      return await fetch(`${config.NOTIFIER_URL}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      err(`the notifier does not answer at ${config.NOTIFIER_URL}: is it running? (npm run start:notifier)`);
      return null;
    }
  };
  if (action === 'list') {
    const res = await call('GET', `/recipients?tenant=${encodeURIComponent(String(flags.tenant))}`);
    if (!res) return 1;
    const rows = (await res.json()) as {
      id: string;
      name: string;
      channel: string;
      address: string;
      event_kinds: string[];
      is_active: boolean;
    }[];
    if (rows.length === 0)
      out(`${String(flags.tenant)} has no recipients: its alerts go in-app to its ML administrators`);
    for (const r of rows)
      out(
        `${r.id}  ${r.channel.padEnd(8)} ${r.address.padEnd(40)} ${r.event_kinds.join(',').padEnd(30)} ${r.is_active ? r.name : `${r.name} (removed)`}`,
      );
    return 0;
  }
  if (action === 'add') {
    const res = await call('POST', '/recipients', {
      tenantId: flags.tenant,
      name: flags.name ?? flags.address,
      channel: flags.channel,
      address: flags.address,
      eventKinds: String(flags.events ?? '*').split(','),
    });
    if (!res) return 1;
    if (!res.ok) {
      err(`the notifier refused: ${await res.text()}`);
      return 1;
    }
    out(`✓ recipient ${((await res.json()) as { id: string }).id} added`);
    return 0;
  }
  const res = await call('DELETE', `/recipients/${String(flags.id)}`);
  if (!res) return 1;
  if (!res.ok) {
    err(
      res.status === 404 ? `no recipient ${String(flags.id)}` : `the notifier refused: ${await res.text()}`,
    );
    return 1;
  }
  out(`✓ recipient ${String(flags.id)} removed`);
  return 0;
}
