import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import {
  accuracyOf,
  encodeClaimFeatures,
  evaluate,
  MODEL_FORMATS,
  serializeModel,
  splitByTime,
  trainMajority,
  trainNaiveBayes,
} from '@app/ml';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

/**
 * Prepares the tenant's data and trains a candidate version: a categorical naive Bayes model over the
 * model's features, evaluated on a time-based hold-out beside the majority-class baseline. (Issue 5
 * replaces the algorithm with XGBoost behind the same flow.)
 */
@Injectable()
export class TrainerService {
  constructor(
    private readonly data: TrainingDataRepository,
    private readonly runs: TrainingRunRepository,
  ) {}

  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.train(event, event.payload.modelType, 'drift', ctx);
  }

  @OnEvent('retrain.requested')
  async onRetrainRequested(event: Envelope<'retrain.requested'>, ctx: HandlerContext): Promise<void> {
    await this.train(event, event.payload.modelType, 'manual', ctx);
  }

  private async train(
    event: Envelope,
    modelType: ModelType,
    trigger: string,
    ctx: HandlerContext,
  ): Promise<void> {
    const cfg = MODEL_CONFIGS[modelType];
    const { em, log } = ctx;
    const runId = await this.runs.start(em, {
      tenantId: event.tenantId,
      modelType,
      trigger,
      triggerEventId: event.id,
      correlationId: event.correlationId,
    });
    if (!runId) {
      log.info('a training run is already in progress; this trigger is coalesced into it', { modelType });
      return;
    }
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
    const encoded = examples.map((e) => ({
      features: encodeClaimFeatures(e, cfg.features),
      label: e.label,
      at: e.at,
    }));
    const split = splitByTime(encoded, cfg.validationSplit);
    const model = trainNaiveBayes(split.train, { features: cfg.features });
    const holdout = evaluate(model, split.holdout);
    const holdoutAccuracy = holdout.accuracy;
    const baseline = accuracyOf(
      trainMajority(split.train.map((e) => e.label)),
      split.holdout.map((e) => e.label),
    );
    const version = await this.runs.nextVersion(em, event.tenantId, modelType);
    const artifact = serializeModel(model, MODEL_FORMATS.naiveBayes);
    const artifactId = await this.runs.saveArtifact(em, {
      tenantId: event.tenantId,
      modelType,
      version,
      ...artifact,
    });
    await this.runs.complete(em, runId, {
      candidateVersion: version,
      trainingSamples: split.train.length,
      validationSamples: split.holdout.length,
      validationAccuracy: holdoutAccuracy,
      metrics: {
        accuracy: holdoutAccuracy,
        majorityBaselineAccuracy: baseline,
        algorithm: model.algorithm,
        confusion: holdout.confusion,
        features: cfg.features,
      },
      split: {
        method: 'time',
        validationSplit: cfg.validationSplit,
        cutoff: split.cutoff.toISOString(),
        train: split.train.length,
        holdout: split.holdout.length,
      },
    });
    await ctx.emit('model.trained', {
      runId,
      modelType,
      candidateVersion: version,
      holdoutAccuracy,
      trainingSamples: split.train.length,
      validationSamples: split.holdout.length,
      artifactId,
      algorithm: model.algorithm,
    });
    log.info('candidate trained', { modelType, runId, version, holdoutAccuracy, samples: examples.length });
  }
}
