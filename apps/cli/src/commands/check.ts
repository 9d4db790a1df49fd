import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import type { CliIO, ParsedFlags } from '@app/common';
import { activeModels, notificationCounts, tenantIds } from '@app/database';
import type { ModelVersionView } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { CliBus } from '../bus';
import type { CliConfig } from '../cli.config';
import { withDatabase } from '../database';
import type { ExitCode } from './types';

// `check` and `retrain`: publish drift.check.requested per tenant and model, and follow each pipeline
// through the events it publishes to its end.

/** Which service answers after each stage of a pipeline (for the timeout message). */
const NEXT_SERVICE: Record<string, string> = {
  'drift.check.requested': 'drift-monitor',
  'drift.checked': 'drift-monitor',
  'drift.detected': 'trainer',
  'model.trained': 'validator',
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
  const tenants = await withDatabase(config.DATABASE_URL, (em) =>
    tenantIds(em, flags.tenant === undefined ? undefined : String(flags.tenant)),
  );
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
    if (results.size > 0) {
      const facts = await withDatabase(config.DATABASE_URL, async (em) => ({
        alerts: await notificationCounts(em, [...results.keys()]),
        active: await activeModels(em),
      }));
      summaryLines(results, facts.alerts, facts.active).forEach((line) => out(line));
    }
    return pending.size > 0 || failures > 0 ? 1 : 0;
  } finally {
    await bus.close();
  }
}

export interface PipelineResult {
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
export function summaryLines(
  results: ReadonlyMap<string, PipelineResult>,
  alerts: ReadonlyMap<string, number>,
  activeVersions: readonly ModelVersionView[],
): string[] {
  const active = new Map(activeVersions.map((v) => [`${v.tenantId}:${v.modelType}`, v.version]));
  const pad = (t: string | undefined, n: number) => (t ?? '-').padEnd(n);
  return [
    '',
    `${pad('tenant', 18)} ${pad('model', 14)} ${pad('largest PSI', 26)} ${pad('7-day accuracy', 15)} ${pad('action', 18)} ${pad('training', 16)} ${pad('active', 7)} alerts  gates`,
    ...[...results].map(
      ([id, r]) =>
        `${pad(r.tenant, 18)} ${pad(r.model, 14)} ${pad(r.psi, 26)} ${pad(r.accuracy, 15)} ${pad(r.action, 18)} ${pad(r.training, 16)} ${pad(`v${active.get(`${r.tenant}:${r.model}`) ?? '-'}`, 7)} ${String(alerts.get(id) ?? 0).padEnd(7)} ${r.gates ?? '-'}`,
    ),
  ];
}
