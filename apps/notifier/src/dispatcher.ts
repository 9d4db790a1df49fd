import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppLogger, deterministicId } from '@app/common';
import { inPlatformTransaction, inTenantTransaction } from '@app/database';
import { Channels } from './channels';
import type { RenderedMessage } from './channels';
import { DeliveriesRepository } from './deliveries.repository';
import type { Delivery, DeliverySource } from './deliveries.repository';
import { htmlFromText, slackFromText } from './messages';
import { NotifierConfig } from './notifier.config';
import { NotifierSecrets } from './notifier.secrets';
import { MessagingMetrics } from '@app/messaging';

const CLAIM_LEASE_SECONDS = 300;

function render(d: Delivery): RenderedMessage {
  return {
    subject: d.subject,
    text: d.body,
    html: htmlFromText(d.subject, d.body),
    slack: slackFromText(d.severity, d.subject, d.body),
    json: {
      id: d.id,
      tenantId: d.tenantId,
      eventId: d.eventId,
      eventType: d.eventType,
      modelType: d.modelType,
      severity: d.severity,
      subject: d.subject,
      body: d.body,
      reminder: d.isReminder,
      correlationId: d.correlationId,
    },
  };
}

/**
 * Sends pending deliveries. Each delivery is its own attempt with its own timeout, all claimed ones at
 * once, so one slow or failing channel never delays another. Transient failures are retried with
 * exponential backoff (or after a 429's Retry-After); permanent ones are failed at once. A sweep re-sends
 * unacknowledged failure alerts once, as reminders.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private reminderTimer?: NodeJS.Timeout;
  private readonly channels: Channels;

  constructor(
    private readonly orm: MikroORM,
    private readonly deliveries: DeliveriesRepository,
    private readonly config: NotifierConfig,
    private readonly secrets: NotifierSecrets,
    private readonly log: AppLogger,
    metrics: MessagingMetrics,
  ) {
    this.channels = new Channels(config, secrets.endpoints);
    this.attempts = metrics.counter(
      'ue_notification_attempts_total',
      'Delivery attempts by channel and result (sent, retry, failed)',
      ['channel', 'result'],
    );
  }

  private readonly attempts;

  onApplicationBootstrap(): void {
    this.loop = this.run();
    this.reminderTimer = setInterval(() => {
      this.remind().catch((err: unknown) => this.log.warn('reminder sweep failed', { err }));
    }, this.config.REMINDER_SWEEP_SECONDS * 1000);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reminderTimer);
    await this.loop;
    this.channels.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let n = 0;
      try {
        n = await this.dispatchOnce();
      } catch (err) {
        this.log.warn('dispatch pass failed', { err });
      }
      if (n === 0) await new Promise((r) => setTimeout(r, this.config.NOTIFY_POLL_MS));
    }
  }

  /**
   * One pass: claims due deliveries and attempts them all concurrently. Returns how many it attempted.
   * The sent ones are recorded together, in one transaction per tenant (a pass holds deliveries of a few
   * tenants): a transaction per delivery was most of the notifier's CPU on a fleet. A crash before that
   * commit re-sends them after the lease, as a crash mid-send always could (at least once).
   */
  async dispatchOnce(): Promise<number> {
    // The queue holds every tenant's deliveries: claiming is platform-wide; each outcome is recorded
    // in its own tenant's scope (row-level security, libs/database).
    const due = await inPlatformTransaction(this.orm, (em) =>
      this.deliveries.claimDue(em, 50, CLAIM_LEASE_SECONDS),
    );
    const sent = (await Promise.all(due.map((d) => this.attempt(d)))).filter((d) => d !== null);
    const byTenant = new Map<string, Delivery[]>();
    for (const d of sent) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d]);
    for (const [tenantId, delivered] of byTenant) {
      await inTenantTransaction(this.orm, tenantId, (em) =>
        this.deliveries.markSent(
          em,
          delivered.map((d) => d.id),
        ),
      );
      for (const d of delivered) {
        this.attempts.inc({ channel: d.channel, result: 'sent' });
        this.logFor(d).info('notification sent', {
          recipient: d.channel === 'email' ? d.recipient : undefined,
          attempt: d.attempts + 1,
          reminder: d.isReminder,
        });
      }
    }
    return due.length;
  }

  private logFor(d: Delivery) {
    return this.log.child({
      tenantId: d.tenantId,
      correlationId: d.correlationId,
      notificationId: d.id,
      channel: d.channel,
    });
  }

  /** Sends one delivery. Returns it when it was sent (recorded by the caller); records a failure itself. */
  private async attempt(d: Delivery): Promise<Delivery | null> {
    const log = this.logFor(d);
    const result = await this.channels.send(d, render(d));
    if (result.ok) return d;
    const inTenant = (work: (em: EntityManager) => Promise<void>) =>
      inTenantTransaction(this.orm, d.tenantId, work);
    const error = this.secrets.scrub(result.error);
    const attempt = d.attempts + 1;
    if (result.permanent || attempt >= this.config.NOTIFY_MAX_ATTEMPTS) {
      await inTenant((em) =>
        this.deliveries.markFailed(
          em,
          d.id,
          result.permanent ? error : `${error} (gave up after ${attempt} attempts)`,
        ),
      );
      // Counted, so the UnionEyesMLNotificationsFailing alert sees deliveries given up on.
      this.attempts.inc({ channel: d.channel, result: 'failed' });
      log.warn('notification failed', { error, attempt, permanent: result.permanent });
      return null;
    }
    const backoff = this.config.NOTIFY_RETRY_BASE_MS * 2 ** (attempt - 1);
    const delay = Math.max(backoff, result.retryAfterMs ?? 0);
    await inTenant((em) => this.deliveries.markRetry(em, d.id, error, delay));
    this.attempts.inc({ channel: d.channel, result: 'retry' });
    log.info('notification will be retried', { error, attempt, retryInMs: delay });
    return null;
  }

  /** Re-sends, once, failure alerts nobody acknowledged in time (marked as reminders). */
  async remind(): Promise<number> {
    return inPlatformTransaction(this.orm, async (em) => {
      const due = await this.deliveries.dueForReminder(em, this.config.REMINDER_AFTER_SECONDS);
      let created = 0;
      for (const d of due) {
        const event: DeliverySource = {
          id: d.eventId,
          type: d.eventType,
          tenantId: d.tenantId,
          correlationId: d.correlationId,
        };
        const message = {
          severity: d.severity,
          subject: d.subject,
          body: d.body.split('\n\nAcknowledge:')[0]!,
          modelType: d.modelType,
        };
        // The reminder's key derives from the original delivery: at most one reminder each.
        created += await this.deliveries.record(
          em,
          event,
          message,
          [{ id: d.id, name: d.recipient, channel: d.channel, address: d.recipient }],
          true,
          deterministicId(`reminder:${d.id}`),
        );
      }
      if (created > 0)
        this.log.info('reminders queued for unacknowledged failure alerts', { count: created });
      return created;
    });
  }
}
