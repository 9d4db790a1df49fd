import { randomBytes } from 'node:crypto';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { connect, PermissionViolationError } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { AppLogger, BaseConfig } from '@app/common';
import { ALL_SUBJECTS, createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { natsConnectOptions, publishEnvelope, streamConfigs, Topology } from '@app/messaging';
import type { ServiceApp } from '@app/messaging';
import { runCli } from '../../apps/cli/src/main';
import type { ActionAccepted, Me } from '../../apps/console/src/api/types';
import { ConsoleConfig } from '../../apps/console/src/console.config';
import { ConsoleModule } from '../../apps/console/src/console.module';
import { configureConsole } from '../../apps/console/src/configure';
import { SchedulerService } from '../../apps/scheduler/src/scheduler.service';
import { deployedNatsAuth } from '../support/nats-auth';
import { freePort } from '../../scripts/bench-processes';
import { PrivateNatsServer } from '../support/nats-server';
import { Harness } from './support/harness';
import { pollUntil } from './support/poll';
import { startAllServices } from './support/services';
import { championFromStoredPredictions } from './support/champion';

// The NATS users of deploy/nats/values.yaml, exactly as deployed (test/support/nats-auth.ts renders them
// for a private nats-server 2.9): the streams are provisioned by ue-provisioner through the real
// `nats:provision` command, every service runs the real pipeline as its own user without a single
// permission violation (checking the streams, never creating or updating them), the console's user carries
// a person's forced retrain and rollback (its two requests) to the drift monitor and the validator, the
// claims application's user files and resolves a claim and receives the scorer's claim.scored, and every
// user but the
// nats-box admin is refused whatever it does not own: stream creation and updates included for all but
// the provisioner, which may do nothing else. Subjects are production's (SUBJECT_PREFIX=''), the ones
// values.yaml is written for; the server is private, so nothing here touches the shared NATS.

const auth = deployedNatsAuth();
const ADMIN = 'ue-admin';
const PROVISIONER = 'ue-provisioner';
/** The claims application (not part of the platform): publishes claim.filed / claim.resolved, receives claim.scored. */
const CLAIMS_APP = 'ue-claims-app';
const EVENTS = 'UE_EVENTS';
const DLQ = 'UE_DLQ';
/** How nats-server 2.9 logs a refused publish or subscription (`... Violation - User "x", Subject "y"`). */
const VIOLATION = /(Publish|Subscription) Violation/;

const publishAllow = (user: string): string[] =>
  auth.users.find((u) => u.user === user)?.permissions?.publish?.allow ?? [];

/** A user's durable consumers, read from its `$JS.API.CONSUMER.CREATE.UE_EVENTS.<durable>.<filter>` grants. */
const durablesOf = (user: string): string[] =>
  publishAllow(user).flatMap(
    (s) => /^\$JS\.API\.CONSUMER\.CREATE\.UE_EVENTS\.([^.*>]+)\.[^*>]+$/.exec(s)?.[1] ?? [],
  );

/** The streams as `nats:provision` configures them for production's (empty) subject prefix. */
const DEPLOYED_STREAMS = streamConfigs(new Topology(''));

const SERVICE_USERS = auth.users.map((u) => u.user).filter((u) => durablesOf(u).length > 0);
/** Everyone with limited rights: the eight services, the CLI, the claims application and the provisioner. */
const LIMITED_USERS = auth.users.map((u) => u.user).filter((u) => u !== ADMIN);
const ALL_DURABLES = auth.users.flatMap((u) => durablesOf(u.user));

interface Forbidden {
  what:
    | 'event'
    | 'dead letter'
    | 'ack'
    | 'pull'
    | 'consumer create'
    | 'consumer delete'
    | 'stream create'
    | 'stream update'
    | 'stream delete'
    | 'stream purge'
    | 'message delete';
  /** The subject the attempt publishes to, which the server must refuse. */
  subject: string;
  /** The stream or consumer it is about. */
  target: string;
}

/** Everything `user` must not be able to do, each a publish (or request) whose subject it does not own. */
function forbiddenPublishes(user: string): Forbidden[] {
  const own = new Set(durablesOf(user));
  const others = ALL_DURABLES.filter((d) => !own.has(d));
  const allowed = new Set(publishAllow(user));
  return [
    ...ALL_SUBJECTS.filter((s) => !allowed.has(s)).map((s): Forbidden => ({
      what: 'event',
      subject: s,
      target: EVENTS,
    })),
    ...others.map((d): Forbidden => ({ what: 'dead letter', subject: `dlq.${d}`, target: DLQ })),
    ...others.flatMap((d): Forbidden[] => [
      // An acknowledgment as JetStream formats it (stream, consumer, deliveries, sequences, time, pending).
      { what: 'ack', subject: `$JS.ACK.${EVENTS}.${d}.1.1.1.1700000000000000000.0`, target: d },
      { what: 'pull', subject: `$JS.API.CONSUMER.MSG.NEXT.${EVENTS}.${d}`, target: d },
      { what: 'consumer create', subject: `$JS.API.CONSUMER.CREATE.${EVENTS}.${d}`, target: d },
      { what: 'consumer delete', subject: `$JS.API.CONSUMER.DELETE.${EVENTS}.${d}`, target: d },
    ]),
    ...[EVENTS, DLQ].flatMap((st): Forbidden[] => [
      // Only the provisioner creates and updates the streams (the CLI once shrank them on every run).
      ...(['create', 'update'] as const)
        .map((op): Forbidden => ({
          what: `stream ${op}`,
          subject: `$JS.API.STREAM.${op.toUpperCase()}.${st}`,
          target: st,
        }))
        .filter((f) => !allowed.has(f.subject)),
      { what: 'stream delete', subject: `$JS.API.STREAM.DELETE.${st}`, target: st },
      { what: 'stream purge', subject: `$JS.API.STREAM.PURGE.${st}`, target: st },
      { what: 'message delete', subject: `$JS.API.STREAM.MSG.DELETE.${st}`, target: st },
    ]),
  ];
}

/**
 * Makes one forbidden attempt the way code would: events and dead letters as a service publishes them
 * (JetStream, waiting for the stream's ack), deletes and purges through the JetStream manager, the rest
 * as the raw request a JetStream client sends. Resolves with what it failed with.
 */
async function attempt(
  { nc, js, jsm }: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager },
  f: Forbidden,
  marker: string,
): Promise<unknown> {
  const data = JSON.stringify({ marker, what: f.what });
  // The deployed settings with another max age, as a client "fixing" a stream would send them.
  const settings = { ...DEPLOYED_STREAMS.find((c) => c.name === f.target)!, max_age: 3600 * 1e9 };
  const run = (): Promise<unknown> => {
    switch (f.what) {
      case 'event':
      case 'dead letter':
        return js.publish(f.subject, data, { msgID: `${marker}-${f.subject}`, timeout: 10_000 });
      case 'stream create':
        return jsm.streams.add(settings);
      case 'stream update':
        // Reads the stream's info (allowed), then sends STREAM.UPDATE (refused).
        return jsm.streams.update(f.target, settings);
      case 'stream delete':
        return jsm.streams.delete(f.target);
      case 'stream purge':
        return jsm.streams.purge(f.target);
      case 'consumer delete':
        return jsm.consumers.delete(EVENTS, f.target);
      case 'ack':
      case 'pull':
      case 'consumer create':
      case 'message delete':
        return nc.request(f.subject, data, { timeout: 10_000 });
    }
  };
  return run().then(
    () => new Error(`${f.what} ${f.subject} was accepted`),
    (e: unknown) => e,
  );
}

/** Subscriptions nobody but the admin may make: another service's events, the whole bus, another's advisories. */
function forbiddenSubscriptions(user: string): string[] {
  const own = new Set(durablesOf(user));
  const other = ALL_DURABLES.find((d) => !own.has(d))!;
  return ['>', 'model.deployed', `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${EVENTS}.${other}`];
}

/** The permission violation behind an error, thrown as is (core requests) or wrapped (JetStream publish). */
function violation(err: unknown): PermissionViolationError | undefined {
  if (err instanceof PermissionViolationError) return err;
  if (err instanceof Error && err.cause instanceof PermissionViolationError) return err.cause;
  return undefined;
}

describe('NATS users of deploy/nats/values.yaml', () => {
  let server: PrivateNatsServer;
  let monitor = '';
  const url = (user: string) => server.url(user, auth.passwords.get(user));
  // A seed no other file uses: the run's database is shared by the files of one run.
  const seed = 4648;
  const tenantId = `tenant_${seed}_0`;
  // A logical date no other file fires, so the scheduler's run key is this file's.
  const scheduledAt = new Date('2032-03-16T02:00:00Z');
  const cliEnv = (user = 'ue-cli') => ({ ...process.env, NATS_URL: url(user), SUBJECT_PREFIX: '' });
  const cliAs = async (user: string, ...argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(argv, (l) => out.push(l), cliEnv(user));
    return { code, text: out.join('\n') };
  };
  const cli = (...argv: string[]) => cliAs('ue-cli', ...argv);
  let provisioned: { code: number; text: string };

  /** Each service started by startAllServices (and the console) connects as its own deployed user, as its Deployment does. */
  class PerUserHarness extends Harness {
    override async startService<C extends BaseConfig>(
      service: string,
      configClass: Type<C>,
      module: (config: C, logger: AppLogger) => DynamicModule,
      env: Record<string, string> = {},
      configure?: (app: INestApplication, config: C, logger: AppLogger) => void,
    ): Promise<ServiceApp<C>> {
      return super.startService(
        service,
        configClass,
        module,
        { NATS_URL: url(`ue-${service}`), ...env },
        configure,
      );
    }
  }
  let h: Harness;
  let services: Awaited<ReturnType<typeof startAllServices>>;
  /** The console's base URL (its API, as a browser calls it). */
  let consoleUrl = '';

  const connectAs = async (user: string): Promise<NatsConnection> =>
    connect({ ...natsConnectOptions(url(user)), name: `test-${user}` });

  beforeAll(async () => {
    const httpPort = await freePort();
    // Monitoring (as the chart's `config.monitor`) only to ask the server who is connected as whom.
    server = new PrivateNatsServer({ extraConfig: `${auth.config}\nhttp: "127.0.0.1:${httpPort}"` });
    await server.start();
    monitor = `http://127.0.0.1:${httpPort}`;
    // The harness is nats-box's deployed admin: it reads the streams back and deletes them in stop(),
    // which no other user may do. It does not provision them: the provisioner does, as deployed.
    h = new PerUserHarness({ natsUrl: url(ADMIN), prefix: '', provision: false });
    await h.start();
    provisioned = await cliAs(PROVISIONER, 'nats:provision');
    if (provisioned.code !== 0) throw new Error(`nats:provision failed:\n${provisioned.text}`);
    services = await startAllServices(h);
    // The console as deployed in dev (its development sign-in; prod's OIDC changes nothing on the bus), on
    // its own NATS user: it publishes people's requests through its outbox and consumes nothing.
    const consoleApp = await h.startService(
      'console',
      ConsoleConfig,
      (c, l) => ConsoleModule.forRoot(c, l),
      { CONSOLE_DEV_LOGIN: 'true', NOTIFIER_URL: services.notifier.url },
      configureConsole,
    );
    consoleUrl = consoleApp.url;
  }, 60_000);

  afterAll(async () => {
    // The scheduler's run of this file's logical date, and the checks it triggered for every tenant.
    await h?.query(`delete from drift_checks where logical_date = '2032-03-16'`).catch(() => undefined);
    await h?.query(`delete from scheduled_runs where logical_date = '2032-03-16'`).catch(() => undefined);
    await h?.stop();
    await server?.dispose();
  });

  it('renders 12 users from values.yaml, passwords as $UE_..._PASSWORD variables', () => {
    expect(auth.users.map((u) => u.user)).toEqual([
      'ue-scheduler',
      'ue-drift-monitor',
      'ue-trainer',
      'ue-validator',
      'ue-notifier',
      'ue-seeder',
      'ue-scorer',
      'ue-console',
      'ue-cli',
      CLAIMS_APP,
      PROVISIONER,
      ADMIN,
    ]);
    expect(auth.config).toContain('password: $UE_DRIFT_MONITOR_PASSWORD');
    expect(auth.config).not.toContain('sync_interval');
  });

  it('has the streams provisioned by ue-provisioner through nats:provision, and only by it', async () => {
    expect(provisioned.text).toContain(`as ${PROVISIONER}`);
    expect(provisioned.text).toContain(`${EVENTS}: created (1 replica)`);
    expect(provisioned.text).toContain(`${DLQ}: created (1 replica)`);
    // The deployed settings, on the server.
    for (const wanted of DEPLOYED_STREAMS)
      expect((await h.jsm.streams.info(wanted.name)).config).toEqual(expect.objectContaining(wanted));
    // A second run finds nothing to do.
    const again = await cliAs(PROVISIONER, 'nats:provision');
    expect(again.code).toBe(0);
    expect(again.text).toContain(`${EVENTS}: unchanged`);
    expect(again.text).toContain(`${DLQ}: unchanged`);
  });

  it('refuses a wrong password', async () => {
    await expect(connect({ ...natsConnectOptions(server.url('ue-trainer', 'wrong')) })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });

  it('connects every service as its own user', async () => {
    const res = await fetch(`${monitor}/connz?auth=true`);
    const { connections } = (await res.json()) as {
      connections: { name?: string; authorized_user?: string }[];
    };
    const users = Object.fromEntries(connections.map((c) => [c.name ?? '(harness)', c.authorized_user]));
    expect(users).toEqual({
      '(harness)': ADMIN,
      scheduler: 'ue-scheduler',
      'drift-monitor': 'ue-drift-monitor',
      trainer: 'ue-trainer',
      validator: 'ue-validator',
      notifier: 'ue-notifier',
      seeder: 'ue-seeder',
      scorer: 'ue-scorer',
      console: 'ue-console',
    });
  });

  it('seeds a drifted tenant through the CLI user and the seeder', async () => {
    const r = await cli(
      'seed',
      ...['--tenants', '1', '--claims', '6000', '--seed', String(seed), '--scenario', 'drift'],
      ...['--timeout', '120'],
    );
    expect(r.text).toContain(`tenant ids: ${tenantId}`);
    expect(r.code).toBe(0);
    const correlationId = /\(correlation ([0-9a-f-]{36})\)/.exec(r.text)?.[1];
    expect(correlationId).toBeDefined();
    // The notifier consumed seed.completed.
    await h.rowsUntil(
      `select 1 from ml_retraining_notifications where correlation_id = $1 and event_type = 'seed.completed'`,
      [correlationId],
      { what: 'seed.completed notification', timeoutMs: 60_000 },
    );
  }, 180_000);

  it('lets the scheduler publish the daily check, and the drift monitor answer it', async () => {
    const first = await services.scheduler.app.get(SchedulerService).fire(scheduledAt, 'manual');
    expect(first.fired).toBe(true);
    expect(first.events).toBeGreaterThanOrEqual(4);
    const checks = await h.rowsUntil<{ decision: string }>(
      `select decision from drift_checks where tenant_id = $1 and logical_date = '2032-03-16'`,
      [tenantId],
      { until: (rows) => rows.length === 4, what: "the scheduler's four drift checks", timeoutMs: 60_000 },
    );
    // Years after the seeded history there is nothing to judge.
    expect(checks.map((c) => c.decision)).toEqual(Array(4).fill('insufficient_data'));
  }, 90_000);

  it('carries the CLI check through drift monitor, trainer, validator and notifier', async () => {
    // Seeded version 1 is a real model, and a candidate is deployed only when it improves on it: here the
    // assignment champion is one without an artifact (scored by its stored predictions) that was always
    // wrong, so that this pipeline goes all the way to model.deployed.
    await championFromStoredPredictions(h, tenantId, 'assignment', false);
    const r = await cli('check', '--tenant', tenantId, '--timeout', '240');
    // 0: every pipeline reached its end (no action, rejected or deployed) and no training failed.
    expect(r.code).toBe(0);
    for (const model of ['claim_outcome', 'timeline', 'churn_risk', 'assignment'])
      expect(r.text).toMatch(new RegExp(`${tenantId} ${model} +trainer +model\\.trained +v2 `));
    expect(r.text).toMatch(
      new RegExp(`${tenantId} assignment +validator +model.deployed +v2 active \\(was v1\\)`),
    );
    const active = await h.query<{ model_version: number }>(
      `select model_version from model_metadata where tenant_id = $1 and model_type = 'assignment' and is_active`,
      [tenantId],
    );
    expect(active).toEqual([{ model_version: 2 }]);
    // The notifier consumed every check (an episode opened for each model: items of the tenant's daily
    // digest) and the deployment (an item of the same digest).
    const items = await h.rowsUntil<{ kind: string; n: number }>(
      `select kind, count(*)::int as n from alert_items where tenant_id = $1 group by 1 order by 1`,
      [tenantId],
      {
        until: (rows) => rows.some((x) => x.kind === 'deployed'),
        what: 'the deployment in the daily digest',
        timeoutMs: 60_000,
      },
    );
    expect(items).toEqual(
      expect.arrayContaining([
        { kind: 'episode_opened', n: 4 },
        { kind: 'deployed', n: 1 },
      ]),
    );
  }, 300_000);

  it("carries a person's forced retrain and rollback from the console to the drift monitor and the validator", async () => {
    // Signed in as the platform operator (the development sign-in), with the session's CSRF token.
    const signIn = await fetch(`${consoleUrl}/auth/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'dev-operator' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('ue_console_session='))!
      .split(';')[0]!;
    const { csrfToken } = (await signIn.json()) as Me;
    const post = async (path: string, body: unknown): Promise<ActionAccepted> => {
      const res = await fetch(`${consoleUrl}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      return (await res.json()) as ActionAccepted;
    };

    // drift.check.requested (forced), published as ue-console: the drift monitor answers it.
    const retrain = await post(`/api/tenants/${tenantId}/models/timeline/retrain`, {
      reason: 'permissions test',
    });
    const [check] = await h.rowsUntil<{ reasons: string[] }>(
      `select reasons from drift_checks where correlation_id = $1`,
      [retrain.correlationId],
      { what: "the drift monitor's answer to the console's forced check", timeoutMs: 60_000 },
    );
    expect(check!.reasons).toContain('retraining forced by console');

    // model.rollback.requested, published as ue-console: the validator reactivates the version before
    // (the CLI check above deployed assignment v2 over v1).
    const rollback = await post(`/api/tenants/${tenantId}/models/assignment/rollback`, {
      reason: 'permissions test',
    });
    const [deployment] = await h.rowsUntil<{ from_version: number; to_version: number; reason: string }>(
      `select from_version, to_version, reason from model_deployments where correlation_id = $1`,
      [rollback.correlationId],
      { what: "the validator's rollback asked by the console", timeoutMs: 60_000 },
    );
    expect(deployment).toEqual({ from_version: 2, to_version: 1, reason: 'rollback' });
    // Both left the console's outbox: marked published once JetStream acknowledged them.
    const outbox = await h.rowsUntil<{ subject: string; published: boolean }>(
      `select subject, published_at is not null as published from outbox where source = 'console'
        and id = any($1) order by subject`,
      [[retrain.correlationId, rollback.correlationId]],
      { until: (rows) => rows.every((r) => r.published), what: "the console's outbox published" },
    );
    expect(outbox).toEqual([
      { subject: 'drift.check.requested', published: true },
      { subject: 'model.rollback.requested', published: true },
    ]);
  }, 150_000);

  it("lets the claims application file and resolve a claim, and receive the scorer's claim.scored", async () => {
    // A claim filed now: a copy of an open claim of the seeded tenant under a new id (the seeded ones
    // were scored by the seeder's version 1 already).
    const filed = await h.query<{ id: string }>(
      `insert into claims
       select (jsonb_populate_record(null::claims, to_jsonb(c) || jsonb_build_object(
                'id', gen_random_uuid(), 'claim_number', c.claim_number || '-filed', 'filed_at', now(),
                'created_at', now()))).*
         from claims c where c.tenant_id = $1 and c.resolved_at is null
        order by c.filed_at desc limit 1
       returning id`,
      [tenantId],
    );
    const claimId = filed[0]!.id;
    const nc = await connectAs(CLAIMS_APP);
    try {
      const scored = nc.subscribe('claim.scored');
      const answer = (async () => {
        for await (const m of scored) {
          const e = m.json<Envelope<'claim.scored'>>();
          if (e.payload.claimId === claimId) return e;
        }
        throw new Error('claim.scored subscription closed');
      })();
      await nc.flush();
      expect(scored.isClosed()).toBe(false);
      const js = jetstream(nc);
      const topology = new Topology('');
      await publishEnvelope(js, topology, createEnvelope('claim.filed', { claimId }, { tenantId }));

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no claim.scored for ${claimId} within 60 s`)), 60_000);
      });
      const e = await Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
      expect(e.tenantId).toBe(tenantId);
      expect(e.payload.predictions.length).toBeGreaterThan(0);
      // What the claims application was told is what the scorer stored.
      const stored = await h.query<{ model_type: string; model_version: number }>(
        `select model_type, model_version from ml_predictions where claim_id = $1`,
        [claimId],
      );
      const key = (x: { model: string; version: number }) => `${x.model} v${x.version}`;
      expect(stored.map((x) => key({ model: x.model_type, version: x.model_version })).sort()).toEqual(
        e.payload.predictions.map((x) => key({ model: x.modelType, version: x.version })).sort(),
      );

      // The claim resolves: the scorer handles claim.resolved (it fills the outcomes it can).
      await h.query(
        `update claims set status = 'resolved', outcome = 'won', resolved_at = now(),
                resolution_days = greatest(1, ceil(extract(epoch from now() - filed_at) / 86400))::int
          where id = $1`,
        [claimId],
      );
      const resolved = createEnvelope('claim.resolved', { claimId }, { tenantId });
      await publishEnvelope(js, topology, resolved);
      await h.rowsUntil(
        `select 1 from ml_predictions where claim_id = $1 and outcome_known_at is not null
         union all
         select 1 from processed_events where consumer like 'scorer%' and event_id = $2`,
        [claimId, resolved.id],
        { what: 'the scorer handling claim.resolved', timeoutMs: 60_000 },
      );
    } finally {
      await nc.close();
    }
  }, 150_000);

  it('saw no permission violation while the services worked, and no password in their logs', () => {
    expect(server.grep(VIOLATION)).toEqual([]);
    // Each service's password came in its NATS_URL: only scheme, host and port may be logged.
    const logs = h.logs.join('\n');
    expect(logs).toContain('connected to NATS JetStream');
    for (const password of auth.passwords.values()) expect(logs).not.toContain(password);
  });

  it.each(SERVICE_USERS)(
    '%s may do what its dead-letter watcher does: read its advisories and the events stream',
    async (user) => {
      const nc = await connectAs(user);
      try {
        const subs = durablesOf(user).map((d) =>
          nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${EVENTS}.${d}`),
        );
        // The server answers a flush after it has handled the subscriptions: a refused one is closed by then.
        await nc.flush();
        expect(subs.map((s) => s.isClosed())).toEqual(subs.map(() => false));
        const jsm = await jetstreamManager(nc);
        expect((await jsm.streams.getMessage(EVENTS, { seq: 1 }))?.seq).toBe(1);
      } finally {
        await nc.close();
      }
    },
  );

  describe.each(LIMITED_USERS)('%s', (user) => {
    it('is refused every publish it does not own, and nothing reaches the streams', async () => {
      const marker = `refused-${randomBytes(6).toString('hex')}`;
      const before = server.grep(VIOLATION).length;
      const nc = await connectAs(user);
      const refusedWith: string[] = [];
      try {
        const clients = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
        for (const f of forbiddenPublishes(user)) {
          const err = await attempt(clients, f, marker);
          const refusal = violation(err);
          if (!refusal) throw new Error(`${user}: ${f.what} ${f.subject} not refused: ${String(err)}`);
          expect({ operation: refusal.operation, subject: refusal.subject }).toEqual({
            operation: 'publish',
            subject: f.subject,
          });
          refusedWith.push(f.subject);
        }
        for (const subject of forbiddenSubscriptions(user)) {
          const sub = nc.subscribe(subject);
          await nc.flush();
          expect(sub.isClosed()).toBe(true);
          const refusal = violation(await sub.closed);
          expect({ operation: refusal?.operation, subject: refusal?.subject }).toEqual({
            operation: 'subscription',
            subject,
          });
          refusedWith.push(subject);
        }
      } finally {
        await nc.close();
      }
      const expected = forbiddenPublishes(user).length + forbiddenSubscriptions(user).length;
      expect(refusedWith).toHaveLength(expected);
      // The server logged one violation per refusal, naming the user (the log arrives through a pipe).
      const ofUser = () =>
        server
          .grep(VIOLATION)
          .slice(before)
          .filter((l) => l.includes(`User "${user}"`));
      await pollUntil(async () => ofUser().length >= expected, {
        what: `${expected} violations logged for ${user}`,
        timeoutMs: 10_000,
      });
      expect(ofUser()).toHaveLength(expected);
      // Not a message of this user reached either stream.
      for (const stream of [EVENTS, DLQ]) {
        const { state } = await h.jsm.streams.info(stream);
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
          const m = await h.jsm.streams.getMessage(stream, { seq });
          expect(m?.string() ?? '').not.toContain(marker);
        }
      }
    });
  });

  it('still has both streams and every durable consumer', async () => {
    const names: string[] = [];
    for await (const c of h.jsm.consumers.list(EVENTS)) names.push(c.name);
    expect(names.filter((n) => ALL_DURABLES.includes(n)).sort()).toEqual([...ALL_DURABLES].sort());
    expect((await h.jsm.streams.info(DLQ)).config.name).toBe(DLQ);
  });
});
