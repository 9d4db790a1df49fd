import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { ServiceInfo } from './service-info';

/** Prometheus metrics of one service (its own registry, so several services can share a test process). */
@Injectable()
export class MessagingMetrics {
  readonly registry = new Registry();
  readonly eventsHandled: Counter<'subject' | 'outcome'>;
  readonly handlerSeconds: Histogram<'subject'>;
  readonly outboxPublished: Counter<'subject'>;
  readonly deadLettered: Counter<'subject' | 'code'>;

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
    this.deadLettered = new Counter({
      name: 'ue_dead_lettered_total',
      help: 'Messages moved to the dead-letter stream',
      labelNames: ['subject', 'code'],
      registers: [this.registry],
    });
  }
}
