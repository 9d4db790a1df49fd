import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScheduledRun, Tenant } from '@app/database';

export type Trigger = 'cron' | 'catch_up' | 'manual';

/** The scheduler's run keys (scheduled_runs) and the tenant list its fan-out covers. */
@Injectable()
export class ScheduledRunsRepository {
  /**
   * Claims the run of a job for a logical date: returns its id, or null when a run of that date exists
   * already (another replica, or an earlier start, fired it). The unique (job, date) key decides.
   */
  async claim(
    em: EntityManager,
    jobName: string,
    logicalDate: string,
    triggeredBy: Trigger,
  ): Promise<string | null> {
    const rows = await em
      .createQueryBuilder(ScheduledRun)
      .insert({ jobName, logicalDate, triggeredBy, eventsPublished: 0 })
      .onConflict(['jobName', 'logicalDate'])
      .ignore()
      .returning('id')
      .execute<{ id: string }[]>('all');
    return rows[0]?.id ?? null;
  }

  async recordPublished(em: EntityManager, runId: string, events: number): Promise<void> {
    await em.nativeUpdate(ScheduledRun, { id: runId }, { eventsPublished: events });
  }

  /** Every tenant's id, in order (the caller's transaction must see every tenant). */
  async tenantIds(em: EntityManager): Promise<string[]> {
    const rows = await em.find(
      Tenant,
      {},
      { fields: ['id'], orderBy: { id: 'asc' }, disableIdentityMap: true },
    );
    return rows.map((t) => t.id);
  }
}
