import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { AppLogger } from '@app/common';
import { HDR } from './headers';
import type { Topology } from './topology';

interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/**
 * Keeps a message that ran out of deliveries without anyone acking it (its handler crashed or hung on the
 * last attempt, so the service never dead-lettered it): JetStream announces it on
 * `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>`, and this copies the original from the
 * stream into the dead-letter stream with the reason. Every replica listens; the dead letter's
 * Nats-Msg-Id (the same as the service's own) makes the copy happen once.
 */
export class MaxDeliveriesWatcher {
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
    private readonly log: AppLogger,
  ) {}

  watch(consumers: readonly string[], onDeadLetter?: (consumer: string) => void): void {
    for (const consumer of consumers) {
      const sub = this.nc.subscribe(
        `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${this.topology.eventsStream}.${consumer}`,
      );
      this.subs.push(sub);
      void (async () => {
        // The subscription itself can fail (a permissions violation, a closed connection): that must be
        // logged, never become an unhandled rejection that stops the service.
        try {
          for await (const m of sub) {
            try {
              const a = m.json<MaxDeliveriesAdvisory>();
              await this.keep(a);
              onDeadLetter?.(a.consumer);
            } catch (err) {
              this.log.error('could not dead-letter a message out of deliveries', {
                consumer,
                err,
              });
            }
          }
        } catch (err) {
          this.log.error(
            'max-deliveries advisories are no longer received: out-of-delivery messages will not be dead-lettered',
            {
              consumer,
              err,
            },
          );
        }
      })();
    }
  }

  private async keep(a: MaxDeliveriesAdvisory): Promise<void> {
    const original = await this.jsm.streams.getMessage(a.stream, { seq: a.stream_seq });
    if (!original) {
      this.log.error('message out of deliveries is no longer in the stream', {
        consumer: a.consumer,
        streamSeq: a.stream_seq,
      });
      return;
    }
    const h = headers();
    const reason = `no acknowledgment after ${a.deliveries} deliveries: the handler crashed or hung on every attempt`;
    h.set(HDR.dlqCode, 'MAX_DELIVERIES');
    h.set(HDR.dlqReason, reason);
    h.set(HDR.dlqOriginalSubject, original.subject);
    h.set(HDR.dlqStreamSeq, String(a.stream_seq));
    h.set(HDR.dlqConsumer, a.consumer);
    h.set(HDR.dlqDeliveries, String(a.deliveries));
    h.set(HDR.dlqFailedAt, new Date().toISOString());
    for (const key of [HDR.correlationId, HDR.tenantId]) {
      const v = original.header?.get(key);
      if (v) h.set(key, v);
    }
    await this.js.publish(this.topology.deadLetterSubject(a.consumer), original.data, {
      msgID: `dlq-${a.stream}-${a.stream_seq}-${a.consumer}`,
      headers: h,
    });
    this.log.error('message dead-lettered after running out of deliveries', {
      consumer: a.consumer,
      streamSeq: a.stream_seq,
      reason,
      tenantId: original.header?.get(HDR.tenantId) || undefined,
      correlationId: original.header?.get(HDR.correlationId) || undefined,
    });
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
