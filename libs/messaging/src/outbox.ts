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

/** Writes events into the outbox inside the caller's transaction (one statement for all of them). */
export async function addToOutbox(
  em: EntityManager,
  source: string,
  ...envelopes: Envelope[]
): Promise<void> {
  if (envelopes.length === 0) return;
  await em.insertMany(
    OutboxMessage,
    envelopes.map((e) => ({
      id: e.id,
      source,
      subject: e.type,
      envelope: e as unknown as Record<string, unknown>,
    })),
  );
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

  /** Called after a transaction that wrote to the outbox commits: publish now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
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
        'select id, envelope from outbox where source = ? and published_at is null order by seq limit ? for update skip locked',
        [this.service.name, this.batch],
      );
      const done: string[] = [];
      for (const row of rows) {
        try {
          await publishEnvelope(this.nats.js, this.nats.topology, row.envelope);
          done.push(row.id);
          this.metrics.outboxPublished.inc({ subject: row.envelope.type });
        } catch (err) {
          // NATS unreachable or the stream refuses: keep the row, record why, stop this pass.
          await tx.execute('update outbox set attempts = attempts + 1, last_error = ? where id = ?', [
            errorMessage(err),
            row.id,
          ]);
          this.log.warn('outbox publish failed', {
            err,
            eventId: row.id,
            subject: row.envelope.type,
            tenantId: row.envelope.tenantId,
            correlationId: row.envelope.correlationId,
          });
          break;
        }
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
