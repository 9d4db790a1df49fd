import type { AppLogger } from '@app/common';
import type { ModelType } from '@app/domain';
import type { FittedCandidate } from '@app/ml';
import type { TrainingData } from '../training-data.repository';
import type { TrainingFailureCode } from '../errors';

export interface TrainingRequest {
  runId: string;
  tenantId: string;
  modelType: ModelType;
  correlationId: string;
  /** The run's logical time: its examples are the labels known at this instant (recorded on the run). */
  asOf: Date;
  /** Half-life of the examples' weights (trainingHalfLifeDays: shorter when answering an accuracy breach). */
  halfLifeDays: number;
}

/** What a backend did with a run, outside any transaction; the trainer records it in one of its own. */
export type BackendStep =
  /** Trained here: the candidate, to be stored with the run's completion. */
  | { kind: 'fitted'; candidate: FittedCandidate }
  /** Handed to an external job: the poller records its result when it ends. */
  | { kind: 'submitted'; externalJobId: string }
  | { kind: 'failed'; code: TrainingFailureCode; reason: string };

/** Where a candidate is trained. Two real implementations: in this process, or as an Azure ML job. */
export interface TrainingBackend {
  readonly name: 'local' | 'azureml';
  /**
   * Trains (or starts training) a run's candidate, outside any transaction. `data` reads the tenant's
   * labelled examples and recent inputs in a short transaction of its own (only a backend that trains here
   * needs them).
   */
  run(req: TrainingRequest, data: () => Promise<TrainingData>, log: AppLogger): Promise<BackendStep>;
}

export const TRAINING_BACKEND = Symbol('TrainingBackend');
