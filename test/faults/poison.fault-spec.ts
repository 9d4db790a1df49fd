import { Injectable, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { BaseConfig } from '@app/common';
import type { AppLogger } from '@app/common';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { HDR, OnEvent, ServiceModule } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { createTenant } from '../integration/support/harness';
import { FaultHarness } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { LockHolder } from './support/pg-locks';

const POISON_VERSION = 13;
const MAX_DELIVER = 4;
const RETRY_BASE_MS = 300;

/** A consumer whose handler fails on one message every time (a bug it hits on that payload only). */
@Injectable()
class Fragile {
  /** When each event was delivered, by event id. */
  readonly deliveries = new Map<string, number[]>();

  @OnEvent('model.deployed', { maxDeliver: MAX_DELIVER })
  async onDeployed(event: Envelope<'model.deployed'>, _ctx: HandlerContext): Promise<void> {
    this.deliveries.set(event.id, [...(this.deliveries.get(event.id) ?? []), Date.now()]);
    if (event.payload.version === POISON_VERSION) throw new Error(`cannot handle version ${POISON_VERSION}`);
  }
}

@Module({})
class FragileModule {
  static forRoot(config: BaseConfig, logger: AppLogger): DynamicModule {
    return {
      module: FragileModule,
      imports: [ServiceModule.forRoot({ service: 'fragile', config, configClass: BaseConfig, logger })],
      providers: [Fragile],
    };
  }
}

// A poison message: retried with a growing delay up to its delivery limit, then dead-lettered with its
// payload and the reason, while the messages behind it go through.
describe('faults: a poison message', () => {
  const h = new FaultHarness();
  const tenantId = 'tenant_poison';
  let since: Date;

  beforeAll(async () => {
    await h.start();
    since = await databaseNow(h);
    await createTenant(h, tenantId);
  }, 120_000);
  afterAll(async () => {
    await LockHolder.releaseAll();
    await h.stop();
  }, 120_000);

  it('retries it with backoff up to the limit, dead-letters it with payload and reason, and keeps the others flowing', async () => {
    const fragile = await h.startService('fragile', BaseConfig, (c, l) => FragileModule.forRoot(c, l), {
      RETRY_BASE_MS: String(RETRY_BASE_MS),
    });
    // The notifier consumes the same subject: for it the message is no poison.
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
    const deployed = (version: number) =>
      createEnvelope(
        'model.deployed',
        { modelType: 'timeline', version, previousVersion: 1, reason: 'validated', accuracy: 0.9 },
        { tenantId },
      );
    const poison = deployed(POISON_VERSION);
    const good = [2, 3, 4, 5, 6].map(deployed);
    await h.publish(poison);
    for (const e of good) await h.publish(e);

    await h.streamHolds(h.topology.deadLetterStream, 1, { what: 'the dead letter', timeoutMs: 60_000 });
    const dead = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq: 1 });
    const seen = fragile.app.get(Fragile).deliveries;
    const tries = seen.get(poison.id) ?? [];
    expect(tries).toHaveLength(MAX_DELIVER);
    // Each retry waited at least RETRY_BASE_MS x 4^(n-1) (lower bounds only: a busy machine adds delay).
    tries.slice(1).forEach((at, i) => {
      expect(at - tries[i]!).toBeGreaterThanOrEqual(0.9 * RETRY_BASE_MS * 4 ** i);
    });
    // The messages behind it were handled, once each, while it was still being retried.
    for (const e of good) {
      expect(seen.get(e.id)).toHaveLength(1);
      expect(seen.get(e.id)![0]).toBeLessThan(tries[MAX_DELIVER - 1]!);
    }
    // Parked with its bytes, where it came from, and why.
    expect(dead!.string()).toBe(JSON.stringify(poison));
    expect(dead!.header.get(HDR.dlqCode)).toBe('MAX_DELIVERIES');
    expect(dead!.header.get(HDR.dlqReason)).toBe(
      `HANDLER_ERROR: cannot handle version ${POISON_VERSION} (after ${MAX_DELIVER} deliveries)`,
    );
    expect(dead!.header.get(HDR.dlqConsumer)).toBe('fragile__model_deployed');
    expect(dead!.header.get(HDR.dlqOriginalSubject)).toBe(h.topology.subject('model.deployed'));
    expect(dead!.header.get(HDR.dlqDeliveries)).toBe(String(MAX_DELIVER));
    expect(dead!.header.get(HDR.correlationId)).toBe(poison.correlationId);

    const report = await checkInvariants(h, {
      tenants: [tenantId],
      since,
      deadLetters: [{ eventId: poison.id, consumer: 'fragile__model_deployed', code: 'MAX_DELIVERIES' }],
    });
    const poisonSeq = report.events.find((e) => e.envelope?.id === poison.id)!.seq;
    expect(dead!.header.get(HDR.dlqStreamSeq)).toBe(String(poisonSeq));
    // Nothing more came of it after it was parked.
    expect(seen.get(poison.id)).toHaveLength(MAX_DELIVER);
  }, 180_000);
});
