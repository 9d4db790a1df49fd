import {
  ClaimFiledPayload,
  ClaimOutcomesDuePayload,
  ClaimResolvedPayload,
  ClaimScoredPayload,
  DriftCheckedPayload,
  DriftCheckRequestedPayload,
  DriftDetectedPayload,
  ModelChallengerDecidedPayload,
  ModelDeployedPayload,
  ModelRollbackRequestedPayload,
  ModelTrainedPayload,
  ModelValidatedPayload,
  SeedCompletedPayload,
  SeedFailedPayload,
  SeedRequestedPayload,
  TrainingFailedPayload,
} from './payloads';
import type { Subject } from './subjects';

/** Subject -> payload class: publishing a wrong payload for a subject does not compile. */
export const PAYLOAD_CLASSES = {
  'drift.check.requested': DriftCheckRequestedPayload,
  'drift.checked': DriftCheckedPayload,
  'drift.detected': DriftDetectedPayload,
  'model.trained': ModelTrainedPayload,
  'training.failed': TrainingFailedPayload,
  'model.validated': ModelValidatedPayload,
  'model.deployed': ModelDeployedPayload,
  'model.rollback.requested': ModelRollbackRequestedPayload,
  'model.challenger.decided': ModelChallengerDecidedPayload,
  'seed.requested': SeedRequestedPayload,
  'seed.completed': SeedCompletedPayload,
  'seed.failed': SeedFailedPayload,
  'claim.filed': ClaimFiledPayload,
  'claim.resolved': ClaimResolvedPayload,
  'claim.scored': ClaimScoredPayload,
  'claim.outcomes.due': ClaimOutcomesDuePayload,
} as const satisfies Record<Subject, new () => object>;

export type PayloadOf<S extends Subject> = InstanceType<(typeof PAYLOAD_CLASSES)[S]>;

/** Current version of each subject's payload; a consumer refuses versions it does not know. */
export const PAYLOAD_VERSIONS: Record<Subject, readonly number[]> = {
  'drift.check.requested': [1],
  'drift.checked': [1],
  'drift.detected': [1],
  'model.trained': [1],
  'training.failed': [1],
  'model.validated': [1],
  'model.deployed': [1],
  'model.rollback.requested': [1],
  'model.challenger.decided': [1],
  'seed.requested': [1],
  'seed.completed': [1],
  'seed.failed': [1],
  'claim.filed': [1],
  'claim.resolved': [1],
  'claim.scored': [1],
  'claim.outcomes.due': [1],
};
