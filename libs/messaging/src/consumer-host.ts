import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/transport-node';
import { AppLogger, BaseConfig, errorMessage } from '@app/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ContractViolation, followUp, parseEnvelope, PLATFORM_TENANT } from '@app/contracts';
import { ALL_TENANTS, scopeToAllTenants, scopeToTenant, TENANT_SETTING } from '@app/database';
import type { Envelope, PayloadOf, Subject } from '@app/contracts';
import { batchesOf, firstOfEach, groupBy } from './batching';
import type { BatchTiming } from './batching';
import { eventHandlersOf, MAX_BATCH } from './decorators';
import type { BatchEventHandler, EventHandler } from './decorators';
import { dispositionOf, MessagingError } from './error-disposition';
import type {
  AfterCommitContext,
  AfterCommitWork,
  BatchContext,
  Emit,
  HandlerContext,
} from './handler-context';
import { HDR } from './headers';
import { MaxDeliveriesWatcher } from './max-deliveries';
import { MessagingMetrics } from './metrics';
import { NatsService } from './nats.service';
import { addToOutbox, OutboxRelay, recordAndEmit } from './outbox';
import { ServiceInfo } from './service-info';

interface BindingBase {
  subject: Subject;
  durable: string;
  maxDeliver: number;
  /** Messages (single handlers) or batches (batch handlers) handled at once. */
  concurrency: number;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
}

interface SingleBinding extends BindingBase {
  kind: 'single';
  phased: boolean;
  handler: EventHandler<Subject>;
}

interface BatchBinding extends BindingBase {
  kind: 'batch';
  max: number;
  timing: BatchTiming;
  handler: BatchEventHandler<Subject>;
}

type Binding = SingleBinding | BatchBinding;

/** A valid message of a batch, with its envelope. */
interface Parsed {
  m: JsMsg;
  envelope: Envelope;
}

type Outcome = 'ok' | 'duplicate' | 'retry' | 'dead_letter';

/**
 * One tenant's events of a batch consumer: one transaction at a time, in the order they were pulled. The
 * groups pulled while one runs gather into the next (up to the batch max), so a tenant whose claims keep
 * coming gets one transaction for all that arrived meanwhile rather than one per pull.
 */
interface TenantLane {
  /** Settles when the last transaction queued has finished. */
  tail: Promise<void>;
  /** The transaction waiting for its turn, still taking groups; null when none waits. */
  gathering: { group: Parsed[]; done: Promise<void> } | null;
}

/** Retry delay after the n-th failed delivery: base, 4x base, 16x base ... capped at 5 minutes. */
export function retryDelayMs(deliveryCount: number, baseMs: number): number {
  return Math.min(baseMs * 4 ** Math.max(0, deliveryCount - 1), 300_000);
}

/**
 * The message edge of a service. At start-up it connects to JetStream, creates one durable pull
 * consumer per `@OnEvent` handler, starts the outbox relay, and consumes. For every message:
 * validate the envelope and payload (a violation is dead-lettered with its reason), open a fresh
 * EntityManager and a transaction, record the event id in `processed_events` (a redelivery is then a
 * no-op), run the handler, commit, ack. A phased handler may register work for after the commit
 * (`ctx.afterCommit`): it runs outside any transaction, opening short ones of its own, and the message is
 * acked when it is done. Errors are mapped here (`dispositionOf`): retryable -> nak with a growing delay,
 * non-retryable or out of deliveries -> dead-letter stream with the payload and the reason.
 * A batch handler (`@OnEvent(subject, { batch })`) gets the messages of one pull at once, one transaction
 * and one call per tenant, with the same guarantees per message (`handleTenantBatch`).
 */
@Injectable()
export class ConsumerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly bindings: Binding[] = [];
  /** Per batch consumer and tenant: its transaction in flight and the one gathering behind it. */
  private readonly tenantLanes = new Map<string, TenantLane>();
  private stopping = false;
  private watcher?: MaxDeliveriesWatcher;
  private readonly heartbeatMs: number;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly orm: MikroORM,
    private readonly nats: NatsService,
    private readonly relay: OutboxRelay,
    private readonly service: ServiceInfo,
    private readonly config: BaseConfig,
    private readonly log: AppLogger,
    private readonly metrics: MessagingMetrics,
  ) {
    this.heartbeatMs = Math.max(500, (config.ACK_WAIT_SECONDS * 1000) / 3);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.connect(this.service.name);
    this.relay.start();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      for (const meta of eventHandlersOf(instance.constructor)) {
        const method = (instance as Record<string | symbol, unknown>)[meta.key];
        if (typeof method !== 'function') continue;
        const base = {
          subject: meta.subject,
          durable: this.nats.topology.consumerName(this.service.name, meta.subject),
          maxDeliver: meta.options.maxDeliver ?? this.config.MAX_DELIVER,
          concurrency: meta.options.concurrency ?? this.config.CONSUMER_CONCURRENCY,
        };
        const batch = meta.options.batch;
        if (batch) {
          if (!(Number.isInteger(batch.max) && batch.max >= 1 && batch.max <= MAX_BATCH))
            throw new Error(
              `${base.durable}: batch max must be an integer in 1..${MAX_BATCH}, got ${batch.max}`,
            );
          if (meta.options.phased) throw new Error(`${base.durable}: a batch handler cannot be phased`);
          this.bindings.push({
            ...base,
            kind: 'batch',
            max: batch.max,
            timing: { lingerMs: batch.lingerMs, fillMs: batch.fillMs },
            handler: (method as BatchEventHandler<Subject>).bind(instance),
          });
        } else {
          this.bindings.push({
            ...base,
            kind: 'single',
            phased: meta.options.phased ?? false,
            handler: (method as EventHandler<Subject>).bind(instance),
          });
        }
      }
    }
    for (const binding of this.bindings) await this.start(binding);
    this.watcher = new MaxDeliveriesWatcher(
      this.nats.nc,
      this.nats.js,
      this.nats.jsm,
      this.nats.topology,
      this.log,
    );
    this.watcher.watch(
      this.bindings.map((b) => b.durable),
      (consumer) =>
        this.metrics.deadLettered.inc({
          subject: this.bindings.find((b) => b.durable === consumer)?.subject ?? 'unknown',
          code: 'MAX_DELIVERIES',
        }),
    );
    this.metrics.setLagSource(async () =>
      Promise.all(
        this.bindings.map(async (b) => {
          const info = await this.nats.jsm.consumers.info(this.nats.topology.eventsStream, b.durable);
          return { consumer: b.durable, pending: info.num_pending + info.num_ack_pending };
        }),
      ),
    );
    this.log.info('consuming', { consumers: this.bindings.map((b) => b.durable) });
  }

  /** Consumers this service runs (for /health and tests). */
  get consumerNames(): string[] {
    return this.bindings.map((b) => b.durable);
  }

  private async start(binding: Binding): Promise<void> {
    const { jsm, js, topology } = this.nats;
    // Adding an existing durable with a different config updates it, so this is safe on every start.
    await jsm.consumers.add(topology.eventsStream, {
      durable_name: binding.durable,
      filter_subject: topology.subject(binding.subject),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.config.ACK_WAIT_SECONDS * 1000),
      max_deliver: binding.maxDeliver,
      max_ack_pending: 1000,
    });
    const consumer = await js.consumers.get(topology.eventsStream, binding.durable);
    if (binding.kind === 'batch') {
      // Room for the batches in hand and the next one filling meanwhile.
      const messages = await consumer.consume({
        max_messages: Math.min(MAX_BATCH, binding.max * (binding.concurrency + 1)),
      });
      binding.messages = messages;
      binding.loop = this.run(binding, batchesOf(messages, binding.max, binding.timing), (batch) =>
        this.handleBatch(binding, batch),
      );
      return;
    }
    // Pull only as many messages as can be handled at once: a buffered message never waits past its ack_wait.
    const messages = await consumer.consume({ max_messages: binding.concurrency });
    binding.messages = messages;
    binding.loop = this.run(binding, messages, (m) => this.handle(binding, m));
  }

  /** Hands each item (a message, or a batch) to `handle`, with at most `binding.concurrency` in flight. */
  private async run<T>(
    binding: Binding,
    items: AsyncIterable<T>,
    handle: (item: T) => Promise<void>,
  ): Promise<void> {
    try {
      const inflight = new Set<Promise<void>>();
      for await (const item of items) {
        const p: Promise<void> = handle(item)
          .catch((err: unknown) =>
            this.log.error('message handling failed unexpectedly', { consumer: binding.durable, err }),
          )
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= binding.concurrency) await Promise.race(inflight);
        if (this.stopping) break;
      }
      await Promise.all(inflight);
    } catch (err) {
      this.log.error('consumer loop ended with an error', { consumer: binding.durable, err });
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.watcher?.stop();
    for (const b of this.bindings) b.messages?.stop();
    await Promise.all(this.bindings.map((b) => b.loop));
    await this.relay.stop();
  }

  private async handle(binding: SingleBinding, m: JsMsg): Promise<void> {
    const started = process.hrtime.bigint();
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(binding.subject, m.data);
    } catch (err) {
      const reason = err instanceof ContractViolation ? err.reason : errorMessage(err);
      await this.deadLetter(binding, m, 'CONTRACT_VIOLATION', reason);
      return;
    }
    const log = this.log.child({
      tenantId: envelope.tenantId,
      correlationId: envelope.correlationId,
      eventId: envelope.id,
      subject: binding.subject,
    });
    // Heartbeats keep a long handler's message; a handler past HANDLER_TIMEOUT_SECONDS (hung) loses it,
    // so it is redelivered and, after the last delivery, dead-lettered.
    const deadline = Date.now() + this.config.HANDLER_TIMEOUT_SECONDS * 1000;
    const heartbeat = setInterval(() => {
      if (Date.now() < deadline) return m.working();
      clearInterval(heartbeat);
      log.error('handler still running past HANDLER_TIMEOUT_SECONDS: its message will be redelivered', {
        timeoutSeconds: this.config.HANDLER_TIMEOUT_SECONDS,
      });
    }, this.heartbeatMs);
    let outcome: Outcome = 'ok';
    try {
      let emitted = 0;
      let after: AfterCommitWork | undefined;
      let duplicate: Record<string, unknown> | undefined;
      const processed = await this.orm.em.fork().transactional(async (em) => {
        const fresh = await em.execute<{ event_id: string }[]>(
          'insert into processed_events (consumer, event_id, subject) values (?, ?, ?) on conflict do nothing returning event_id',
          [binding.durable, envelope.id, binding.subject],
        );
        // A phased handler sees the redelivery anyway: its second phase may not have finished.
        if (fresh.length === 0 && !binding.phased) return false;
        await this.scope(em, envelope);
        if (envelope.tenantId !== PLATFORM_TENANT) {
          const known = await em.execute<{ id: string }[]>('select id from tenants where id = ?', [
            envelope.tenantId,
          ]);
          if (known.length === 0)
            throw new MessagingError('UNKNOWN_TENANT', `tenant "${envelope.tenantId}" does not exist`, false);
        }
        // Events the handler emits are collected and written to the outbox in one statement, at the end of
        // its transaction: one round trip however many it emits.
        const pending: Envelope[] = [];
        const ctx: HandlerContext = {
          em,
          log,
          deliveryCount: m.info.deliveryCount,
          recordedBefore: fresh.length === 0,
          working: () => m.working(),
          emit: this.emitter(envelope, pending),
          afterCommit: (work) => {
            if (!binding.phased)
              throw new Error(`${binding.durable}: afterCommit needs @OnEvent(..., { phased: true })`);
            after = work;
          },
          duplicate: (details = {}) => {
            duplicate = details;
          },
        };
        await binding.handler(envelope, ctx);
        await addToOutbox(em, this.service.name, ...pending);
        emitted = pending.length;
        return true;
      });
      if (emitted > 0) this.relay.kick();
      if (!processed || duplicate) {
        outcome = 'duplicate';
        log.info('duplicate event ignored (already processed)', duplicate);
      } else if (after) {
        emitted += await this.afterCommit(after, envelope, m, log);
      }
      if (outcome === 'ok') log.debug('event handled', { emitted });
      await this.ack(m, log);
    } catch (err) {
      outcome = await this.onFailure(binding, m, err, log);
    } finally {
      clearInterval(heartbeat);
      this.metrics.eventsHandled.inc({ subject: binding.subject, outcome });
      this.metrics.handlerSeconds.observe(
        { subject: binding.subject },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }

  /**
   * One pull of a batch handler's consumer. Each message is validated alone (a violation is dead-lettered
   * with its reason, as for single handlers); the valid ones are grouped by tenant, and each tenant's
   * group joins that tenant's lane (`inTenantLane`): the tenants side by side, one transaction at a time
   * per tenant, in the order the groups were pulled, so a tenant's events are never handled by two
   * transactions at once. The pull is done when its groups' transactions are.
   */
  private async handleBatch(binding: BatchBinding, msgs: JsMsg[]): Promise<void> {
    const parsed: Parsed[] = [];
    for (const m of msgs) {
      try {
        parsed.push({ m, envelope: parseEnvelope(binding.subject, m.data) });
      } catch (err) {
        const reason = err instanceof ContractViolation ? err.reason : errorMessage(err);
        await this.deadLetter(binding, m, 'CONTRACT_VIOLATION', reason);
        this.metrics.eventsHandled.inc({ subject: binding.subject, outcome: 'dead_letter' });
      }
    }
    if (parsed.length === 0) return;
    const deadline = Date.now() + this.config.HANDLER_TIMEOUT_SECONDS * 1000;
    const heartbeat = setInterval(() => {
      if (Date.now() < deadline) return parsed.forEach((p) => p.m.working());
      clearInterval(heartbeat);
      this.log.error('batch still running past HANDLER_TIMEOUT_SECONDS: its messages will be redelivered', {
        consumer: binding.durable,
        timeoutSeconds: this.config.HANDLER_TIMEOUT_SECONDS,
      });
    }, this.heartbeatMs);
    try {
      await Promise.all(
        [...groupBy(parsed, (p) => p.envelope.tenantId)].map(([tenantId, group]) =>
          this.inTenantLane(binding, tenantId, group),
        ),
      );
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Handles a tenant's group after the transactions queued before it for the same consumer and tenant. If
   * a transaction is already waiting for its turn there, the group joins it (while it stays within the
   * batch max): the events of several pulls then share one transaction, still in pull order.
   */
  private inTenantLane(binding: BatchBinding, tenantId: string, group: Parsed[]): Promise<void> {
    const key = `${binding.durable}\u0000${tenantId}`;
    let lane = this.tenantLanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), gathering: null };
      this.tenantLanes.set(key, lane);
    }
    const waiting = lane.gathering;
    if (waiting && waiting.group.length + group.length <= binding.max) {
      waiting.group.push(...group);
      return waiting.done;
    }
    const l = lane;
    const next: { group: Parsed[]; done: Promise<void> } = { group: [...group], done: Promise.resolve() };
    next.done = l.tail.then(() => {
      // Its turn: from now on, groups pulled gather into a transaction behind it.
      if (l.gathering === next) l.gathering = null;
      return this.handleTenantBatch(binding, tenantId, next.group);
    });
    l.gathering = next;
    const tail = next.done.catch(() => undefined);
    l.tail = tail;
    void tail.then(() => {
      if (l.tail === tail && l.gathering === null && this.tenantLanes.get(key) === l)
        this.tenantLanes.delete(key);
    });
    return next.done;
  }

  /**
   * One tenant's part of a pull, in one transaction: the scope and the events the inbox holds already in
   * one statement (they, and second copies within the pull, are duplicates the handler never sees), the
   * handler on the rest, then the handled events into the inbox and what they caused into the outbox in
   * one statement. The events it failed (`ctx.fail`) leave nothing behind. After the commit the messages
   * are acknowledged and the failed ones disposed of one by one; if the transaction fails, every message
   * of the group is, as a single handler's would be (retried with back-off, or dead-lettered).
   */
  private async handleTenantBatch(binding: BatchBinding, tenantId: string, group: Parsed[]): Promise<void> {
    const started = process.hrtime.bigint();
    const log = this.log.child({ tenantId, subject: binding.subject, events: group.length });
    const logFor = (e: Envelope): AppLogger =>
      this.log.child({
        tenantId: e.tenantId,
        correlationId: e.correlationId,
        eventId: e.id,
        subject: binding.subject,
      });
    // Ids compare as Postgres returns uuids: lower case.
    const idOf = (p: Parsed): string => p.envelope.id.toLowerCase();
    const { first, repeats } = firstOfEach(group, idOf);
    const handled = new Set<string>();
    const failed = new Map<string, unknown>();
    const outcomes: Outcome[] = [];
    try {
      let emitted: Envelope[] = [];
      await this.orm.em.fork().transactional(async (em) => {
        // One index probe per id, whatever the statistics say: a lateral subquery with a limit is not
        // flattened into a join. With `event_id = any(...)` (or a plain join) the planner read the
        // consumer's whole inbox when its statistics were older than its rows (bench:score: 24,000 rows
        // read to find none of 60 ids, 12 ms; the probes take 0.6 ms), and an inbox only grows.
        const [row] = await em.execute<{ seen: string[] }[]>(
          `select set_config(?, ?, true) as scope,
                  array(select x.id::text
                          from unnest(string_to_array(?, ',')::uuid[]) as x(id),
                               lateral (select 1 from processed_events p
                                         where p.consumer = ? and p.event_id = x.id limit 1) as hit) as seen`,
          [
            TENANT_SETTING,
            tenantId === PLATFORM_TENANT ? ALL_TENANTS : tenantId,
            first.map(idOf).join(','),
            binding.durable,
          ],
        );
        const recordedBefore = new Set(row?.seen ?? []);
        const todo = first.filter((p) => !recordedBefore.has(idOf(p)));
        if (todo.length === 0) return;
        const events = new Map(todo.map((p) => [p.envelope.id, p.envelope]));
        const pending: Envelope[] = [];
        const ctx: BatchContext = {
          em,
          tenantId,
          log,
          logFor,
          emit: <S extends Subject>(
            cause: Envelope,
            subject: S,
            payload: PayloadOf<S>,
            opts?: { id?: string },
          ) => {
            const next = followUp(cause, subject, payload, opts?.id);
            pending.push(next);
            return Promise.resolve(next);
          },
          fail: (event, err) => {
            if (events.get(event.id) !== event)
              throw new Error(`${binding.durable}: event ${event.id} is not in this batch`);
            failed.set(event.id, err);
          },
          working: () => group.forEach((p) => p.m.working()),
        };
        await binding.handler([...events.values()], ctx);
        // A failed event leaves no trace: no follow-up, and no inbox record (a retry must be handled again,
        // not taken for a duplicate; a dead letter may be replayed). The inbox rows are written last for
        // that reason (service roles may not delete from the inbox).
        const done = [...events.keys()].filter((id) => !failed.has(id));
        const emits = pending.filter((e) => !e.causationId || !failed.has(e.causationId));
        const { recorded, tenantKnown } = await recordAndEmit(em, {
          consumer: binding.durable,
          subject: binding.subject,
          eventIds: done,
          source: this.service.name,
          envelopes: emits,
          tenantId: tenantId === PLATFORM_TENANT ? null : tenantId,
        });
        // Checked last (with the inbox, in the same statement) rather than first: an unknown tenant's events
        // find nothing to read, and rolling back their transaction leaves nothing written, as a check first
        // would, one round trip cheaper for every known tenant's.
        if (!tenantKnown)
          throw new MessagingError('UNKNOWN_TENANT', `tenant "${tenantId}" does not exist`, false);
        // A row another transaction wrote meanwhile (the same message delivered to two replicas) conflicts:
        // this one rolls back and is retried, and then finds it a duplicate.
        if (recorded !== done.length)
          throw new MessagingError(
            'CONCURRENT_DELIVERY',
            `${done.length - recorded} event(s) of the batch were handled meanwhile by another delivery`,
            true,
          );
        emitted = emits;
        for (const id of done) handled.add(id);
      });
      this.relay.publishCommitted(emitted);
      // Acknowledged without waiting for the server's confirmation (one write for the whole batch, not a
      // round trip per message): the work is committed and in the inbox, so a lost ack only brings a
      // redelivery the inbox ignores.
      const failures: Promise<void>[] = [];
      const duplicate = (p: Parsed): void => {
        outcomes.push('duplicate');
        logFor(p.envelope).info('duplicate event ignored (already processed)');
        p.m.ack();
      };
      for (const p of first) {
        const id = p.envelope.id;
        if (failed.has(id))
          failures.push(
            this.onFailure(binding, p.m, failed.get(id), logFor(p.envelope)).then(
              (o) => void outcomes.push(o),
            ),
          );
        else if (handled.has(id)) {
          outcomes.push('ok');
          p.m.ack();
        } else duplicate(p);
      }
      repeats.forEach(duplicate);
      await Promise.all(failures);
      log.debug('batch handled', { handled: handled.size, failed: failed.size, emitted: emitted.length });
    } catch (err) {
      // The transaction rolled back: nothing of the group was written, each message goes its own way.
      for (const p of group) outcomes.push(await this.onFailure(binding, p.m, err, logFor(p.envelope)));
    } finally {
      for (const outcome of outcomes) this.metrics.eventsHandled.inc({ subject: binding.subject, outcome });
      this.metrics.handlerSeconds.observe(
        { subject: binding.subject },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }

  /**
   * Row-level security: everything a handler reads or writes is its event's tenant's (or, for platform
   * events such as seeding, every tenant's, where the service's role allows it).
   */
  private async scope(em: EntityManager, envelope: Envelope): Promise<void> {
    if (envelope.tenantId === PLATFORM_TENANT) await scopeToAllTenants(em);
    else await scopeToTenant(em, envelope.tenantId);
  }

  private emitter(envelope: Envelope, pending: Envelope[]): Emit {
    return <S extends Subject>(
      subject: S,
      payload: PayloadOf<S>,
      opts?: { id?: string; tenantId?: string },
    ) => {
      const next = followUp(envelope, subject, payload, opts?.id);
      if (opts?.tenantId) next.tenantId = opts.tenantId;
      pending.push(next);
      return Promise.resolve(next);
    };
  }

  /** Runs a phased handler's second phase; returns how many events its transactions emitted. */
  private async afterCommit(
    work: AfterCommitWork,
    envelope: Envelope,
    m: JsMsg,
    log: AppLogger,
  ): Promise<number> {
    let emitted = 0;
    const ctx: AfterCommitContext = {
      log,
      deliveryCount: m.info.deliveryCount,
      working: () => m.working(),
      transaction: async (txWork) => {
        const pending: Envelope[] = [];
        const result = await this.orm.em.fork().transactional(async (em) => {
          await this.scope(em, envelope);
          const r = await txWork({ em, emit: this.emitter(envelope, pending) });
          await addToOutbox(em, this.service.name, ...pending);
          return r;
        });
        emitted += pending.length;
        if (pending.length > 0) this.relay.kick();
        return result;
      },
    };
    await work(ctx);
    return emitted;
  }

  private async ack(m: JsMsg, log: AppLogger): Promise<void> {
    try {
      await m.ackAck();
    } catch (err) {
      // The work is committed and recorded in the inbox; a redelivery will be a no-op.
      log.warn('ack not confirmed; a redelivery will be ignored by the inbox', { err });
    }
  }

  private async onFailure(binding: BindingBase, m: JsMsg, err: unknown, log: AppLogger): Promise<Outcome> {
    const d = dispositionOf(err);
    if (d.action === 'dead_letter') {
      await this.deadLetter(
        binding,
        m,
        d.code,
        d.reason,
        log,
        err instanceof ContractViolation ? undefined : err,
      );
      return 'dead_letter';
    }
    if (m.info.deliveryCount >= binding.maxDeliver) {
      await this.deadLetter(
        binding,
        m,
        'MAX_DELIVERIES',
        `${d.code}: ${d.reason} (after ${m.info.deliveryCount} deliveries)`,
        log,
        err,
      );
      return 'dead_letter';
    }
    const delay = retryDelayMs(m.info.deliveryCount, this.config.RETRY_BASE_MS);
    log.warn('handler failed; will retry', {
      code: d.code,
      err,
      delivery: m.info.deliveryCount,
      retryInMs: delay,
    });
    m.nak(delay);
    return 'retry';
  }

  /**
   * Keeps the original bytes and the reason in the dead-letter stream, then stops redelivery. `log`
   * carries the event's tenantId and correlationId when the envelope could be read; `err`, the handler's
   * exception, puts its stack in the log line (not in the stream: the reason is enough there).
   */
  private async deadLetter(
    binding: BindingBase,
    m: JsMsg,
    code: string,
    reason: string,
    log: AppLogger = this.log,
    err?: unknown,
  ): Promise<void> {
    const { js, topology } = this.nats;
    const h = headers();
    h.set(HDR.dlqCode, code);
    h.set(HDR.dlqReason, reason.slice(0, 4000).replace(/[\r\n]+/g, ' '));
    h.set(HDR.dlqOriginalSubject, m.subject);
    h.set(HDR.dlqStreamSeq, String(m.seq));
    h.set(HDR.dlqConsumer, binding.durable);
    h.set(HDR.dlqDeliveries, String(m.info.deliveryCount));
    h.set(HDR.dlqFailedAt, new Date().toISOString());
    const correlationId = m.headers?.get(HDR.correlationId);
    const tenantId = m.headers?.get(HDR.tenantId);
    if (correlationId) h.set(HDR.correlationId, correlationId);
    if (tenantId) h.set(HDR.tenantId, tenantId);
    try {
      await js.publish(topology.deadLetterSubject(binding.durable), m.data, {
        msgID: `dlq-${topology.eventsStream}-${m.seq}-${binding.durable}`,
        headers: h,
      });
    } catch (publishError) {
      // Never drop a message we could not park: let it come back.
      log.error('dead-letter publish failed; message will be redelivered', {
        err: publishError,
        consumer: binding.durable,
      });
      m.nak(retryDelayMs(m.info.deliveryCount, this.config.RETRY_BASE_MS));
      return;
    }
    m.term();
    this.metrics.deadLettered.inc({ subject: binding.subject, code });
    log.error('message dead-lettered', {
      code,
      reason,
      err,
      consumer: binding.durable,
      streamSeq: m.seq,
      // Headers when the envelope could not be read (the child logger has them otherwise).
      ...(log === this.log
        ? { tenantId: tenantId || undefined, correlationId: correlationId || undefined }
        : {}),
    });
  }
}
