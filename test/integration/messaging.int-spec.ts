import { Injectable, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { DriftMathError } from '@app/drift';
import { HDR, MaxDeliveriesWatcher, OnEvent, ServiceModule } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { XGBoostError } from '@app/ml';
import { AppLogger, BaseConfig } from '@app/common';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { TcpProxy, throughProxy } from '../support/tcp-proxy';
import { createTenant, Harness, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';

const CORRUPT_BASELINE = 21;
const XGBOOST_REFUSES = 22;
const PHASED = 23;

/** A consumer whose handlers fail the way the libraries do, and one in two phases. */
@Injectable()
class EdgeProbe {
  readonly deliveries = new Map<number, number>();
  /** What the phased handler saw: per delivery, recordedBefore and whether its inbox row was committed. */
  readonly phases: { recordedBefore: boolean; inboxCommitted: boolean }[] = [];

  @OnEvent('model.deployed', { maxDeliver: 5 })
  async onDeployed(event: Envelope<'model.deployed'>, _ctx: HandlerContext): Promise<void> {
    const v = event.payload.version;
    this.deliveries.set(v, (this.deliveries.get(v) ?? 0) + 1);
    if (v === CORRUPT_BASELINE)
      throw new DriftMathError('INVALID_BASELINE', 'baseline of member_age has 9 edges, expected 11');
    if (v === XGBOOST_REFUSES) throw new XGBoostError('XGBoosterLoadModelFromBuffer', 'invalid model format');
  }
}

@Injectable()
class PhasedProbe {
  constructor(private readonly probe: EdgeProbe) {}

  @OnEvent('model.validated', { phased: true, maxDeliver: 3 })
  async onValidated(event: Envelope<'model.validated'>, ctx: HandlerContext): Promise<void> {
    const recordedBefore = ctx.recordedBefore;
    ctx.afterCommit(async (after) => {
      // Outside the handler's transaction: a fresh one (another connection) sees its inbox row.
      const inboxCommitted = await after.transaction(
        async ({ em }) =>
          (
            await em.execute('select 1 from processed_events where consumer = ? and event_id = ?', [
              'edge-probe__model_validated',
              event.id,
            ])
          ).length === 1,
      );
      this.probe.phases.push({ recordedBefore, inboxCommitted });
      if (this.probe.phases.length === 1) throw new Error('second phase failed (transient)');
    });
  }
}

// The messaging guarantees of libs/messaging, exercised through a real service (the notifier) on real
// NATS JetStream and Postgres.
describe('JetStream messaging (durable consumers, inbox, dead letters)', () => {
  const h = new Harness();
  const tenantId = `tenant_msg_${Date.now()}`;

  beforeAll(async () => {
    await h.start();
    await createTenant(h, tenantId);
  });
  afterAll(async () => {
    await h.stop();
  });

  @Module({})
  class ProbeModule {
    static forRoot(config: BaseConfig, logger: AppLogger): DynamicModule {
      return {
        module: ProbeModule,
        imports: [ServiceModule.forRoot({ service: 'edge-probe', config, configClass: BaseConfig, logger })],
        providers: [EdgeProbe, PhasedProbe],
      };
    }
  }

  /** Services a test started, stopped after it whatever happened. */
  const afterThis: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of afterThis.splice(0)) await stop();
  });

  const trainingFailed = (): Envelope<'training.failed'> =>
    createEnvelope(
      'training.failed',
      { modelType: 'churn_risk', code: 'INSUFFICIENT_SAMPLES', reason: 'have 412, need 500' },
      { tenantId },
    );

  const notificationsFor = (eventId: string) =>
    h
      .query<{ n: string }>(
        'select count(*)::text as n from ml_retraining_notifications where event_id = $1',
        [eventId],
      )
      .then((r) => Number(r[0]!.n));

  it('processes an event published while its consumer was down, once the consumer starts', async () => {
    // First start creates the durable consumers; then the service goes down.
    const first = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
    await h.stopService(first);
    const event = trainingFailed();
    await h.publish(event);
    await new Promise((r) => setTimeout(r, 300));
    expect(await notificationsFor(event.id)).toBe(0);

    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
    await pollUntil(async () => (await notificationsFor(event.id)) === 1, { what: 'notification row' });
    const [row] = await h.query<{
      severity: string;
      body: string;
      tenant_id: string;
      correlation_id: string;
    }>(
      'select severity, body, tenant_id, correlation_id from ml_retraining_notifications where event_id = $1',
      [event.id],
    );
    expect(row).toMatchObject({
      severity: 'failure',
      tenant_id: tenantId,
      correlation_id: event.correlationId,
    });
    expect(row!.body).toContain('have 412, need 500');
  });

  it('changes the database once when the same event is delivered twice', async () => {
    const event = trainingFailed();
    // Two different Nats-Msg-Ids defeat JetStream's dedupe: the consumer really receives it twice.
    await h.publish(event, `first-${event.id}`);
    await h.publish(event, `second-${event.id}`);
    await pollUntil(
      async () => {
        const logs = h.logs.filter((l) => l.includes(event.id));
        return logs.some((l) => l.includes('duplicate event ignored')) ? logs : false;
      },
      { what: 'the second delivery to be recognised as a duplicate' },
    );
    expect(await notificationsFor(event.id)).toBe(1);
    const inbox = await h.query('select * from processed_events where event_id = $1', [event.id]);
    expect(inbox).toHaveLength(1);
  });

  it('dead-letters malformed payloads with their reason and keeps serving', async () => {
    const badJson = '{"this is": not json';
    const missingFields = createEnvelope('model.deployed', { modelType: 'timeline' } as never, { tenantId });
    const extraField = createEnvelope(
      'model.deployed',
      { modelType: 'timeline', version: 2, reason: 'validated', accuracy: 0.9, sneaky: true } as never,
      { tenantId },
    );
    const wrongType = createEnvelope(
      'model.deployed',
      { modelType: 'not_a_model', version: 'two', reason: 'validated', accuracy: 0.9 } as never,
      { tenantId },
    );
    // Well formed, but for a tenant the platform does not have: refused before the handler runs.
    const unknownTenant = createEnvelope(
      'model.deployed',
      { modelType: 'timeline', version: 2, reason: 'validated', accuracy: 0.9 },
      { tenantId: 'tenant_that_does_not_exist' },
    );
    await h.publishRaw('model.deployed', badJson);
    await h.publish(missingFields);
    await h.publish(extraField);
    await h.publish(wrongType);
    await h.publish(unknownTenant);
    const good = createEnvelope(
      'model.deployed',
      { modelType: 'timeline', version: 2, previousVersion: 1, reason: 'validated', accuracy: 0.91 },
      { tenantId },
    );
    await h.publish(good);

    await pollUntil(async () => (await notificationsFor(good.id)) === 1, {
      what: 'the valid event after the bad ones',
    });

    const dlq = h.topology.deadLetterStream;
    const info = await h.streamHolds(dlq, 5, { what: 'five dead letters' });
    expect(info.state.messages).toBe(5);
    const reasons: string[] = [];
    const codes: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await h.jsm.streams.getMessage(dlq, { seq });
      codes.push(m!.header.get(HDR.dlqCode));
      expect(m?.header.get(HDR.dlqOriginalSubject)).toBe(h.topology.subject('model.deployed'));
      reasons.push(m!.header.get(HDR.dlqReason));
      if (seq === info.state.first_seq) expect(m!.string()).toBe(badJson); // the payload is kept as it came
    }
    expect(reasons[0]).toMatch(/malformed JSON/);
    expect(reasons[1]).toMatch(/payload\.version/);
    expect(reasons[2]).toMatch(/sneaky should not exist/);
    expect(reasons[3]).toMatch(/payload\.modelType/);
    expect(codes).toEqual([...Array<string>(4).fill('CONTRACT_VIOLATION'), 'UNKNOWN_TENANT']);
    expect(reasons[4]).toBe('tenant "tenant_that_does_not_exist" does not exist');
    // Nothing was written for the bad ones.
    for (const bad of [missingFields, extraField, wrongType, unknownTenant])
      expect(await notificationsFor(bad.id)).toBe(0);
    expect(await h.query('select 1 from processed_events where event_id = $1', [unknownTenant.id])).toEqual(
      [],
    );
  });

  it('dead-letters, with its reason, a message whose handler never acknowledged it (crashed on every delivery)', async () => {
    const durable = 'crashy__model_deployed';
    await h.jsm.consumers.add(h.topology.eventsStream, {
      durable_name: durable,
      filter_subject: h.topology.subject('model.deployed'),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(1000),
      max_deliver: 2,
    });
    const watcher = new MaxDeliveriesWatcher(
      h.nc,
      h.js,
      h.jsm,
      h.topology,
      new AppLogger({ service: 'test', sink: () => undefined }),
    );
    watcher.watch([durable]);
    const event = createEnvelope(
      'model.deployed',
      { modelType: 'assignment', version: 3, reason: 'validated', accuracy: 0.9 },
      { tenantId },
    );
    await h.publish(event);
    // A consumer that takes the message and dies without acking, twice.
    const consumer = await h.js.consumers.get(h.topology.eventsStream, durable);
    for (let i = 0; i < 2; i++) {
      const m = await consumer.next({ expires: 5000 });
      expect(m?.info.deliveryCount).toBe(i + 1);
      await new Promise((r) => setTimeout(r, 1200));
    }
    // Another replica keeps pulling: the server finds the message out of deliveries and announces it.
    expect(await consumer.next({ expires: 2000 })).toBeNull();
    const dead = await pollUntil(
      async () => {
        const info = await h.jsm.streams.info(h.topology.deadLetterStream);
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const m = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq }).catch(() => null);
          if (m?.header.get(HDR.dlqConsumer) === durable) return m;
        }
        return false;
      },
      { what: 'the dead letter', timeoutMs: 10_000 },
    );
    watcher.stop();
    expect(dead.header.get(HDR.dlqCode)).toBe('MAX_DELIVERIES');
    expect(dead.header.get(HDR.dlqReason)).toMatch(/no acknowledgment after 2 deliveries/);
    expect(JSON.parse(dead.string())).toEqual(event);
    await h.jsm.consumers.delete(h.topology.eventsStream, durable);
  });

  it("dead-letters the libraries' coded errors at once, with their code and reason, not after five deliveries", async () => {
    const app = await h.startService('edge-probe', BaseConfig, (c, l) => ProbeModule.forRoot(c, l), {
      RETRY_BASE_MS: '200',
    });
    afterThis.push(() => h.stopService(app));
    const probe = app.app.get(EdgeProbe);
    const deployed = (version: number) =>
      createEnvelope(
        'model.deployed',
        { modelType: 'timeline', version, previousVersion: 1, reason: 'validated', accuracy: 0.9 },
        { tenantId },
      );
    const corrupt = deployed(CORRUPT_BASELINE);
    const refused = deployed(XGBOOST_REFUSES);
    await h.publish(corrupt);
    await h.publish(refused);
    const durable = h.topology.consumerName('edge-probe', 'model.deployed');
    const dead = await pollUntil(
      async () => {
        const info = await h.jsm.streams.info(h.topology.deadLetterStream);
        const found = new Map<string, { code: string; reason: string; deliveries: string }>();
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const m = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq }).catch(() => null);
          if (m?.header.get(HDR.dlqConsumer) !== durable) continue;
          // (The probe's consumer also got, and parked, the malformed messages of the test above.)
          const id = /"id":"([0-9a-f-]{36})"/.exec(m.string())?.[1];
          if (id !== corrupt.id && id !== refused.id) continue;
          found.set(id, {
            code: m.header.get(HDR.dlqCode),
            reason: m.header.get(HDR.dlqReason),
            deliveries: m.header.get(HDR.dlqDeliveries),
          });
        }
        return found.size === 2 ? found : false;
      },
      { what: 'two dead letters', timeoutMs: 15_000 },
    );
    expect(dead.get(corrupt.id)).toEqual({
      code: 'INVALID_BASELINE',
      reason: 'drift math: baseline of member_age has 9 edges, expected 11',
      deliveries: '1',
    });
    expect(dead.get(refused.id)).toEqual({
      code: 'XGBOOST_CALL_FAILED',
      reason: 'XGBoost: XGBoosterLoadModelFromBuffer: invalid model format',
      deliveries: '1',
    });
    expect(probe.deliveries.get(CORRUPT_BASELINE)).toBe(1);
    expect(probe.deliveries.get(XGBOOST_REFUSES)).toBe(1);
  });

  it("runs a phased handler's second phase after its first commits, and hands it the redelivery when that phase fails", async () => {
    const app = await h.startService('edge-probe', BaseConfig, (c, l) => ProbeModule.forRoot(c, l), {
      RETRY_BASE_MS: '200',
    });
    afterThis.push(() => h.stopService(app));
    const probe = app.app.get(EdgeProbe);
    const validated = createEnvelope(
      'model.validated',
      {
        runId: '55555555-6666-4777-8888-999999999999',
        modelType: 'timeline',
        candidateVersion: PHASED,
        passed: true,
        gates: [],
      },
      { tenantId },
    );
    await h.publish(validated);
    await pollUntil(async () => probe.phases.length >= 2, { what: 'the redelivery', timeoutMs: 15_000 });
    expect(probe.phases).toEqual([
      { recordedBefore: false, inboxCommitted: true },
      { recordedBefore: true, inboxCommitted: true },
    ]);
  });

  it('answers liveness without its dependencies, readiness with them, and exposes Prometheus metrics', async () => {
    const app = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
      HTTP_PORT: '0',
    });
    const live = await fetch(`${app.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    for (const path of ['/health/ready', '/health']) {
      const ready = await fetch(`${app.url}${path}`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, nats: { status: 'up' } },
      });
    }
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('ue_events_handled_total');
    expect(metrics).toMatch(/ue_consumer_pending_messages{consumer="notifier__drift_detected"[^}]*} \d+/);
  });

  it('stays live but not ready while Postgres hangs or NATS is gone, and is ready again after', async () => {
    const pgUrl = new URL(serviceDatabaseUrl('notifier'));
    const natsUrl = new URL(h.natsUrl);
    const pg = await new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432)).start();
    const nats = await new TcpProxy(natsUrl.hostname, Number(natsUrl.port || 4222)).start();
    try {
      const app = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
        DATABASE_URL: throughProxy(pgUrl.toString(), pg),
        NATS_URL: throughProxy(h.natsUrl, nats),
        HEALTH_TIMEOUT_MS: '500',
      });
      const probe = async (path: string) => {
        const started = Date.now();
        const res = await fetch(`${app.url}${path}`);
        return {
          status: res.status,
          body: (await res.json()) as { error?: Record<string, unknown> },
          ms: Date.now() - started,
        };
      };
      expect((await probe('/health/ready')).status).toBe(200);

      // A database that accepts connections but never answers: readiness gives up after its timeout.
      pg.set('blackhole');
      const hung = await probe('/health/ready');
      expect(hung.status).toBe(503);
      expect(hung.body.error).toHaveProperty('database');
      expect(hung.ms).toBeLessThan(5000);
      expect((await probe('/health/live')).status).toBe(200);
      pg.set('closed');
      pg.set('open');
      await pollUntil(async () => (await probe('/health/ready')).status === 200, {
        what: 'ready again after the database came back',
      });

      // NATS gone: the client reconnects in the background; meanwhile the pod is not ready but alive.
      nats.set('closed');
      const noNats = await pollUntil(
        async () => {
          const r = await probe('/health/ready');
          return r.status === 503 ? r : false;
        },
        { what: 'not ready without NATS' },
      );
      expect(noNats.body.error).toHaveProperty('nats');
      expect((await probe('/health/live')).status).toBe(200);
      nats.set('open');
      await pollUntil(async () => (await probe('/health/ready')).status === 200, {
        what: 'ready again after NATS came back',
        timeoutMs: 30_000,
      });
      await h.stopService(app);
    } finally {
      await pg.stop();
      await nats.stop();
    }
  }, 60_000);
});
