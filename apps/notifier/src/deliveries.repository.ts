import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Envelope } from '@app/contracts';
import type { NotificationMessage } from './messages';
import { textBody } from './messages';

export interface Recipient {
  id: string;
  name: string;
  channel: 'email' | 'slack' | 'in_app' | 'webhook';
  address: string;
}

export interface Delivery {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  severity: NotificationMessage['severity'];
  channel: Recipient['channel'];
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  is_reminder: boolean;
  correlation_id: string;
  model_type: string | null;
}

/** Recipient of in-app notifications when a tenant has no stakeholder list: nothing is ever dropped. */
export function defaultRecipient(tenantId: string): Recipient {
  return {
    id: 'default',
    name: 'ML administrators',
    channel: 'in_app',
    address: `tenant:${tenantId}:ml-admins`,
  };
}

/** The notification log (ml_retraining_notifications) and the stakeholder lists (notification_recipients). */
@Injectable()
export class DeliveriesRepository {
  /** Active recipients of a tenant who want this event type or severity ("*" for everything). */
  async recipientsFor(
    em: EntityManager,
    tenantId: string,
    eventType: string,
    severity: string,
  ): Promise<Recipient[]> {
    return em.execute<Recipient[]>(
      `select id, name, channel, address from notification_recipients
        where tenant_id = ? and is_active and (event_kinds @> jsonb_build_array(?::text) or event_kinds @> jsonb_build_array(?::text) or event_kinds @> '["*"]')
        order by channel, address`,
      [tenantId, eventType, severity],
    );
  }

  /**
   * One row per (event, channel, recipient): a redelivered event inserts nothing. In-app deliveries are
   * done by being written; the others wait for the dispatcher. Returns how many rows were new.
   */
  async record(
    em: EntityManager,
    event: Envelope,
    message: NotificationMessage,
    recipients: readonly Recipient[],
    reminder = false,
    eventId = event.id,
  ): Promise<number> {
    if (recipients.length === 0) return 0;
    // One statement for every recipient (an alert goes to 7 or 8): one round trip, not one per delivery.
    const now = new Date();
    const params: unknown[] = [];
    for (const r of recipients) {
      const id = randomUUID();
      const inApp = r.channel === 'in_app';
      params.push(
        id,
        event.tenantId,
        eventId,
        event.type,
        message.modelType,
        message.severity,
        r.channel,
        r.address,
        `${reminder ? '[Reminder] ' : ''}${message.subject}`,
        textBody(message, id, reminder),
        inApp ? 'sent' : 'pending',
        inApp ? 1 : 0,
        inApp ? now : null,
        inApp ? null : now,
        reminder,
        event.correlationId,
      );
    }
    const row = `(${Array<string>(16).fill('?').join(', ')})`;
    const rows = await em.execute<{ id: string }[]>(
      `insert into ml_retraining_notifications
         (id, tenant_id, event_id, event_type, model_type, severity, channel, recipient, subject, body, status, attempts, sent_at, next_attempt_at, is_reminder, correlation_id)
       values ${recipients.map(() => row).join(', ')}
       on conflict (event_id, channel, recipient) do nothing
       returning id`,
      params,
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due deliveries for this process: their next attempt is pushed out by a lease, so
   * another replica does not send them meanwhile; a crash mid-send retries after the lease.
   */
  async claimDue(em: EntityManager, limit: number, leaseSeconds: number): Promise<Delivery[]> {
    return em.execute<Delivery[]>(
      `update ml_retraining_notifications set next_attempt_at = now() + make_interval(secs => ?)
        where id in (select id from ml_retraining_notifications where status = 'pending' and next_attempt_at <= now()
                      order by next_attempt_at limit ? for update skip locked)
        returning id, tenant_id, event_id, event_type, severity, channel, recipient, subject, body, attempts, is_reminder, correlation_id, model_type`,
      [leaseSeconds, limit],
    );
  }

  async markSent(em: EntityManager, id: string): Promise<void> {
    await em.execute(
      `update ml_retraining_notifications set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null, next_attempt_at = null where id = ?`,
      [id],
    );
  }

  async markRetry(em: EntityManager, id: string, error: string, delayMs: number): Promise<void> {
    await em.execute(
      `update ml_retraining_notifications set attempts = attempts + 1, last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
      [error, delayMs / 1000, id],
    );
  }

  async markFailed(em: EntityManager, id: string, error: string): Promise<void> {
    await em.execute(
      `update ml_retraining_notifications set status = 'failed', attempts = attempts + 1, last_error = ?, next_attempt_at = null where id = ?`,
      [error, id],
    );
  }

  /** Failure alerts sent before `olderThanSeconds`, not reminders, not acknowledged, not reminded yet. */
  async dueForReminder(em: EntityManager, olderThanSeconds: number): Promise<Delivery[]> {
    return em.execute<Delivery[]>(
      `select n.id, n.tenant_id, n.event_id, n.event_type, n.severity, n.channel, n.recipient, n.subject, n.body, n.attempts, n.is_reminder, n.correlation_id, n.model_type
         from ml_retraining_notifications n
        where n.severity = 'failure' and not n.is_reminder and n.status = 'sent' and n.sent_at < now() - make_interval(secs => ?)
          and not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)
        limit 100`,
      [olderThanSeconds],
    );
  }

  async acknowledge(
    em: EntityManager,
    notificationId: string,
    by: string,
    note: string | null,
  ): Promise<{ found: boolean; created: boolean; acknowledgedBy?: string; acknowledgedAt?: Date }> {
    const n = await em.execute<{ tenant_id: string }[]>(
      `select tenant_id from ml_retraining_notifications where id = ?`,
      [notificationId],
    );
    if (!n[0]) return { found: false, created: false };
    const inserted = await em.execute<{ id: string }[]>(
      `insert into ml_alert_acknowledgments (tenant_id, notification_id, acknowledged_by, note) values (?, ?, ?, ?) on conflict (notification_id) do nothing returning id`,
      [n[0].tenant_id, notificationId, by, note],
    );
    const [ack] = await em.execute<{ acknowledged_by: string; acknowledged_at: Date }[]>(
      `select acknowledged_by, acknowledged_at from ml_alert_acknowledgments where notification_id = ?`,
      [notificationId],
    );
    return {
      found: true,
      created: inserted.length > 0,
      acknowledgedBy: ack!.acknowledged_by,
      acknowledgedAt: ack!.acknowledged_at,
    };
  }
}
