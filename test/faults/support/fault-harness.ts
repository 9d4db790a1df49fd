import type { DynamicModule, Type } from '@nestjs/common';
import { Client } from 'pg';
import type { AppLogger, BaseConfig } from '@app/common';
import type { Envelope, Subject } from '@app/contracts';
import type { ServiceApp } from '@app/messaging';
import { Harness, seedTestDatabase, serviceDatabaseUrl } from '../../integration/support/harness';
import type { HarnessOptions } from '../../integration/support/harness';
import type { LogLine } from './service-process';

export type Notification = {
  channel: string;
  severity: string;
  body: string;
};

/**
 * Settings every service of a fault case gets, in-process or as a child process. A 5 s ack wait: a
 * message whose holder died (or whose ack was lost in a NATS outage) comes back in seconds, not 30.
 */
const FAULT_ENV: Record<string, string> = { ACK_WAIT_SECONDS: '5' };

/** The integration Harness, with the fault settings applied to every service it starts. */
export class FaultHarness extends Harness {
  private readonly serviceEnv: Record<string, string>;

  constructor(opts: HarnessOptions & { serviceEnv?: Record<string, string> } = {}) {
    super(opts);
    this.serviceEnv = { ...FAULT_ENV, ...opts.serviceEnv };
  }

  override startService<C extends BaseConfig>(
    service: string,
    configClass: Type<C>,
    module: (config: C, logger: AppLogger) => DynamicModule,
    env: Record<string, string> = {},
  ): Promise<ServiceApp<C>> {
    return super.startService(service, configClass, module, { ...this.serviceEnv, ...env });
  }

  /**
   * Resolves once the harness's own NATS connection is back after an outage that begins after this call
   * (call it before stopping the server). Until then its requests would time out, even with the server up.
   */
  nextReconnect(): Promise<void> {
    const status = this.nc.status();
    return (async () => {
      for await (const s of status) if (s.type === 'reconnect') return;
    })();
  }

  /** The event a service wrote to its outbox for this correlation id, once it has been published. */
  async published<S extends Subject>(correlationId: string, subject: S): Promise<Envelope<S>> {
    const [row] = await this.rowsUntil<{ envelope: Envelope<S> }>(
      `select envelope from outbox where subject = $1 and envelope->>'correlationId' = $2 and published_at is not null`,
      [subject, correlationId],
      { what: `${subject} to be published`, timeoutMs: 60_000 },
    );
    return row!.envelope;
  }

  /** The notifications of one event type for this correlation id, once there are any. */
  async notified(correlationId: string, eventType: Subject): Promise<Notification[]> {
    return this.rowsUntil<Notification>(
      `select channel, severity, body from ml_retraining_notifications where correlation_id = $1 and event_type = $2`,
      [correlationId, eventType],
      { what: `${eventType} notifications`, timeoutMs: 60_000 },
    );
  }

  /** The first line an in-process service logged with this message about this event. */
  logLine(msg: string, eventId: string): LogLine | undefined {
    return this.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === msg && l.eventId === eventId);
  }

  /** What a service run as a child process gets: the same database role, NATS, prefix and settings. */
  childEnv(service: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: serviceDatabaseUrl(service),
      NATS_URL: this.natsUrl,
      SUBJECT_PREFIX: this.prefix,
      HTTP_PORT: '0',
      LOG_FORMAT: 'json',
      ...this.serviceEnv,
      ...env,
    };
  }
}

/**
 * One seeded tenant (`tenant_<seed>_0`) with enough labelled claims to train every model. Seeded version 1
 * is a real model, as good as a candidate trained on the same data, and a candidate is deployed only when
 * it improves on it. These cases are about delivery and recovery, not about the gates: the tenant's
 * versions 1 are made champions every candidate improves on (no artifact, so the validator scores them by
 * the predictions they stored, and those all wrong).
 */
export async function seedTenant(seed: number, claims = 2000): Promise<string> {
  await seedTestDatabase(['--seed', String(seed), '--tenants', '1', '--claims', String(claims)]);
  const tenantId = `tenant_${seed}_0`;
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query(`update model_metadata set artifact_id = null where tenant_id = $1`, [tenantId]);
    await db.query(
      `update ml_predictions set is_correct = false where tenant_id = $1 and is_correct is not null`,
      [tenantId],
    );
  } finally {
    await db.end();
  }
  return tenantId;
}
