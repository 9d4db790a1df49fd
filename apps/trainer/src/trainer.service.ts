import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { inTenantTransaction } from '@app/database';
import type { ModelType } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { TRAINING_BACKEND } from './backends/training-backend';
import type { TrainingBackend } from './backends/training-backend';
import { TrainerConfig } from './trainer.config';
import { TrainingRunRepository } from './training-run.repository';

/**
 * The spec's steps 3 and 4: on drift.detected or retrain.requested, starts a training run (one at a
 * time per tenant and model, kept alive by heartbeats), has the backend train a candidate on the
 * tenant's last 12 months, and publishes model.trained, or training.failed with the reason.
 */
@Injectable()
export class TrainerService {
  constructor(
    private readonly runs: TrainingRunRepository,
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
  }

  private readonly runsTotal;
  private readonly seconds;

  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.train(event, event.payload.modelType, 'drift', ctx);
  }

  /** Runs `work` in its own committed transaction (the run's state must be visible while it trains). */
  private own<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTenantTransaction(this.orm, tenantId, work);
  }

  private async train(
    event: Envelope,
    modelType: ModelType,
    trigger: string,
    ctx: HandlerContext,
  ): Promise<void> {
    const { em, log } = ctx;
    const lease = this.config.TRAINING_LEASE_SECONDS;
    const started = await this.own(event.tenantId, (tx) =>
      this.runs.start(tx, {
        tenantId: event.tenantId,
        modelType,
        trigger,
        triggerEventId: event.id,
        correlationId: event.correlationId,
        leaseSeconds: lease,
      }),
    );
    if (!started) {
      this.runsTotal.inc({ model_type: modelType, outcome: 'coalesced' });
      log.info('a training run is already in progress; this trigger is coalesced into it', { modelType });
      return;
    }
    const { runId } = started;
    if (started.resumed) log.warn('taking over the run left by an earlier delivery of this event', { runId });
    // The lease: while this process trains, heartbeats keep the run alive; if it dies, the lease expires.
    const heartbeat = setInterval(
      () => {
        this.own(event.tenantId, (tx) => this.runs.heartbeat(tx, runId, lease)).catch((err: unknown) =>
          log.warn('heartbeat failed', { runId, err }),
        );
      },
      (lease * 1000) / 3,
    );
    const t0 = Date.now();
    try {
      const outcome = await this.backend.train(
        { runId, tenantId: event.tenantId, modelType, correlationId: event.correlationId },
        em,
        log,
      );
      if (!outcome.ok) {
        await this.runs.fail(em, runId, outcome.reason);
        await ctx.emit('training.failed', { runId, modelType, code: outcome.code, reason: outcome.reason });
        this.runsTotal.inc({ model_type: modelType, outcome: 'failed' });
        log.warn('training failed', {
          modelType,
          runId,
          code: outcome.code,
          reason: outcome.reason,
          backend: this.backend.name,
        });
        return;
      }
      const r = outcome.result;
      await this.runs.complete(em, runId, r, this.backend.name, outcome.externalJobId);
      await ctx.emit('model.trained', {
        runId,
        modelType,
        candidateVersion: r.version,
        holdoutAccuracy: r.holdoutAccuracy,
        trainingSamples: r.trainingSamples,
        validationSamples: r.validationSamples,
        artifactId: r.artifactId,
        algorithm: 'xgboost',
      });
      this.runsTotal.inc({ model_type: modelType, outcome: 'completed' });
      this.seconds.observe({ model_type: modelType }, (Date.now() - t0) / 1000);
      log.info('candidate trained', {
        modelType,
        runId,
        version: r.version,
        holdoutAccuracy: r.holdoutAccuracy,
        backend: this.backend.name,
      });
    } catch (err) {
      // The message will be retried (or dead-lettered); the run records what happened meanwhile.
      await this.own(event.tenantId, (tx) =>
        this.runs.fail(tx, runId, `training error: ${errorMessage(err)}`),
      ).catch(() => undefined);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }
}
