import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { DomainError, errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { inTenantTransaction } from '@app/database';
import { DriftMathError } from '@app/drift';
import { endOfLogicalDate, trainingHalfLifeDays } from '@app/domain';
import type { ModelType } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { AfterCommitContext, HandlerContext } from '@app/messaging';
import { XGBoostError } from '@app/ml';
import { TRAINING_BACKEND } from './backends/training-backend';
import type { TrainingBackend, TrainingRequest } from './backends/training-backend';
import { AlreadyCompleted, RunOutcomes } from './run-outcomes';
import { TrainerConfig } from './trainer.config';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

/**
 * The spec's steps 3 and 4: on drift.detected, starts a training run (one at a
 * time per tenant and model, kept alive by heartbeats), has the backend train a candidate on the
 * tenant's last 12 months, and publishes model.trained, or training.failed with the reason.
 *
 * A phased handler (libs/messaging): its first transaction records the event in the inbox and starts the
 * run (row and lease); the training runs after that commit, outside any transaction, with its heartbeats
 * in short statements of their own; the result (run, artifact with its baselines, event) is written in a
 * second transaction. With Azure ML, the second phase only submits the job and records its id: the
 * poller (AzureMlPoller) writes the result when the job ends.
 */
@Injectable()
export class TrainerService {
  constructor(
    private readonly runs: TrainingRunRepository,
    private readonly data: TrainingDataRepository,
    private readonly outcomes: RunOutcomes,
    private readonly orm: MikroORM,
    private readonly config: TrainerConfig,
    @Inject(TRAINING_BACKEND) private readonly backend: TrainingBackend,
    metrics: MessagingMetrics,
  ) {
    this.runsTotal = metrics.counter(
      'ue_training_runs_total',
      'Training runs by model and outcome (completed, failed, coalesced)',
      ['model_type', 'outcome'],
    );
    this.seconds = metrics.histogram(
      'ue_training_seconds',
      'Wall time of a training run',
      ['model_type'],
      [0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    );
    // Heartbeats four times per ack wait: a redelivery (JetStream saw no progress for a whole ack wait)
    // then finds a live holder's heartbeat under half an ack wait old, and a dead one's over two thirds.
    this.heartbeatSeconds = Math.min(config.TRAINING_LEASE_SECONDS / 3, config.ACK_WAIT_SECONDS / 4);
    this.staleSeconds = config.ACK_WAIT_SECONDS / 2;
  }

  private readonly runsTotal;
  private readonly seconds;
  private readonly heartbeatSeconds: number;
  private readonly staleSeconds: number;

  @OnEvent('drift.detected', { phased: true })
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    // As of the end of the check's logical date: a replayed day trains on what was known that day. A
    // trigger without one (published before the field existed) trains as of now.
    const { logicalDate } = event.payload;
    const asOf = logicalDate ? endOfLogicalDate(logicalDate) : new Date();
    // A retrain that answers an accuracy breach learns mostly from recent labels (a redelivery carries the
    // same episode, so a run taken over trains the same way).
    const halfLifeDays = trainingHalfLifeDays(event.payload.modelType, event.payload.episode?.condition);
    await this.train(event, event.payload.modelType, 'drift', { asOf, halfLifeDays }, ctx);
  }

  /** First phase, in the message's transaction: start (or take over) the run; train after the commit. */
  private async train(
    event: Envelope,
    modelType: ModelType,
    trigger: string,
    how: { asOf: Date; halfLifeDays: number },
    ctx: HandlerContext,
  ): Promise<void> {
    const { log } = ctx;
    const started = await this.runs.start(ctx.em, {
      tenantId: event.tenantId,
      modelType,
      trigger,
      triggerEventId: event.id,
      correlationId: event.correlationId,
      leaseSeconds: this.config.TRAINING_LEASE_SECONDS,
      staleSeconds: this.staleSeconds,
      asOf: how.asOf,
    });
    switch (started.kind) {
      case 'coalesced':
        this.runsTotal.inc({ model_type: modelType, outcome: 'coalesced' });
        log.info('a training run is already in progress; this trigger is coalesced into it', { modelType });
        return;
      case 'finished':
        return ctx.duplicate({ runId: started.runId, status: started.status });
      case 'in_progress':
        // A live process trains it (its heartbeat is fresh), or the Azure ML poller follows its job.
        return ctx.duplicate({ runId: started.runId, externalJobId: started.externalJobId });
      case 'resumed':
        log.warn('taking over the run left by an earlier delivery of this event', { runId: started.runId });
        break;
      case 'started':
        break;
    }
    const req: TrainingRequest = {
      runId: started.runId,
      tenantId: event.tenantId,
      modelType,
      correlationId: event.correlationId,
      // A run taken over keeps the logical time it was started with.
      asOf: started.asOf,
      halfLifeDays: how.halfLifeDays,
    };
    ctx.afterCommit((after) => this.fit(req, after));
  }

  /** Second phase, after the run's start committed: train, then write the result in a transaction. */
  private async fit(req: TrainingRequest, ctx: AfterCommitContext): Promise<void> {
    const { log } = ctx;
    const { runId, modelType } = req;
    const run = { runId, modelType };
    // The lease: while this process trains, heartbeats keep the run alive; if it dies, they stop.
    const heartbeat = setInterval(() => {
      inTenantTransaction(this.orm, req.tenantId, (em) =>
        this.runs.heartbeat(em, runId, this.config.TRAINING_LEASE_SECONDS),
      ).catch((err: unknown) => log.warn('heartbeat failed', { runId, err }));
    }, this.heartbeatSeconds * 1000);
    const t0 = Date.now();
    try {
      const step = await this.backend.run(
        req,
        () => ctx.transaction(({ em }) => this.data.trainingData(em, req.tenantId, modelType, req.asOf)),
        log,
      );
      switch (step.kind) {
        case 'submitted':
          await ctx.transaction(({ em }) => this.runs.markSubmitted(em, runId, step.externalJobId));
          log.info('Azure ML job submitted; the poller records its result', {
            runId,
            job: step.externalJobId,
          });
          return;
        case 'failed': {
          const told = await ctx.transaction((tx) => this.outcomes.failed(tx, run, step.code, step.reason));
          if (told) this.runsTotal.inc({ model_type: modelType, outcome: 'failed' });
          log.warn('training failed', {
            modelType,
            runId,
            code: step.code,
            reason: step.reason,
            backend: this.backend.name,
          });
          return;
        }
        case 'fitted': {
          const r = await ctx.transaction((tx) => this.outcomes.storeAndComplete(tx, run, step.candidate));
          this.runsTotal.inc({ model_type: modelType, outcome: 'completed' });
          this.seconds.observe({ model_type: modelType }, (Date.now() - t0) / 1000);
          log.info('candidate trained', {
            modelType,
            runId,
            version: r.version,
            holdoutAccuracy: r.holdoutAccuracy,
            backend: this.backend.name,
          });
          return;
        }
      }
    } catch (err) {
      if (err instanceof AlreadyCompleted) {
        // Another delivery trained the same trigger and completed first: this result is rolled back.
        log.warn('the run was completed by another delivery of this event; this result is discarded', {
          runId,
        });
        return;
      }
      if (err instanceof XGBoostError || err instanceof DriftMathError) {
        // Deterministic: the run fails and people are told; the message edge dead-letters it by its code.
        await ctx
          .transaction((tx) => this.outcomes.failed(tx, run, err.code, `training error: ${err.message}`))
          .catch((recordErr: unknown) => log.warn('could not record the failure', { runId, err: recordErr }));
        throw err;
      }
      if (err instanceof DomainError && !err.retryable) throw err; // e.g. LEASE_LOST: not ours any more
      // Possibly transient: the run is given up for the redelivery to take over at once (or, if none comes,
      // for the sweeper to end when its lease expires).
      await inTenantTransaction(this.orm, req.tenantId, (em) => this.runs.release(em, runId)).catch(
        (releaseErr: unknown) => log.warn('could not release the run', { runId, err: releaseErr }),
      );
      log.warn('training error; the run is released for the next delivery', {
        runId,
        err: errorMessage(err),
      });
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }
}
