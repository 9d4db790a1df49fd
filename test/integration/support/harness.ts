import 'reflect-metadata';
import { Client } from 'pg';
import { MetadataStorage } from '@mikro-orm/core';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { AppLogger, BaseConfig } from '@app/common';
import type { Envelope } from '@app/contracts';
import { roleForService, urlForRole } from '@app/database';
import { runSeedCommand } from '../../../apps/seeder/src/command';
import {
  createServiceApp,
  HDR,
  natsConnectOptions,
  provisionStreams,
  publishEnvelope,
  Topology,
} from '@app/messaging';
import type { ServiceApp } from '@app/messaging';
import { pollRows, pollStreamMessages } from './poll';
import type { PollOptions } from './poll';

/** Real Postgres and NATS for one test file, with the run's database and subject prefix. */
export interface HarnessOptions {
  /** Subject prefix; by default the run's plus a random one per file. `''` is production's (no prefix). */
  prefix?: string;
  /** NATS for the harness's own connection and, unless a service's env says otherwise, the services'. */
  natsUrl?: string;
  /**
   * Provision the file's streams in start(), as `nats:provision` does (default true); services only
   * check them. false: the test provisions (or leaves them missing) itself.
   */
  provision?: boolean;
}

export class Harness {
  /** Each test file gets its own subject prefix under the run's, so files never share a durable consumer. */
  readonly prefix: string;
  readonly topology: Topology;
  readonly natsUrl: string;
  private readonly provision: boolean;
  readonly logs: string[] = [];
  private readonly apps: ServiceApp<BaseConfig>[] = [];
  db!: Client;
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;

  constructor(opts: HarnessOptions = {}) {
    this.prefix =
      opts.prefix ?? `${process.env.SUBJECT_PREFIX ?? ''}f${Math.random().toString(36).slice(2, 8)}.`;
    this.topology = new Topology(this.prefix);
    this.natsUrl = opts.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    this.provision = opts.provision ?? true;
  }

  async start(): Promise<this> {
    this.db = new Client({ connectionString: process.env.DATABASE_URL });
    // The run's database is dropped with (force) at teardown; a connection ended that way must not crash.
    this.db.on('error', () => undefined);
    await this.db.connect();
    this.nc = await connect(natsConnectOptions(this.natsUrl));
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    if (this.provision) await provisionStreams(this.jsm, this.topology, { replicas: 1 });
    return this;
  }

  async startService<C extends BaseConfig>(
    service: string,
    configClass: Type<C>,
    module: (config: C, logger: AppLogger) => DynamicModule,
    env: Record<string, string> = {},
    configure?: (app: INestApplication, config: C, logger: AppLogger) => void,
  ): Promise<ServiceApp<C>> {
    const app = await createServiceApp({
      service,
      configClass,
      module,
      configure,
      env: {
        ...process.env,
        DATABASE_URL: serviceDatabaseUrl(service),
        NATS_URL: this.natsUrl,
        SUBJECT_PREFIX: this.prefix,
        HTTP_PORT: '0',
        ...env,
      },
      logSink: (line) => this.logs.push(line),
    });
    this.apps.push(app as unknown as ServiceApp<BaseConfig>);
    return app;
  }

  async stopService(app: ServiceApp<BaseConfig>): Promise<void> {
    await app.app.close();
    const i = this.apps.indexOf(app);
    if (i >= 0) this.apps.splice(i, 1);
  }

  async publish(envelope: Envelope, msgID?: string): Promise<void> {
    if (msgID) {
      await this.js.publish(this.topology.subject(envelope.type), JSON.stringify(envelope), { msgID });
    } else {
      await publishEnvelope(this.js, this.topology, envelope);
    }
  }

  async publishRaw(subject: string, data: string): Promise<void> {
    await this.js.publish(this.topology.subject(subject as Envelope['type']), data);
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** Waits until `sql` returns rows that satisfy `until` (by default: at least one), and returns them. */
  rowsUntil<T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    opts: PollOptions & { until?: (rows: T[]) => boolean } = {},
  ): Promise<T[]> {
    return pollRows(() => this.query<T>(sql, params), opts);
  }

  /** Waits until one of this file's streams holds at least `atLeast` messages. */
  streamHolds(
    stream: string,
    atLeast: number,
    opts: PollOptions = {},
  ): ReturnType<typeof pollStreamMessages> {
    return pollStreamMessages(this.jsm, stream, atLeast, opts);
  }

  /** The dead letters parked so far by one durable consumer (its code, reason and the message as received). */
  async deadLetters(durable: string): Promise<{ code: string; reason: string; body: string }[]> {
    const stream = this.topology.deadLetterStream;
    const info = await this.jsm.streams.info(stream);
    const found: { code: string; reason: string; body: string }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await this.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m?.header.get(HDR.dlqConsumer) === durable)
        found.push({
          code: m.header.get(HDR.dlqCode),
          reason: m.header.get(HDR.dlqReason),
          body: m.string(),
        });
    }
    return found;
  }

  async stop(): Promise<void> {
    // SHOW_SERVICE_LOGS=1 prints the services' warnings and errors (many are expected: dead letters...).
    const problems = this.logs.filter((l) => /"level":"(warn|error)"/.test(l));
    if (problems.length > 0 && process.env.SHOW_SERVICE_LOGS === '1')
      process.stdout.write(`service warnings/errors:\n${problems.slice(-30).join('\n')}\n`);
    for (const app of [...this.apps].reverse()) await app.app.close();
    this.apps.length = 0;
    for (const name of [this.topology.eventsStream, this.topology.deadLetterStream]) {
      await this.jsm?.streams.delete(name).catch(() => false);
    }
    await this.nc?.close();
    await this.db?.end();
    // MikroORM keeps metadata globally; a later file in this worker must start clean (MikroORM #3783).
    MetadataStorage.clear();
  }
}

/**
 * The run's database as the service's own role (least privilege, row-level security), as deployed; test
 * services without a role of their own use the run's admin URL.
 */
export function serviceDatabaseUrl(service: string): string {
  const url = process.env.DATABASE_URL ?? '';
  const role = roleForService(service);
  return role ? urlForRole(url, role) : url;
}

/** A tenant row, so tenant-scoped handlers have something to work on. */
export async function createTenant(h: Harness, id: string): Promise<void> {
  await h.query(`insert into tenants (id, name, union_local) values ($1, $2, $3) on conflict do nothing`, [
    id,
    `Local ${id}`,
    `Local ${id}`,
  ]);
}

/**
 * Seeds the run's database with the seed:platform command, quietly (e.g. `['--seed', '51', '--tenants',
 * '1', '--claims', '5000']`); fails with the command's output when it does not exit 0.
 */
export async function seedTestDatabase(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const output: string[] = [];
  const code = await runSeedCommand(argv, (line) => output.push(line), env);
  if (code !== 0) throw new Error(`seed:platform ${argv.join(' ')} exited ${code}:\n${output.join('\n')}`);
}
