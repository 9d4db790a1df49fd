import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { advisoryXactLock, AlertDigest, AlertItem } from '@app/database';
import type { NotificationSeverity } from '@app/domain';
import { worst } from './digest';
import type { AlertItemDraft, DigestItem } from './digest';

/** A digest as stored: its day, and the items it told. */
export interface StoredDigest {
  id: string;
  tenantId: string;
  day: string;
  /** The most severe of its items. */
  severity: NotificationSeverity;
  items: (DigestItem & { id: string })[];
}

const DAY_MS = 86_400_000;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const laterOf = (a: string, b: string) => (a > b ? a : b);

/**
 * The tenants' alert items (alert_items) and the digests that told them (alert_digests). A per-tenant lock
 * orders an item's day with the digests: an item never joins a day whose digest went out, so a tenant gets
 * at most one digest a day.
 */
@Injectable()
export class AlertItemsRepository {
  private lock(em: EntityManager, tenantId: string): Promise<void> {
    return advisoryXactLock(em, `alert-digest:${tenantId}`);
  }

  private async lastDigestDay(em: EntityManager, tenantId: string): Promise<string | null> {
    const last = await em.findOne(
      AlertDigest,
      { tenantId },
      { orderBy: { day: 'desc' }, fields: ['day'], disableIdentityMap: true },
    );
    return last?.day ?? null;
  }

  /**
   * Stores an item for `day`, or for the day after the tenant's last digest when that one already went
   * out (a late outcome joins the next digest). Returns false when the event had already added it.
   */
  async add(
    em: EntityManager,
    q: { tenantId: string; day: string; eventId: string; correlationId: string },
    draft: AlertItemDraft,
  ): Promise<{ added: boolean; day: string }> {
    await this.lock(em, q.tenantId);
    const last = await this.lastDigestDay(em, q.tenantId);
    const day = last === null ? q.day : laterOf(q.day, nextDay(last));
    const res = await em
      .createQueryBuilder(AlertItem)
      .insert({ ...draft, tenantId: q.tenantId, day, eventId: q.eventId, correlationId: q.correlationId })
      .onConflict('eventId')
      .ignore()
      .execute('run');
    return { added: res.affectedRows > 0, day };
  }

  /** The day of the item that `correlationId`'s check added (an episode's opening or retrain), if any. */
  async episodeDayOf(em: EntityManager, tenantId: string, correlationId: string): Promise<string | null> {
    const item = await em.findOne(
      AlertItem,
      { tenantId, correlationId, kind: { $in: ['episode_opened', 'retrain_requested'] } },
      { fields: ['day'], disableIdentityMap: true },
    );
    return item?.day ?? null;
  }

  /** Whether the tenant has items waiting with a day before `day` (the next day's check may send them). */
  async hasPendingBefore(em: EntityManager, tenantId: string, day: string): Promise<boolean> {
    return (await em.count(AlertItem, { tenantId, digestId: null, day: { $lt: day } })) > 0;
  }

  /**
   * Tenants whose oldest waiting item is older than `holdSeconds` and whose day has come (a digest is not
   * sent before its day, UTC): the timer sends theirs.
   */
  async dueTenants(em: EntityManager, holdSeconds: number): Promise<string[]> {
    const rows = await em
      .createQueryBuilder(AlertItem, 'i')
      .select('i.tenant_id')
      .distinct()
      .where({ digestId: null, day: { $lte: raw('current_date') } })
      .andWhere('i.created_at < now() - make_interval(secs => ?)', [holdSeconds])
      .limit(1000)
      .execute<{ tenant_id: string }[]>('all', false);
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Makes the tenant's digest of its waiting items whose day is before `beforeDay` (or on or before
   * `uptoDay`): one alert_digests row for the latest of their days, the items marked with it. Null when
   * nothing waits.
   */
  async takeDigest(
    em: EntityManager,
    tenantId: string,
    bound: { beforeDay: string } | { uptoDay: string },
  ): Promise<StoredDigest | null> {
    await this.lock(em, tenantId);
    const day = 'beforeDay' in bound ? { $lt: bound.beforeDay } : { $lte: bound.uptoDay };
    const items = await em.find(
      AlertItem,
      { tenantId, digestId: null, day },
      { orderBy: { createdAt: 'asc' }, disableIdentityMap: true },
    );
    if (items.length === 0) return null;
    const digestDay = items.map((i) => i.day).reduce(laterOf);
    const models = [...new Set(items.map((i) => i.modelType))];
    const id = randomUUID();
    const severity = worst(items.map((i) => i.severity));
    await em.insert(AlertDigest, {
      id,
      tenantId,
      day: digestDay,
      severity,
      items: items.length,
      models,
    });
    await em.nativeUpdate(AlertItem, { id: { $in: items.map((i) => i.id) } }, { digestId: id });
    return {
      id,
      tenantId,
      day: digestDay,
      severity,
      items: items.map((i) => ({
        id: i.id,
        day: i.day,
        modelType: i.modelType,
        kind: i.kind,
        severity: i.severity,
        title: i.title,
        lines: i.lines,
        correlationId: i.correlationId,
      })),
    };
  }
}
