import type { CliIO, ParsedFlags } from '@app/common';
import { modelStatus } from '@app/database';
import type { ModelStatus } from '@app/database';
import type { CliConfig } from '../cli.config';
import { withDatabase } from '../database';
import { challengerJson, challengerLines, challengerStatus, statusKey } from './challenger-status';
import type { ChallengerStatus } from './challenger-status';
import type { ExitCode } from './types';

const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The shadow challengers of the models listed (by statusKey), and the day their days count to. */
export interface ChallengerContext {
  byModel: ReadonlyMap<string, ChallengerStatus>;
  today: string;
}

const none: ChallengerContext = { byModel: new Map(), today: isoDay(new Date()) };

/** For scripts: one document, camelCase, ISO times; an empty platform is an empty list, not an error. */
export function statusJson(models: readonly ModelStatus[], ch: ChallengerContext = none): string {
  return JSON.stringify(
    {
      models: models.map((m) => ({
        tenantId: m.tenantId,
        modelType: m.modelType,
        activeVersion: m.activeVersion,
        baselineAccuracy: m.baselineAccuracy,
        deployedAt: m.deployedAt?.toISOString() ?? null,
        lastCheck: m.lastCheck
          ? {
              decision: m.lastCheck.decision,
              checkedAt: m.lastCheck.checkedAt.toISOString(),
              maxPsi: m.lastCheck.maxPsi,
            }
          : null,
        runsInProgress: m.runsInProgress,
        unacknowledgedAlerts: m.unacknowledgedAlerts,
        challenger: challengerJson(ch.byModel.get(statusKey(m.tenantId, m.modelType)), ch.today),
      })),
    },
    null,
    2,
  );
}

/** For people: one line per tenant and model, and under it its shadow challenger's, if any. */
export function statusTable(models: readonly ModelStatus[], ch: ChallengerContext = none): string[] {
  const pad = (t: string, n: number) => t.padEnd(n);
  return [
    `${pad('tenant', 18)} ${pad('model', 14)} ${pad('active', 7)} ${pad('accuracy', 9)} ${pad('deployed', 17)} ${pad('last check', 30)} ${pad('running', 8)} unacknowledged alerts`,
    ...models.flatMap((m) => {
      const c = m.lastCheck;
      const check = c
        ? `${c.decision} ${minute(c.checkedAt)}${c.maxPsi !== null ? ` psi ${c.maxPsi.toFixed(2)}` : ''}`
        : '-';
      return [
        `${pad(m.tenantId, 18)} ${pad(m.modelType, 14)} ${pad(`v${m.activeVersion}`, 7)} ${pad(`${(m.baselineAccuracy * 100).toFixed(1)}%`, 9)} ${pad(m.deployedAt ? minute(m.deployedAt) : '-', 17)} ${pad(check, 30)} ${pad(String(m.runsInProgress), 8)} ${m.unacknowledgedAlerts}`,
        ...challengerLines(ch.byModel.get(statusKey(m.tenantId, m.modelType)), ch.today),
      ];
    }),
  ];
}

/**
 * `status`: the state of every model: active version, last check, runs in progress, unacknowledged alerts,
 * and its shadow challenger (the one on trial, the last verdict if recent).
 */
export async function status(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const tenant = flags.tenant === undefined ? undefined : String(flags.tenant);
  const today = isoDay(new Date());
  const { models, ch } = await withDatabase(config.DATABASE_URL, async (em) => {
    const listed = await modelStatus(em, tenant);
    return { models: listed, ch: { byModel: await challengerStatus(em, listed, today), today } };
  });
  if (flags.json) {
    out(statusJson(models, ch));
    return 0;
  }
  if (models.length === 0) {
    err(tenant ? `no active models for ${tenant}` : 'no active models: seed first (npm run seed:platform)');
    return 1;
  }
  statusTable(models, ch).forEach((line) => out(line));
  return 0;
}
