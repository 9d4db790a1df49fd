import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { MODEL_CONFIGS, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { accuracyOf, evaluateXgbModel, splitByTime, trainMajority, trainXgbModel, XGB_FORMAT } from '@app/ml';
import type { Booster } from '@app/ml';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { candidateBaselines } from './candidate-baselines';
import { TrainerConfig } from './trainer.config';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

/**
 * The spec's steps 3 and 4: prepares the tenant's last 12 months of labelled claims, holds out the most
 * recent share, trains a candidate with XGBoost, evaluates it, stores its artifact and its drift
 * baselines, and publishes model.trained (or training.failed with the reason).
 */
@Injectable()
export class TrainerService {
  constructor(
    private readonly data: TrainingDataRepository,
    private readonly runs: TrainingRunRepository,
    private readonly orm: MikroORM,
    private readonly config: TrainerConfig,
  ) {}

  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.train(event, event.payload.modelType, 'drift', ctx);
  }

  @OnEvent('retrain.requested')
  async onRetrainRequested(event: Envelope<'retrain.requested'>, ctx: HandlerContext): Promise<void> {
    await this.train(event, event.payload.modelType, 'manual', ctx);
  }

  /** Runs `work` in its own committed transaction (the run's state must be visible while it trains). */
  private own<T>(
    work: (em: Parameters<Parameters<MikroORM['em']['transactional']>[0]>[0]) => Promise<T>,
  ): Promise<T> {
    return this.orm.em.fork().transactional(work);
  }

  private async train(
    event: Envelope,
    modelType: ModelType,
    trigger: string,
    ctx: HandlerContext,
  ): Promise<void> {
    const cfg = MODEL_CONFIGS[modelType];
    const { em, log } = ctx;
    const lease = this.config.TRAINING_LEASE_SECONDS;
    const started = await this.own((tx) =>
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
      log.info('a training run is already in progress; this trigger is coalesced into it', { modelType });
      return;
    }
    const { runId } = started;
    if (started.resumed) log.warn('taking over the run left by an earlier delivery of this event', { runId });
    // The lease: while this process trains, heartbeats keep the run alive; if it dies, the lease expires.
    const heartbeat = setInterval(
      () => {
        this.own((tx) => this.runs.heartbeat(tx, runId, lease)).catch((err: unknown) =>
          log.warn('heartbeat failed', { runId, err: errorMessage(err) }),
        );
      },
      (lease * 1000) / 3,
    );
    let booster: Booster | undefined;
    try {
      const examples = await this.data.labelledExamples(
        em,
        event.tenantId,
        modelType,
        cfg.trainingWindowMonths,
      );
      if (examples.length < cfg.minTrainingSamples) {
        const reason = `insufficient samples: have ${examples.length}, need ${cfg.minTrainingSamples} labelled examples from the last ${cfg.trainingWindowMonths} months`;
        await this.runs.fail(em, runId, reason, { training: examples.length });
        await ctx.emit('training.failed', { runId, modelType, code: 'INSUFFICIENT_SAMPLES', reason });
        log.warn('training failed', { modelType, runId, reason });
        return;
      }
      const split = splitByTime(
        examples.map((e) => ({ ...e, label: String(e.target) })),
        cfg.validationSplit,
      );
      const t0 = Date.now();
      booster = await trainXgbModel(modelType, cfg.features, split.train, {
        rounds: this.config.XGB_ROUNDS,
        threads: this.config.XGB_THREADS,
      });
      const trainingSeconds = (Date.now() - t0) / 1000;
      const evaluation = evaluateXgbModel(modelType, booster, cfg.features, split.holdout);
      const content = booster.save();
      const target = TRAINING_TARGETS[modelType];
      const majority =
        target.task === 'classification'
          ? accuracyOf(
              trainMajority(split.train.map((e) => e.label)),
              split.holdout.map((e) => e.label),
            )
          : null;

      const version = await this.runs.nextVersion(em, event.tenantId, modelType);
      const checksum = createHash('sha256').update(content).digest('hex');
      const artifactId = await this.runs.saveArtifact(em, {
        tenantId: event.tenantId,
        modelType,
        version,
        format: XGB_FORMAT,
        checksum,
        content,
      });
      await this.runs.saveBaselines(
        em,
        candidateBaselines(event.tenantId, modelType, version, cfg.features, split.train),
      );
      await this.runs.complete(em, runId, {
        candidateVersion: version,
        trainingSamples: split.train.length,
        validationSamples: split.holdout.length,
        validationAccuracy: evaluation.accuracy,
        metrics: {
          accuracy: evaluation.accuracy,
          majorityBaselineAccuracy: majority,
          maeDays: evaluation.mae,
          confusion: evaluation.confusion,
          algorithm: 'xgboost',
          rounds: this.config.XGB_ROUNDS,
          trainingSeconds,
          features: cfg.features,
        },
        split: {
          method: 'time',
          validationSplit: cfg.validationSplit,
          cutoff: split.cutoff.toISOString(),
          train: split.train.length,
          holdout: split.holdout.length,
        },
        backend: 'local',
      });
      await ctx.emit('model.trained', {
        runId,
        modelType,
        candidateVersion: version,
        holdoutAccuracy: evaluation.accuracy,
        trainingSamples: split.train.length,
        validationSamples: split.holdout.length,
        artifactId,
        algorithm: 'xgboost',
      });
      log.info('candidate trained', {
        modelType,
        runId,
        version,
        holdoutAccuracy: evaluation.accuracy,
        samples: examples.length,
        trainingSeconds,
      });
    } catch (err) {
      // The message will be retried (or dead-lettered); the run records what happened meanwhile.
      await this.own((tx) => this.runs.fail(tx, runId, `training error: ${errorMessage(err)}`)).catch(
        () => undefined,
      );
      throw err;
    } finally {
      clearInterval(heartbeat);
      booster?.dispose();
    }
  }
}
