import { DomainError } from '@app/common';

/**
 * Every code the scorer fails a message with (mapped at the message edge); a stored model it refuses to
 * load fails with libs/ml's ArtifactError (ARTIFACT_CORRUPT, ARTIFACT_FORMAT), dead-lettered likewise.
 */
export type ScorerErrorCode =
  /** claim.filed names a claim that is not in `claims` for the event's tenant: nothing can be scored. */
  | 'UNKNOWN_CLAIM'
  /** The active versions kept changing while their models were being loaded: retryable. */
  | 'MODELS_CHANGING';

export class ScorerError extends DomainError<ScorerErrorCode> {}
