import { Client } from 'pg';
import { createEnvelope, PLATFORM_TENANT } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { migrate } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { CliBus } from './bus';
import type { CliConfig } from './cli.config';
import type { ParsedFlags } from '@app/common';

export type Out = (line: string) => void;

/** Exit codes: 0 done, 1 the work failed (or did not finish), 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

export async function dbMigrate(config: CliConfig, out: Out): Promise<ExitCode> {
  const r = await migrate(config.DATABASE_URL);
  out(
    `database ${r.database}: ${r.databaseCreated ? 'created' : 'exists'}; ${r.applied.length === 0 ? 'schema up to date' : `applied ${r.applied.join(', ')}`}`,
  );
  return 0;
}

export async function seed(config: CliConfig, flags: ParsedFlags, out: Out): Promise<ExitCode> {
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
      out('⏱  no answer from the seeder: is it running? (npm run start:seeder)');
      return 1;
    }
    if (result.type === 'seed.failed') {
      const p = (result as Envelope<'seed.failed'>).payload;
      out(`❌ seeding failed (${p.code}): ${p.reason}`);
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

/** Which service answers after each event of a pipeline (for the timeout message). */
const NEXT_SERVICE: Record<string, string> = {
  'drift.check.requested': 'drift-monitor',
  'drift.detected': 'trainer',
  'model.trained': 'validator',
  'retrain.requested': 'trainer',
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
export async function check(config: CliConfig, flags: ParsedFlags, out: Out): Promise<ExitCode> {
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
    out(
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
    await bus.watch(
      (e) => {
        const p = pending.get(e.correlationId);
        if (!p) return false;
        p.last = e.type;
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
      out(
        `⏱  ${p.tenant} ${p.model}: no answer after ${p.last}; is the ${service} running? (npm run start:${service})`,
      );
    }
    return pending.size > 0 || failures > 0 ? 1 : 0;
  } finally {
    await bus.close();
  }
}

/** Asks the validator to reactivate an earlier version, and waits for the deployment. */
export async function rollback(config: CliConfig, flags: ParsedFlags, out: Out): Promise<ExitCode> {
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
      out(`${tenantId} has no active ${modelType} model: nothing to roll back`);
      return 1;
    }
    if (flags['to-version'] !== undefined && !versions.some((v) => v.model_version === flags['to-version'])) {
      out(
        `${tenantId} has no ${modelType} version ${String(flags['to-version'])} (versions: ${versions.map((v) => v.model_version).join(', ')})`,
      );
      return 1;
    }
    if (flags['to-version'] === active.model_version) {
      out(`${modelType} v${active.model_version} is already active`);
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
      out('⏱  no answer from the validator: is it running? (npm run start:validator)');
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
export async function ack(config: CliConfig, flags: ParsedFlags, out: Out): Promise<ExitCode> {
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
    out(`the notifier does not answer at ${config.NOTIFIER_URL}: is it running? (npm run start:notifier)`);
    return 1;
  }
  if (res.status === 404) {
    out(`no notification ${id}`);
    return 1;
  }
  if (!res.ok) {
    out(`the notifier refused: HTTP ${res.status} ${await res.text()}`);
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
