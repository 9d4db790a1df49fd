import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { MikroORM } from '@mikro-orm/postgresql';
import { AppLogger, deterministicId } from '@app/common';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { inPlatformTransaction } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import { addToOutbox, OutboxRelay } from '@app/messaging';
import { logicalDate } from './logical-date';
import { dueToday } from './schedule';
import { ScheduledRunsRepository } from './scheduled-runs.repository';
import type { Trigger } from './scheduled-runs.repository';
import { SchedulerConfig } from './scheduler.config';

export const DAILY_JOB = 'daily-drift-check';

export interface FireResult {
  logicalDate: string;
  fired: boolean;
  /** Every event the run published: `driftChecks` plus `outcomesDue`. */
  events: number;
  /** drift.check.requested, one per tenant and model. */
  driftChecks: number;
  /** claim.outcomes.due, one per tenant. */
  outcomesDue: number;
}

/**
 * Fires the daily job: per tenant, one claim.outcomes.due (labels that matured by the end of the day,
 * for the scorer) and one drift.check.requested per model. Exactly once per logical date, whatever the
 * number of scheduler replicas or restarts: the run key is a unique row in scheduled_runs, written in the
 * same transaction as the outbox rows, and each event's id (its Nats-Msg-Id) is derived from (run,
 * tenant, model or subject).
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap {
  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly orm: MikroORM,
    private readonly relay: OutboxRelay,
    private readonly runs: ScheduledRunsRepository,
    private readonly config: SchedulerConfig,
    private readonly log: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SCHEDULE_ENABLED) return;
    const job = CronJob.from({
      cronTime: this.config.SCHEDULE_CRON,
      timeZone: this.config.SCHEDULE_TIMEZONE,
      start: true,
      onTick: () => {
        this.fire(new Date(), 'cron').catch((err: unknown) =>
          this.log.error('daily drift check failed to fire', { err }),
        );
      },
    });
    this.registry.addCronJob(DAILY_JOB, job);
    if (this.config.SCHEDULE_CATCH_UP) {
      this.catchUp(new Date()).catch((err: unknown) =>
        this.log.error('catch-up of the daily drift check failed', { err }),
      );
    }
    this.log.info('daily drift check scheduled', {
      cron: this.config.SCHEDULE_CRON,
      timeZone: this.config.SCHEDULE_TIMEZONE,
      next: job.nextDate().toISO(),
    });
  }

  /** Fires today's run if it was due already (the scheduler was down at the scheduled time). */
  async catchUp(now: Date): Promise<FireResult | null> {
    if (!dueToday(now, this.config.SCHEDULE_CRON, this.config.SCHEDULE_TIMEZONE)) return null;
    return this.fire(now, 'catch_up');
  }

  /** `force`: every check retrains whatever it finds (an operator's fleet-wide retrain; no episode). */
  async fire(at: Date, triggeredBy: Trigger, opts: { force?: boolean } = {}): Promise<FireResult> {
    const date = logicalDate(at, this.config.SCHEDULE_TIMEZONE);
    // The fan-out reads every tenant: a platform-wide transaction (row-level security, libs/database).
    const result = await inPlatformTransaction(this.orm, async (em) => {
      const runId = await this.runs.claim(em, DAILY_JOB, date, triggeredBy);
      if (runId === null)
        return { logicalDate: date, fired: false, events: 0, driftChecks: 0, outcomesDue: 0 };
      let driftChecks = 0;
      let outcomesDue = 0;
      // The day's events are written together (libs/messaging addToOutbox, a statement per thousand): one
      // insert per event held the whole fan-out back, 2.5 s for 1,000 tenants (bench:drift, issue 20).
      const envelopes: Envelope[] = [];
      for (const tenantId of await this.runs.tenantIds(em)) {
        // First in the outbox, so that (consumers keeping up) the day's matured labels are usually filled
        // before its checks read accuracy. Nothing depends on it: a label filled later still counts in every
        // later window that covers the day it became known (outcome_known_at is the label's time).
        const dueId = deterministicId(`${DAILY_JOB}:${runId}:${tenantId}:claim.outcomes.due`);
        envelopes.push(
          createEnvelope(
            'claim.outcomes.due',
            { logicalDate: date },
            { tenantId, id: dueId, correlationId: dueId },
          ),
        );
        outcomesDue += 1;
        for (const modelType of MODEL_TYPES) {
          // Derived from the run row, not just the date: a date whose run was reset (seeding --reset) fires anew.
          const id = deterministicId(`${DAILY_JOB}:${runId}:${tenantId}:${modelType}`);
          const envelope = createEnvelope(
            'drift.check.requested',
            {
              modelType,
              logicalDate: date,
              // The daily job's checks, whoever started it (the cron, a catch-up, a person running the job for a
              // date): each is that day's check, judged by the daily rules (k of n). scheduled_runs keeps who.
              requestedBy: triggeredBy === 'catch_up' ? 'catch_up' : 'schedule',
              ...(opts.force ? { force: true } : {}),
            },
            { tenantId, id, correlationId: id },
          );
          envelopes.push(envelope);
          driftChecks += 1;
        }
      }
      await addToOutbox(em, 'scheduler', ...envelopes);
      const events = driftChecks + outcomesDue;
      await this.runs.recordPublished(em, runId, events);
      return { logicalDate: date, fired: true, events, driftChecks, outcomesDue };
    });
    if (result.fired) {
      this.relay.kick();
      this.log.info('daily drift check fired', { ...result, triggeredBy });
    } else {
      this.log.info('daily drift check already fired for this date', { logicalDate: date, triggeredBy });
    }
    return result;
  }
}
