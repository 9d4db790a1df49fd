import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { HDR, MaxDeliveriesWatcher } from '@app/messaging';
import { AppLogger } from '@app/common';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { TcpProxy, throughProxy } from '../support/tcp-proxy';
import { createTenant, Harness, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';

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
    const info = await pollUntil(
      async () => {
        const i = await h.jsm.streams.info(dlq);
        return i.state.messages >= 5 ? i : false;
      },
      { what: 'five dead letters' },
    );
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
