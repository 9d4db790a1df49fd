import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType, NotificationChannel, NotificationSeverity, NotificationStatus } from '@app/domain';
import { MlAlertAcknowledgment, MlRetrainingNotification } from '../entities/ml.entities';
import { AlertItem } from '../entities/pipeline.entities';

/**
 * Read models over the notifier's tables (ml_retraining_notifications, ml_alert_acknowledgments): what
 * other apps and the CLI may know about who was told what, and which alerts nobody acknowledged. The
 * notifier writes these tables; nobody else.
 */
export interface NotificationView {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  modelType: ModelType | null;
  severity: NotificationSeverity;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  isReminder: boolean;
  correlationId: string;
  createdAt: Date;
}

/** Severities that ask for someone's attention (an acknowledgment). */
export const ALERT_SEVERITIES: readonly NotificationSeverity[] = ['failure', 'warning'];

function toView(n: MlRetrainingNotification): NotificationView {
  return {
    id: n.id,
    tenantId: n.tenantId,
    eventId: n.eventId,
    eventType: n.eventType,
    modelType: n.modelType,
    severity: n.severity,
    channel: n.channel,
    recipient: n.recipient,
    subject: n.subject,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError,
    sentAt: n.sentAt,
    isReminder: n.isReminder,
    correlationId: n.correlationId,
    createdAt: n.createdAt,
  };
}

/**
 * Every delivery that told of one flow (its correlation id), by channel and recipient: its own messages,
 * and the daily digests that listed its items.
 */
export async function notificationsOfCorrelation(
  em: EntityManager,
  correlationId: string,
): Promise<NotificationView[]> {
  const items = await em.find(
    AlertItem,
    { correlationId, digestId: { $ne: null } },
    { fields: ['digestId'], disableIdentityMap: true },
  );
  const digests = [...new Set(items.map((i) => i.digestId!))];
  const rows = await em.find(
    MlRetrainingNotification,
    digests.length > 0 ? { $or: [{ correlationId }, { eventId: { $in: digests } }] } : { correlationId },
    { orderBy: { channel: 'asc', recipient: 'asc', createdAt: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toView);
}

/** The notification with this id, or null. */
export async function notificationById(em: EntityManager, id: string): Promise<NotificationView | null> {
  const row = await em.findOne(MlRetrainingNotification, { id }, { disableIdentityMap: true });
  return row ? toView(row) : null;
}

/** The acknowledgment of a notification, or null when nobody acknowledged it. */
export async function acknowledgmentOf(
  em: EntityManager,
  notificationId: string,
): Promise<{ acknowledgedBy: string; acknowledgedAt: Date; note: string | null } | null> {
  const ack = await em.findOne(MlAlertAcknowledgment, { notificationId }, { disableIdentityMap: true });
  return ack
    ? { acknowledgedBy: ack.acknowledgedBy, acknowledgedAt: ack.acknowledgedAt, note: ack.note }
    : null;
}

/** Warnings and failures about one tenant's models that nobody acknowledged, newest first. */
export async function unacknowledgedAlerts(
  em: EntityManager,
  tenantId: string,
  modelType?: ModelType,
): Promise<NotificationView[]> {
  const rows = await em
    .createQueryBuilder(MlRetrainingNotification, 'n')
    .select('*')
    .where({
      tenantId,
      severity: { $in: [...ALERT_SEVERITIES] },
      ...(modelType === undefined ? {} : { modelType }),
    })
    .andWhere('not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)')
    .orderBy({ createdAt: 'desc', id: 'asc' })
    .getResultList();
  return rows.map(toView);
}

export interface UnacknowledgedCount {
  tenantId: string;
  modelType: ModelType;
  count: number;
}

/**
 * How many warnings and failures nobody acknowledged, per tenant and model (for one tenant or all), by
 * tenant and model. Notifications not about a model (seeding) are not counted; a model with none is absent.
 */
export async function unacknowledgedAlertCounts(
  em: EntityManager,
  tenantId?: string,
): Promise<UnacknowledgedCount[]> {
  const rows = await em
    .createQueryBuilder(MlRetrainingNotification, 'n')
    .select(['n.tenant_id', 'n.model_type', raw('count(*)::int as count')])
    .where({
      severity: { $in: [...ALERT_SEVERITIES] },
      modelType: { $ne: null },
      ...(tenantId === undefined ? {} : { tenantId }),
    })
    .andWhere('not exists (select 1 from ml_alert_acknowledgments a where a.notification_id = n.id)')
    .groupBy(['n.tenant_id', 'n.model_type'])
    .orderBy({ tenantId: 'asc', modelType: 'asc' })
    .execute<{ tenant_id: string; model_type: ModelType; count: number }[]>('all', false);
  return rows.map((r) => ({ tenantId: r.tenant_id, modelType: r.model_type, count: r.count }));
}
