import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppLogger } from '@app/common';
import { inPlatformTransaction, inTenantTransaction } from '@app/database';
import { MessagingMetrics } from '@app/messaging';
import { AlertItemsRepository } from './alert-items.repository';
import type { StoredDigest } from './alert-items.repository';
import { DeliveriesRepository, defaultRecipient, RecipientsRepository } from './deliveries.repository';
import type { DeliverySource, Recipient } from './deliveries.repository';
import { composeDigest, subscriptionKindOf } from './digest';
import { NotifierConfig } from './notifier.config';

/** The deliveries' event type of a digest (its event id is the digest's id). */
export const DIGEST_EVENT_TYPE = 'alert.digest';

/**
 * Sends each tenant's daily digest: when a check of a later day arrives (the day is over: in the simulation
 * and in production alike), or, for a day whose next check is far off, DIGEST_HOLD_SECONDS after its first
 * item (once the day has come, UTC). Each recipient gets the items they subscribed to, in one message.
 */
@Injectable()
export class DigestService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  /** The pass in progress, if any: one at a time, and awaited at shutdown. */
  private sweeping: Promise<unknown> | null = null;
  /** tenant -> a day before which nothing of it waited, as this process last saw (saves a query per check). */
  private readonly closedUpTo = new Map<string, string>();
  private readonly digestsTotal;

  constructor(
    private readonly orm: MikroORM,
    private readonly items: AlertItemsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly recipients: RecipientsRepository,
    private readonly config: NotifierConfig,
    private readonly log: AppLogger,
    metrics: MessagingMetrics,
  ) {
    this.digestsTotal = metrics.counter('ue_alert_digests_total', 'Daily digests recorded, by severity', [
      'severity',
    ]);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((err: unknown) => this.log.warn('digest sweep failed', { err }))
        .finally(() => {
          this.sweeping = null;
        });
    }, this.config.DIGEST_SWEEP_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /**
   * In a check's transaction: a check of `day` ends the tenant's earlier days, whose waiting items go out
   * as one digest. Looked up once per tenant and day by this process.
   */
  async dayBegins(em: EntityManager, tenantId: string, day: string, log: AppLogger): Promise<void> {
    const known = this.closedUpTo.get(tenantId);
    if (known !== undefined && known >= day) return;
    // Remembered only when nothing waited: a digest written here may yet be rolled back with the message.
    if (await this.items.hasPendingBefore(em, tenantId, day))
      await this.send(em, tenantId, { beforeDay: day }, log);
    else this.closedUpTo.set(tenantId, day);
  }

  /** The timer's pass: digests of tenants whose items waited DIGEST_HOLD_SECONDS. Returns how many went out. */
  async sweep(): Promise<number> {
    const due = await inPlatformTransaction(this.orm, (em) =>
      this.items.dueTenants(em, this.config.DIGEST_HOLD_SECONDS),
    );
    const today = new Date().toISOString().slice(0, 10);
    let sent = 0;
    for (const tenantId of due) {
      const d = await inTenantTransaction(this.orm, tenantId, (em) =>
        this.send(em, tenantId, { uptoDay: today }, this.log.child({ tenantId })),
      );
      if (d) sent += 1;
    }
    return sent;
  }

  /** Takes the tenant's digest and records one delivery per recipient of the items they subscribed to. */
  private async send(
    em: EntityManager,
    tenantId: string,
    bound: { beforeDay: string } | { uptoDay: string },
    log: AppLogger,
  ): Promise<StoredDigest | null> {
    const digest = await this.items.takeDigest(em, tenantId, bound);
    if (!digest) return null;
    // Who gets which items: each recipient's subscriptions (event kinds, severities) decide.
    const perRecipient = new Map<string, { recipient: Recipient; itemIds: string[] }>();
    for (const item of digest.items) {
      const listed = await this.recipients.recipientsFor(
        em,
        tenantId,
        subscriptionKindOf(item.kind),
        item.severity,
      );
      for (const r of listed.length > 0 ? listed : [defaultRecipient(tenantId)]) {
        const key = `${r.channel}\u0000${r.address}`;
        const entry = perRecipient.get(key) ?? { recipient: r, itemIds: [] };
        entry.itemIds.push(item.id);
        perRecipient.set(key, entry);
      }
    }
    // Recipients of the same items share one composed message (one statement for them all).
    const groups = new Map<string, Recipient[]>();
    for (const { recipient, itemIds } of perRecipient.values()) {
      const key = itemIds.join(',');
      groups.set(key, [...(groups.get(key) ?? []), recipient]);
    }
    const event: DeliverySource = {
      id: digest.id,
      type: DIGEST_EVENT_TYPE,
      tenantId,
      correlationId: digest.id,
    };
    let deliveries = 0;
    for (const [ids, recipients] of groups) {
      const wanted = new Set(ids.split(','));
      const message = composeDigest(
        tenantId,
        digest.day,
        digest.items.filter((i) => wanted.has(i.id)),
      );
      deliveries += await this.deliveries.record(em, event, message, recipients);
    }
    this.digestsTotal.inc({ severity: digest.severity });
    log.child({ tenantId, correlationId: digest.id }).info('daily digest recorded', {
      day: digest.day,
      items: digest.items.length,
      models: [...new Set(digest.items.map((i) => i.modelType))],
      // The pipelines it tells of: each one's log lines carry its own correlation id.
      correlationIds: [...new Set(digest.items.map((i) => i.correlationId))],
      deliveries,
    });
    return digest;
  }
}
