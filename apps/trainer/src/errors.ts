import { DomainError } from '@app/common';
import type { DriftMathErrorCode } from '@app/drift';
import type { XGBoostErrorCode } from '@app/ml';

/** Every code the trainer fails a message with (mapped at the message edge). */
export type TrainerErrorCode =
  /** Fewer labelled examples than the model's minTrainingSamples: nothing to train on yet. */
  | 'INSUFFICIENT_SAMPLES'
  /** The run's lease expired and the sweeper failed it while this process trained: its result is discarded. */
  | 'LEASE_LOST';

/**
 * Why a training run failed, as `training.failed` says it: the trainer's own codes, the Azure ML
 * backend's, the sweeper's, and the libraries' (a deterministic XGBoost or drift-math failure).
 */
export type TrainingFailureCode =
  | TrainerErrorCode
  /** The run's process stopped sending heartbeats; the sweeper failed the run. */
  | 'LEASE_EXPIRED'
  /** The Azure ML job ran past AZUREML_TIMEOUT_SECONDS and was cancelled. */
  | 'AZUREML_TIMEOUT'
  /** The Azure ML job failed, or Azure ML no longer knows it. */
  | 'AZUREML_JOB_FAILED'
  /** The Azure ML job completed without storing a candidate. */
  | 'AZUREML_NO_RESULT'
  | XGBoostErrorCode
  | DriftMathErrorCode;

export class TrainerError extends DomainError<TrainerErrorCode> {}
