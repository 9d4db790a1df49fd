import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MlAlertAcknowledgment, MlRetrainingNotification, NotificationRecipient } from '@app/database';
import type { ModelType, NotificationChannel, NotificationSeverity } from '@app/domain';
import type { NotificationMessage } from './messages';
import { textBody } from './messages';

export interface Recipient {
  id: string;
  name: string;
  channel: NotificationChannel;
  address: string;
}

/** One queued delivery, as the dispatcher sends it. */
export interface Delivery {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  severity: NotificationSeverity;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  isReminder: boolean;
  correlationId: string;
  modelType: ModelType | null;
}

export interface Acknowledgment {
  acknowledgedBy: string;
  acknowledgedAt: Date;
}

export type AcknowledgeResult = { found: false } | ({ found: true; created: boolean } & Acknowledgment);

/** What a delivery is about: an event, or a digest of several (its own id and correlation id). */
export interface DeliverySource {
  id: string;
  type: string;
  tenantId: string;
  correlationId: string;
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

/**
 * A time Postgres computes, for filters and updates: leases and due times follow the database's clock,
 * which every replica shares, not this process's.
 */
function dbTime(expression: string, params: readonly unknown[] = []): Date {
  return raw(expression, params);
}

/** A column update computed by Postgres (e.g. `attempts + 1`), so concurrent updates do not race. */
function dbValue(expression: string): number {
  return raw(expression);
}

/** A row of ml_retraining_notifications as `claimDue`'s statement returns it. */
interface DeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  severity: NotificationSeverity;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  is_reminder: boolean;
  correlation_id: string;
  model_type: ModelType | null;
}

function fromRow(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    eventId: r.event_id,
    eventType: r.event_type,
    severity: r.severity,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    attempts: r.attempts,
    isReminder: r.is_reminder,
    correlationId: r.correlation_id,
    modelType: r.model_type,
  };
}

function toDelivery(n: MlRetrainingNotification): Delivery {
  return {
    id: n.id,
    tenantId: n.tenantId,
    eventId: n.eventId,
    eventType: n.eventType,
    severity: n.severity,
    channel: n.channel,
    recipient: n.recipient,
    subject: n.subject,
    body: n.body,
    attempts: n.attempts,
    isReminder: n.isReminder,
    correlationId: n.correlationId,
    modelType: n.modelType,
  };
}

/** The notification log (ml_retraining_notifications) and its acknowledgments (ml_alert_acknowledgments). */
@Injectable()
export class DeliveriesRepository {
  /**
   * One row per (event, channel, recipient): a redelivered event inserts nothing. In-app deliveries are
   * done by being written; the others wait for the dispatcher. Returns how many rows were new.
   */
  async record(
    em: EntityManager,
    event: DeliverySource,
    message: NotificationMessage,
    recipients: readonly Recipient[],
    reminder = false,
    eventId = event.id,
  ): Promise<number> {
    if (recipients.length === 0) return 0;
    const now = new Date();
    const rows = recipients.map((r) => {
      const id = randomUUID();
      const inApp = r.channel === 'in_app';
      return {
        id,
        tenantId: event.tenantId,
        eventId,
        eventType: event.type,
        modelType: message.modelType as ModelType | null,
        severity: message.severity,
        channel: r.channel,
        recipient: r.address,
        subject: `${reminder ? '[Reminder] ' : ''}${message.subject}`,
        body: textBody(message, id, reminder),
        status: inApp ? ('sent' as const) : ('pending' as const),
        attempts: inApp ? 1 : 0,
        sentAt: inApp ? now : null,
        nextAttemptAt: inApp ? null : now,
        isReminder: reminder,
        correlationId: event.correlationId,
      };
    });
    // One statement for every recipient (an alert goes to 7 or 8): one round trip, not one per delivery.
    const res = await em
      .createQueryBuilder(MlRetrainingNotification)
      .insert(rows)
      .onConflict(['eventId', 'channel', 'recipient'])
      .ignore()
      .execute('run');
    return res.affectedRows;
  }

  /**
   * Claims up to `limit` due deliveries for this process: their next attempt is pushed out by a lease, so
   * another replica does not send them meanwhile; a crash mid-send retries after the lease. Rows another
   * replica is claiming are skipped (for update skip locked), not waited for. SQL on purpose: the queue's
   * claim is one `update ... returning` over a skip-locked sub-select, one round trip per pass (MikroORM's
   * find-then-update was two, and this runs every NOTIFY_POLL_MS).
   */
  async claimDue(em: EntityManager, limit: number, leaseSeconds: number): Promise<Delivery[]> {
    const rows = await em.execute<DeliveryRow[]>(
      `update ml_retraining_notifications set next_attempt_at = now() + make_interval(secs => ?)
        where id in (select id from ml_retraining_notifications
                      where status = 'pending' and next_attempt_at <= now()
                      order by next_attempt_at limit ? for update skip locked)
        returning id, tenant_id, event_id, event_type, severity, channel, recipient, subject, body, attempts,
                  is_reminder, correlation_id, model_type`,
      [leaseSeconds, limit],
    );
    return rows.map(fromRow);
  }

  /** Marks deliveries sent (one statement for a dispatch pass's deliveries of one tenant). */
  async markSent(em: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await em.nativeUpdate(
      MlRetrainingNotification,
      { id: { $in: [...ids] } },
      {
        status: 'sent',
        sentAt: dbTime('now()'),
        attempts: dbValue('attempts + 1'),
        lastError: null,
        nextAttemptAt: null,
      },
    );
  }

  async markRetry(em: EntityManager, id: string, error: string, delayMs: number): Promise<void> {
    await em.nativeUpdate(
      MlRetrainingNotification,
      { id },
      {
        attempts: dbValue('attempts + 1'),
        lastError: error,
        nextAttemptAt: dbTime('now() + make_interval(secs => ?)', [delayMs / 1000]),
      },
    );
  }

  async markFailed(em: EntityManager, id: string, error: string): Promise<void> {
    await em.nativeUpdate(
      MlRetrainingNotification,
      { id },
      { status: 'failed', attempts: dbValue('attempts + 1'), lastError: error, nextAttemptAt: null },
    );
  }

  /** Failure alerts sent before `olderThanSeconds`, not reminders, not acknowledged, not reminded yet. */
  async dueForReminder(em: EntityManager, olderThanSeconds: number): Promise<Delivery[]> {
    const rows = await em
      .createQueryBuilder(MlRetrainingNotification, 'n')
      .select('*')
      .where({
        severity: 'failure',
        isReminder: false,
        status: 'sent',
        sentAt: { $lt: dbTime('now() - make_interval(secs => ?)', [olderThanSeconds]) },
      })
      .andWhere('not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)')
      .limit(100)
      .getResultList();
    return rows.map(toDelivery);
  }

  /** Records who acknowledged a notification; acknowledging twice keeps the first acknowledgment. */
  async acknowledge(
    em: EntityManager,
    notificationId: string,
    by: string,
    note: string | null,
  ): Promise<AcknowledgeResult> {
    const n = await em.findOne(
      MlRetrainingNotification,
      { id: notificationId },
      { fields: ['tenantId'], disableIdentityMap: true },
    );
    if (!n) return { found: false };
    const inserted = await em
      .createQueryBuilder(MlAlertAcknowledgment)
      .insert({ tenantId: n.tenantId, notificationId, acknowledgedBy: by, note })
      .onConflict('notificationId')
      .ignore()
      .execute('run');
    const ack = await em.findOneOrFail(
      MlAlertAcknowledgment,
      { notificationId },
      { disableIdentityMap: true },
    );
    return {
      found: true,
      created: inserted.affectedRows > 0,
      acknowledgedBy: ack.acknowledgedBy,
      acknowledgedAt: ack.acknowledgedAt,
    };
  }
}

export interface RecipientEntry extends Recipient {
  tenantId: string;
  eventKinds: string[];
  active: boolean;
}

export interface RecipientInput {
  tenantId: string;
  name: string;
  channel: NotificationChannel;
  address: string;
  eventKinds: string[];
}

function toEntry(r: NotificationRecipient): RecipientEntry {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    channel: r.channel as NotificationChannel,
    address: r.address,
    eventKinds: r.eventKinds,
    active: r.isActive,
  };
}

/** The stakeholder lists (notification_recipients): who is told about what, per tenant. */
@Injectable()
export class RecipientsRepository {
  /** Active recipients of a tenant who want this event type or severity ("*" for everything). */
  async recipientsFor(
    em: EntityManager,
    tenantId: string,
    eventType: string,
    severity: NotificationSeverity,
  ): Promise<Recipient[]> {
    // Containment in the jsonb list is done by Postgres: a tenant may list hundreds of admins.
    const rows = await em
      .createQueryBuilder(NotificationRecipient, 'r')
      .select(['id', 'name', 'channel', 'address'])
      .where({ tenantId, isActive: true })
      .andWhere(
        `r.event_kinds @> jsonb_build_array(?::text) or r.event_kinds @> jsonb_build_array(?::text) or r.event_kinds @> '["*"]'`,
        [eventType, severity],
      )
      .orderBy({ channel: 'asc', address: 'asc' })
      .getResultList();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      channel: r.channel as NotificationChannel,
      address: r.address,
    }));
  }

  /** A tenant's list, removed entries included, by channel and address. */
  async list(em: EntityManager, tenantId: string): Promise<RecipientEntry[]> {
    const rows = await em.find(
      NotificationRecipient,
      { tenantId },
      { orderBy: { channel: 'asc', address: 'asc' }, disableIdentityMap: true },
    );
    return rows.map(toEntry);
  }

  /** Adds a recipient, or updates (and re-activates) the one with the same channel and address. */
  async upsert(em: EntityManager, input: RecipientInput): Promise<string> {
    const res = await em
      .createQueryBuilder(NotificationRecipient)
      .insert({ ...input, isActive: true })
      .onConflict(['tenantId', 'channel', 'address'])
      .merge(['name', 'eventKinds', 'isActive'])
      .returning('id')
      .execute('get');
    return (res as { id: string }).id;
  }

  /** Marks a recipient removed (kept for the record). Returns false when there is no such recipient. */
  async deactivate(em: EntityManager, id: string): Promise<boolean> {
    return (await em.nativeUpdate(NotificationRecipient, { id }, { isActive: false })) > 0;
  }
}
