import { createEnvelope } from '@app/contracts';
import { MODEL_TYPES } from '@app/domain';
import { ConsoleConfig } from '../../../apps/console/src/console.config';
import { ConsoleModule } from '../../../apps/console/src/console.module';
import { configureConsole } from '../../../apps/console/src/configure';
import { DriftMonitorConfig } from '../../../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../../../apps/drift-monitor/src/drift-monitor.module';
import { NotifierConfig } from '../../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../../apps/notifier/src/notifier.module';
import { ValidatorConfig } from '../../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../../apps/validator/src/validator.module';
import { seedTestDatabase } from './harness';
import type { Harness } from './harness';
import { pollRows } from './poll';

/** The notifier's SERVICE_TOKEN in these tests, which the console sends as NOTIFIER_TOKEN. */
export const NOTIFIER_TOKEN = 'the-notifier-token-of-this-test-0123456789';

export interface ConsoleStack {
  /** The console with the development sign-in (its API and, when built, its pages). */
  consoleUrl: string;
  notifierUrl: string;
  /** What a console needs to reach the notifier, for a second console started by the test. */
  consoleEnv: Record<string, string>;
}

/**
 * What the console's tests stand on: two seeded tenants (`steady`, and `drifted` with the seeder's drift
 * scenario, whose seeds are the numbers in their ids), the drift monitor, the validator and the notifier
 * (its actions behind the token, its digests sent at once), the console with the development sign-in,
 * and today's check of every model of both tenants, answered on what it finds (1 of 1), as the CLI asks.
 */
export async function startConsoleStack(
  h: Harness,
  q: { steady: number; drifted: number; today: string; consoleEnv?: Record<string, string> },
): Promise<ConsoleStack> {
  await seedTestDatabase([
    '--seed',
    String(q.steady),
    '--tenants',
    '1',
    '--claims',
    '3000',
    '--now',
    q.today,
  ]);
  await seedTestDatabase([
    ...['--seed', String(q.drifted), '--tenants', '1', '--claims', '3000', '--now', q.today],
    ...['--scenario', 'drift'],
  ]);
  await h.startService('drift-monitor', DriftMonitorConfig, (c, l) => DriftMonitorModule.forRoot(c, l));
  await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l));
  const notifier = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
    DIGEST_HOLD_SECONDS: '0',
    DIGEST_SWEEP_MS: '200',
    REMINDER_SWEEP_SECONDS: '3600',
    SERVICE_TOKEN: NOTIFIER_TOKEN,
  });
  const consoleEnv = {
    NOTIFIER_URL: notifier.url,
    NOTIFIER_TOKEN,
    CONSOLE_ALERT_POLL_MS: '200',
    ...q.consoleEnv,
  };
  const app = await h.startService(
    'console',
    ConsoleConfig,
    (c, l) => ConsoleModule.forRoot(c, l),
    { ...consoleEnv, CONSOLE_DEV_LOGIN: 'true' },
    configureConsole,
  );
  const tenants = [`tenant_${q.steady}_0`, `tenant_${q.drifted}_0`];
  for (const tenantId of tenants)
    for (const modelType of MODEL_TYPES)
      await h.publish(
        createEnvelope(
          'drift.check.requested',
          { modelType, logicalDate: q.today, requestedBy: 'test' },
          { tenantId },
        ),
      );
  for (const tenantId of tenants)
    await pollRows(
      () =>
        h.query<{ n: number }>(`select count(*)::int as n from drift_checks where tenant_id = $1`, [
          tenantId,
        ]),
      { until: (r) => r[0]!.n === MODEL_TYPES.length, what: `${tenantId}'s checks`, timeoutMs: 60_000 },
    );
  return { consoleUrl: app.url, notifierUrl: notifier.url, consoleEnv };
}

/**
 * Gives a tenant's model a version 2 as the validator would have deployed it (version 1's model again,
 * active, with its deployment in the history): then version 1 is an earlier version to roll back to.
 */
export async function deployCopyAsV2(
  h: Harness,
  tenantId: string,
  modelType: string,
  correlationId: string,
): Promise<void> {
  await h.query(
    `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at, artifact_id, training_run_id, training_cutoff, training_samples)
     select tenant_id, model_type, 2, false, baseline_accuracy, now(), artifact_id, training_run_id, training_cutoff, training_samples
       from model_metadata where tenant_id = $1 and model_type = $2 and model_version = 1`,
    [tenantId, modelType],
  );
  await h.query(
    `update model_metadata set is_active = (model_version = 2) where tenant_id = $1 and model_type = $2`,
    [tenantId, modelType],
  );
  await h.query(
    `insert into model_deployments (tenant_id, model_type, from_version, to_version, reason, correlation_id) values ($1, $2, 1, 2, 'validated', $3)`,
    [tenantId, modelType, correlationId],
  );
}
