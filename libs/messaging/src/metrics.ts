import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ServiceInfo } from './service-info';

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
