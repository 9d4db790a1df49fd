import { createHash } from 'node:crypto';
import { TrainerError } from './errors';
import type { FeatureBaselineDraft } from '@app/database';
import { MODEL_CONFIGS, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { accuracyOf, evaluateXgbModel, splitByTime, trainMajority, trainXgbModel, XGB_FORMAT } from '@app/ml';
import type { TrainingExample } from '@app/ml';
import { candidateBaselines } from './candidate-baselines';

/** A trained candidate, not yet stored: its model, its baselines and its hold-out figures. */
export interface FittedCandidate {
  tenantId: string;
  modelType: ModelType;
  format: string;
  checksum: string;
  content: Buffer;
  featureBaselines: FeatureBaselineDraft[];
  holdoutAccuracy: number;
  trainingSamples: number;
  validationSamples: number;
  metrics: Record<string, unknown>;
  split: Record<string, unknown>;
}

/** What a stored candidate is: its version, its artifact and its hold-out figures. */
export interface CandidateResult {
  version: number;
  artifactId: string;
  holdoutAccuracy: number;
  trainingSamples: number;
  validationSamples: number;
  metrics: Record<string, unknown>;
  split: Record<string, unknown>;
}

export class InsufficientSamplesError extends TrainerError {
  constructor(have: number, need: number, months: number) {
    super(
      'INSUFFICIENT_SAMPLES',
      `insufficient samples: have ${have}, need ${need} labelled examples from the last ${months} months`,
    );
  }
}

/**
 * Trains one candidate from a tenant's labelled examples: no database, no transaction (the fit may take
 * minutes). The same code runs in the trainer service (local backend) and inside an Azure ML command job.
 */
export async function fitCandidate(
  examples: readonly TrainingExample[],
  job: { tenantId: string; modelType: ModelType; rounds: number; threads: number },
): Promise<FittedCandidate> {
  const { tenantId, modelType } = job;
  const cfg = MODEL_CONFIGS[modelType];
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
    return {
      tenantId,
      modelType,
      format: XGB_FORMAT,
      checksum: createHash('sha256').update(content).digest('hex'),
      content,
      featureBaselines: candidateBaselines(cfg.features, split.train),
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
        // The newest example it was given (hold-out included; examples are sorted): labels of claims filed
        // after it are new to this candidate, which is what makes a later retrain worth doing.
        newest: (split.holdout.at(-1) ?? split.train.at(-1))!.at.toISOString(),
        train: split.train.length,
        holdout: split.holdout.length,
      },
    };
  } finally {
    booster.dispose();
  }
}
