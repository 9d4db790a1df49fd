import type { CliIO, ParsedFlags } from '@app/common';
import { modelStatus } from '@app/database';
import type { ModelStatus } from '@app/database';
import type { CliConfig } from '../cli.config';
import { withDatabase } from '../database';
import type { ExitCode } from './types';

const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** For scripts: one document, camelCase, ISO times; an empty platform is an empty list, not an error. */
export function statusJson(models: readonly ModelStatus[]): string {
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
      })),
    },
    null,
    2,
  );
}

/** For people: one line per tenant and model. */
export function statusTable(models: readonly ModelStatus[]): string[] {
  const pad = (t: string, n: number) => t.padEnd(n);
  return [
    `${pad('tenant', 18)} ${pad('model', 14)} ${pad('active', 7)} ${pad('accuracy', 9)} ${pad('deployed', 17)} ${pad('last check', 30)} ${pad('running', 8)} unacknowledged alerts`,
    ...models.map((m) => {
      const c = m.lastCheck;
      const check = c
        ? `${c.decision} ${minute(c.checkedAt)}${c.maxPsi !== null ? ` psi ${c.maxPsi.toFixed(2)}` : ''}`
        : '-';
      return `${pad(m.tenantId, 18)} ${pad(m.modelType, 14)} ${pad(`v${m.activeVersion}`, 7)} ${pad(`${(m.baselineAccuracy * 100).toFixed(1)}%`, 9)} ${pad(m.deployedAt ? minute(m.deployedAt) : '-', 17)} ${pad(check, 30)} ${pad(String(m.runsInProgress), 8)} ${m.unacknowledgedAlerts}`;
    }),
  ];
}

/** `status`: the state of every model: active version, last check, runs in progress, unacknowledged alerts. */
export async function status(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const tenant = flags.tenant === undefined ? undefined : String(flags.tenant);
  const models = await withDatabase(config.DATABASE_URL, (em) => modelStatus(em, tenant));
  if (flags.json) {
    out(statusJson(models));
    return 0;
  }
  if (models.length === 0) {
    err(tenant ? `no active models for ${tenant}` : 'no active models: seed first (npm run seed:platform)');
    return 1;
  }
  statusTable(models).forEach((line) => out(line));
  return 0;
}
