import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@app/common';
import { MODEL_CONFIGS, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { accuracyOf, evaluateXgbModel, splitByTime, trainMajority, trainXgbModel, XGB_FORMAT } from '@app/ml';
import { candidateBaselines } from './candidate-baselines';
import type { TrainingDataRepository } from './training-data.repository';
import type { TrainingRunRepository } from './training-run.repository';

/** What a finished training produced: the candidate version, its artifact, its hold-out figures. */
export interface CandidateResult {
  version: number;
  artifactId: string;
  holdoutAccuracy: number;
  trainingSamples: number;
  validationSamples: number;
  metrics: Record<string, unknown>;
  split: Record<string, unknown>;
}

export class InsufficientSamplesError extends DomainError {
  constructor(have: number, need: number, months: number) {
    super(
      'INSUFFICIENT_SAMPLES',
      `insufficient samples: have ${have}, need ${need} labelled examples from the last ${months} months`,
    );
  }
}

/**
 * Prepares the data and trains one candidate, writing its artifact and its (inactive) drift baselines.
 * The same code runs in the trainer service (local backend) and inside an Azure ML command job.
 */
export async function trainCandidate(
  em: EntityManager,
  deps: { data: TrainingDataRepository; runs: TrainingRunRepository },
  job: { tenantId: string; modelType: ModelType; rounds: number; threads: number },
): Promise<CandidateResult> {
  const { tenantId, modelType } = job;
  const cfg = MODEL_CONFIGS[modelType];
  const examples = await deps.data.labelledExamples(em, tenantId, modelType, cfg.trainingWindowMonths);
  if (examples.length < cfg.minTrainingSamples)
    throw new InsufficientSamplesError(examples.length, cfg.minTrainingSamples, cfg.trainingWindowMonths);
  const split = splitByTime(
    examples.map((e) => ({ ...e, label: String(e.target) })),
    cfg.validationSplit,
  );
  const t0 = Date.now();
  const booster = await trainXgbModel(modelType, cfg.features, split.train, {
    rounds: job.rounds,
    threads: job.threads,
  });
  try {
    const trainingSeconds = (Date.now() - t0) / 1000;
    const evaluation = evaluateXgbModel(modelType, booster, cfg.features, split.holdout);
    const content = booster.save();
    const majority =
      TRAINING_TARGETS[modelType].task === 'classification'
        ? accuracyOf(
            trainMajority(split.train.map((e) => e.label)),
            split.holdout.map((e) => e.label),
          )
        : null;
    const version = await deps.runs.nextVersion(em, tenantId, modelType);
    const checksum = createHash('sha256').update(content).digest('hex');
    const artifactId = await deps.runs.saveArtifact(em, {
      tenantId,
      modelType,
      version,
      format: XGB_FORMAT,
      checksum,
      content,
    });
    await deps.runs.saveBaselines(
      em,
      candidateBaselines(tenantId, modelType, version, cfg.features, split.train),
    );
    return {
      version,
      artifactId,
      holdoutAccuracy: evaluation.accuracy,
      trainingSamples: split.train.length,
      validationSamples: split.holdout.length,
      metrics: {
        accuracy: evaluation.accuracy,
        majorityBaselineAccuracy: majority,
        maeDays: evaluation.mae,
        confusion: evaluation.confusion,
        algorithm: 'xgboost',
        rounds: job.rounds,
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
    };
  } finally {
    booster.dispose();
  }
}
