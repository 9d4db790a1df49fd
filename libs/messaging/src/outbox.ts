import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppLogger, errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { OutboxMessage } from '@app/database';
import { NatsService } from './nats.service';
import { publishEnvelope } from './publisher';
import { ServiceInfo } from './service-info';
import { MessagingMetrics } from './metrics';
import type { OutboxBacklog } from './metrics';

/** Most events one outbox insert holds: four parameters each, well under Postgres's 65,535 per statement. */
const OUTBOX_INSERT_MAX = 1000;

/**
 * Writes events into the outbox inside the caller's transaction, in order: one statement for up to a
 * thousand of them (a fleet's daily fan-out is five per tenant).
 */
export async function addToOutbox(
  em: EntityManager,
  source: string,
  ...envelopes: Envelope[]
): Promise<void> {
  for (let i = 0; i < envelopes.length; i += OUTBOX_INSERT_MAX)
    await em.insertMany(
      OutboxMessage,
      envelopes.slice(i, i + OUTBOX_INSERT_MAX).map((e) => ({
        id: e.id,
        source,
        subject: e.type,
        envelope: e as unknown as Record<string, unknown>,
      })),
    );
}

/**
 * A batch's bookkeeping in one statement: the handled events into this consumer's inbox
 * (processed_events), the events they caused into the outbox (in order), and whether the tenant exists
 * (`tenantId`; null: a platform event, not checked). `recorded` is how many inbox rows were written: fewer
 * than `eventIds` when some were there already (another delivery handled them meanwhile).
 */
export async function recordAndEmit(
  em: EntityManager,
  q: {
    consumer: string;
    subject: string;
    eventIds: readonly string[];
    source: string;
    envelopes: readonly Envelope[];
    tenantId: string | null;
  },
): Promise<{ recorded: number; tenantKnown: boolean }> {
  const [row] = await em.execute<{ recorded: number; known: boolean }[]>(
    `with recorded as (
       insert into processed_events (consumer, event_id, subject)
       select ?, x::uuid, ? from unnest(string_to_array(?, ',')) as x
       on conflict do nothing returning 1
     ), emitted as (
       insert into outbox (id, source, subject, envelope)
       select (e.value->>'id')::uuid, ?, e.value->>'type', e.value
         from jsonb_array_elements(cast(? as jsonb)) with ordinality as e(value, n)
        order by e.n
       returning 1
     )
     select (select count(*) from recorded)::int as recorded, (select count(*) from emitted)::int as emitted,
            (cast(? as text) is null or exists (select 1 from tenants where id = ?)) as known`,
    [
      q.consumer,
      q.subject,
      q.eventIds.join(','),
      q.source,
      JSON.stringify(q.envelopes),
      q.tenantId,
      q.tenantId,
    ],
  );
  return { recorded: Number(row?.recorded ?? 0), tenantKnown: row?.known === true };
}

interface OutboxRow {
  id: string;
  envelope: Envelope;
}

/**
 * Publishes this service's outbox rows to JetStream with `Nats-Msg-Id` = row id, then marks them
 * published. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas of a service share the work; a
 * crash between publish and mark only re-publishes, which the duplicate window (and the consumers'
 * inbox) absorbs.
 */
@Injectable()
export class OutboxRelay {
  private stopped = false;
  private wake: (() => void) | null = null;
  /** A kick that came while a pass was running: the next pass starts at once instead of after pollMs. */
  private kicked = false;
  /** publishCommitted's work in progress (stop waits for it). */
  private readonly direct = new Set<Promise<void>>();
  /**
   * Ids of the rows publishCommitted is publishing now: a relay pass leaves them alone. Without that, a
   * pass under load took hundreds of them, published them a second time and held their locks while it did,
   * so the direct path's update waited for it (bench:score: the most frequent wait in pg_stat_activity).
   */
  private readonly publishing = new Set<string>();
  /** Directly published ids waiting for the update that marks them, and that update (markPublished). */
  private readonly toMark: string[] = [];
  private marking: Promise<void> | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly pollMs = 500;
  private readonly batch = 100;

  constructor(
    private readonly orm: MikroORM,
    private readonly nats: NatsService,
    private readonly service: ServiceInfo,
    private readonly log: AppLogger,
    private readonly metrics: MessagingMetrics,
  ) {
    metrics.setOutboxSource(() => this.backlog());
  }

  /**
   * How many of this service's rows wait to be published, and for how long the oldest has waited. The
   * partial index outbox_unpublished (source, seq) where published_at is null finds the rows without
   * touching published ones (a handful at most: min(created_at) reads only those). The outbox has no row-level security, and every service role may read it
   * (group ue_service), so no tenant scope is needed.
   */
  async backlog(): Promise<OutboxBacklog> {
    const [row] = await this.orm.em.fork().execute<{ pending: number; oldest_seconds: number }[]>(
      `select count(*)::int as pending,
                coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_seconds
           from outbox where source = ? and published_at is null`,
      [this.service.name],
    );
    return {
      pending: Number(row?.pending ?? 0),
      oldestSeconds: Math.max(0, Number(row?.oldest_seconds ?? 0)),
    };
  }

  /** Started by the ConsumerHost once NATS is connected. */
  start(): void {
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /**
   * Events whose transaction just committed, published at once (all in one go) and then marked published
   * in one statement: they leave without waiting for a relay pass (a transaction of three statements),
   * which at one event per message is what a claim's latency is made of. Whatever cannot be published now
   * is left to the relay, kicked; an event published by both is dropped by JetStream's duplicate window.
   */
  publishCommitted(envelopes: readonly Envelope[]): void {
    if (envelopes.length === 0) return;
    for (const e of envelopes) this.publishing.add(e.id);
    const p: Promise<void> = this.publishNow(envelopes)
      .catch((err: unknown) => {
        this.log.warn('publishing committed events failed; the relay will', {
          err,
          events: envelopes.length,
        });
        this.kick();
      })
      .finally(() => {
        for (const e of envelopes) this.publishing.delete(e.id);
        this.direct.delete(p);
      });
    this.direct.add(p);
  }

  private async publishNow(envelopes: readonly Envelope[]): Promise<void> {
    const results = await Promise.allSettled(
      envelopes.map((e) => publishEnvelope(this.nats.js, this.nats.topology, e)),
    );
    const done = envelopes.filter((_, i) => results[i]!.status === 'fulfilled');
    for (const e of done) this.metrics.outboxPublished.inc({ subject: e.type });
    if (done.length < envelopes.length) this.kick();
    if (done.length > 0) await this.markPublished(done.map((e) => e.id));
  }

  /**
   * Marks directly published rows. The ids that come while an update runs go into the next one, so under
   * load one statement (and one commit) marks the rows of many transactions rather than one each.
   */
  private markPublished(ids: readonly string[]): Promise<void> {
    this.toMark.push(...ids);
    this.marking ??= this.flushMarks();
    return this.marking;
  }

  private async flushMarks(): Promise<void> {
    try {
      for (;;) {
        const ids = this.toMark.splice(0);
        // Settles (and lets the next ids start a new flush) in the same turn as this check.
        if (ids.length === 0) return;
        // A row another replica's relay holds (it is publishing it too) is skipped rather than waited
        // for: that relay marks it.
        await this.orm.em.fork().execute(
          `update outbox set published_at = now(), attempts = attempts + 1
            where id in (select id from outbox where id in (?) and published_at is null for update skip locked)`,
          [ids],
        );
      }
    } finally {
      this.marking = null;
    }
  }

  /** Called after a transaction that wrote to the outbox commits: publish now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    await Promise.all(this.direct);
    this.stopped = true;
    this.kick();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let published = 0;
      this.kicked = false;
      try {
        published = await this.publishBatch();
      } catch (err) {
        this.log.warn('outbox relay pass failed; will retry', { err });
      }
      // Rows committed during this pass (their kick found no sleeper) are published now, not pollMs later.
      if (published < this.batch && !this.stopped && !this.kicked) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** One pass: publishes up to a batch of pending rows; returns how many were published. */
  async publishBatch(): Promise<number> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      const rows = await tx.execute<OutboxRow[]>(
        `select id, envelope from outbox
          where source = ? and published_at is null and not (id = any(string_to_array(?, ',')::uuid[]))
          order by seq limit ? for update skip locked`,
        [this.service.name, [...this.publishing].join(','), this.batch],
      );
      // Sent one after the other on the one connection without waiting for each acknowledgment: the stream
      // receives them in the outbox's order, and a pass costs one round trip, not one per row (a service
      // emitting an event per message, such as the scorer's claim.scored, needs that). A row that fails
      // (NATS unreachable, the stream refusing) stays, with why, and goes again in a later pass: after
      // the rows behind it that got through this time.
      const results = await Promise.allSettled(
        rows.map((row) => publishEnvelope(this.nats.js, this.nats.topology, row.envelope)),
      );
      const done: string[] = [];
      const failed: string[] = [];
      let firstError: { row: OutboxRow; err: unknown } | undefined;
      results.forEach((r, i) => {
        const row = rows[i]!;
        if (r.status === 'fulfilled') {
          done.push(row.id);
          this.metrics.outboxPublished.inc({ subject: row.envelope.type });
        } else {
          failed.push(row.id);
          firstError ??= { row, err: r.reason };
        }
      });
      if (firstError) {
        const { row, err } = firstError;
        await tx.execute('update outbox set attempts = attempts + 1, last_error = ? where id in (?)', [
          errorMessage(err),
          failed,
        ]);
        this.log.warn('outbox publish failed', {
          err,
          failed: failed.length,
          eventId: row.id,
          subject: row.envelope.type,
          tenantId: row.envelope.tenantId,
          correlationId: row.envelope.correlationId,
        });
      }
      if (done.length > 0) {
        await tx.execute('update outbox set published_at = now(), attempts = attempts + 1 where id in (?)', [
          done,
        ]);
      }
      return done.length;
    });
  }
}
