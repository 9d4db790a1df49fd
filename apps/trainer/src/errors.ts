import { DomainError } from '@app/common';
import type { DriftMathErrorCode } from '@app/drift';
import type { TrainingErrorCode, XGBoostErrorCode } from '@app/ml';

/** Every code the trainer fails a message with (mapped at the message edge). */
export type TrainerErrorCode =
  /** The run's lease expired and the sweeper failed it while this process trained: its result is discarded. */
  'LEASE_LOST';

/**
 * Why a training run failed, as `training.failed` says it: the trainer's own codes, the Azure ML
 * backend's, the sweeper's, and the libraries' (a deterministic XGBoost or drift-math failure).
 */
export type TrainingFailureCode =
  | TrainerErrorCode
  /** From training itself (libs/ml): INSUFFICIENT_SAMPLES, fewer labelled examples than minTrainingSamples. */
  | TrainingErrorCode
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
