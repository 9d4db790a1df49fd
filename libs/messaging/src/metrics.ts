import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ServiceInfo } from './service-info';

/** The unpublished part of a service's outbox. */
export interface OutboxBacklog {
  pending: number;
  /** Age of the oldest unpublished row in seconds; 0 when there is none. */
  oldestSeconds: number;
}

/** Under Prometheus's default 10 s scrape timeout, with room for the rest of the scrape. */
const OUTBOX_QUERY_TIMEOUT_MS = 3000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Prometheus metrics of one service (its own registry, so several services can share a test process). */
@Injectable()
export class MessagingMetrics {
  readonly registry = new Registry();
  readonly eventsHandled: Counter<'subject' | 'outcome'>;
  readonly handlerSeconds: Histogram<'subject'>;
  readonly outboxPublished: Counter<'subject'>;
  readonly deadLettered: Counter<'subject' | 'code'>;

  /** Unacknowledged and undelivered messages per consumer (consumer lag), read from JetStream at scrape time. */
  readonly consumerLag: Gauge<'consumer'>;
  private lagSource: (() => Promise<{ consumer: string; pending: number }[]>) | null = null;

  /**
   * This service's outbox rows not yet published, and the age of the oldest, read from PostgreSQL at
   * scrape time. Every replica reports the same figures (they share the service's outbox): take `max`.
   */
  readonly outboxPending: Gauge<'source'>;
  readonly outboxOldestPendingSeconds: Gauge<'source'>;
  private outboxSource: (() => Promise<OutboxBacklog>) | null = null;

  constructor(service: ServiceInfo) {
    this.registry.setDefaultLabels({ service: service.name });
    collectDefaultMetrics({ register: this.registry });
    this.eventsHandled = new Counter({
      name: 'ue_events_handled_total',
      help: 'Events handled, by subject and outcome (ok, duplicate, retry, dead_letter)',
      labelNames: ['subject', 'outcome'],
      registers: [this.registry],
    });
    this.handlerSeconds = new Histogram({
      name: 'ue_event_handler_seconds',
      help: 'Time spent in event handlers',
      labelNames: ['subject'],
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60, 600],
      registers: [this.registry],
    });
    this.outboxPublished = new Counter({
      name: 'ue_outbox_published_total',
      help: 'Outbox rows published to JetStream',
      labelNames: ['subject'],
      registers: [this.registry],
    });
    // prom-client calls collect() with the gauge as `this`; the source comes from this service.
    const lag = (): Promise<{ consumer: string; pending: number }[]> =>
      this.lagSource ? this.lagSource().catch(() => []) : Promise.resolve([]);
    this.consumerLag = new Gauge({
      name: 'ue_consumer_pending_messages',
      help: 'Messages of each durable consumer not yet acknowledged (waiting or in flight)',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        const rows = await lag();
        this.reset();
        for (const c of rows) this.set({ consumer: c.consumer }, c.pending);
      },
    });
    // One query serves both gauges: prom-client collects them one after the other within a scrape, so the
    // first collect starts it and the second reuses it. A failed or slow query reports no value (absent,
    // not a misleading 0), and never fails the scrape: /metrics must answer while PostgreSQL is down.
    let backlog: Promise<OutboxBacklog | null> | null = null;
    const readBacklog = (): Promise<OutboxBacklog | null> => {
      if (!backlog) {
        const source = this.outboxSource;
        backlog = source
          ? withTimeout(source(), OUTBOX_QUERY_TIMEOUT_MS).catch(() => null)
          : Promise.resolve(null);
        // Forget it once settled, so that the next scrape asks again.
        void backlog.finally(() => setImmediate(() => (backlog = null)));
      }
      return backlog;
    };
    this.outboxPending = new Gauge({
      name: 'ue_outbox_pending_events',
      help: "Events in this service's outbox (source) not yet published to JetStream",
      // Labelled (the outbox's `source`, the service) so that "unknown" can be no series at all: a gauge
      // without labels always reports a value, 0 after a reset.
      labelNames: ['source'],
      registers: [this.registry],
      async collect() {
        const b = await readBacklog();
        this.reset();
        if (b) this.set({ source: service.name }, b.pending);
      },
    });
    this.outboxOldestPendingSeconds = new Gauge({
      name: 'ue_outbox_oldest_pending_seconds',
      help: "Age of the oldest event in this service's outbox (source) not yet published (0 when none)",
      labelNames: ['source'],
      registers: [this.registry],
      async collect() {
        const b = await readBacklog();
        this.reset();
        if (b) this.set({ source: service.name }, b.oldestSeconds);
      },
    });
    this.deadLettered = new Counter({
      name: 'ue_dead_lettered_total',
      help: 'Messages moved to the dead-letter stream',
      labelNames: ['subject', 'code'],
      registers: [this.registry],
    });
  }

  setLagSource(source: () => Promise<{ consumer: string; pending: number }[]>): void {
    this.lagSource = source;
  }

  /** Set by the OutboxRelay, which knows the service's outbox. */
  setOutboxSource(source: () => Promise<OutboxBacklog>): void {
    this.outboxSource = source;
  }

  /** A counter of a service's own (domain) metric, on the service's registry. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames: [...labelNames], buckets, registers: [this.registry] });
  }
}
