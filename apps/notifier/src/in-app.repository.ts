import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Envelope } from '@app/contracts';
import type { NotificationMessage } from './messages';

/** Recipient of in-app notifications until per-tenant stakeholder lists exist (issue 7). */
export function inAppRecipient(tenantId: string): string {
  return `tenant:${tenantId}:ml-admins`;
}

@Injectable()
export class InAppRepository {
  /** One row per (event, channel, recipient); returns false when it was already there. */
  async record(em: EntityManager, event: Envelope, message: NotificationMessage): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `insert into ml_retraining_notifications
         (tenant_id, event_id, event_type, model_type, severity, channel, recipient, subject, body, status, attempts, sent_at, correlation_id)
       values (?, ?, ?, ?, ?, 'in_app', ?, ?, ?, 'sent', 1, now(), ?)
       on conflict (event_id, channel, recipient) do nothing
       returning id`,
      [
        event.tenantId,
        event.id,
        event.type,
        message.modelType,
        message.severity,
        inAppRecipient(event.tenantId),
        message.subject,
        message.body,
        event.correlationId,
      ],
    );
    return rows.length > 0;
  }
}
