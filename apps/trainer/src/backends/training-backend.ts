import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppLogger } from '@app/common';
import type { ModelType } from '@app/domain';
import type { CandidateResult } from '../candidate';

export interface TrainingRequest {
  runId: string;
  tenantId: string;
  modelType: ModelType;
  correlationId: string;
}

export type TrainingOutcome =
  | { ok: true; result: CandidateResult; externalJobId?: string }
  | { ok: false; code: string; reason: string; externalJobId?: string };

/** Where a candidate is trained. Two real implementations: in this process, or as an Azure ML job. */
export interface TrainingBackend {
  readonly name: 'local' | 'azureml';
  train(req: TrainingRequest, em: EntityManager, log: AppLogger): Promise<TrainingOutcome>;
}

export const TRAINING_BACKEND = Symbol('TrainingBackend');
