import { DomainError } from '@app/common';
import type { RollbackRefusalCode } from '@app/database';

/**
 * Every code the validator fails a message with (mapped at the message edge); a stored model it refuses to
 * load fails with libs/ml's ArtifactError (ARTIFACT_CORRUPT, ARTIFACT_FORMAT).
 */
export type ValidatorErrorCode =
  /** The candidate's artifact is not (yet) in model_artifacts. */
  | 'NO_ARTIFACT'
  /** The trainer recorded no hold-out cut-off on the run, so the hold-out cannot be rebuilt. */
  | 'NO_SPLIT'
  /** Another deployment of the same model won the one-active race: retryable, the retry sees the winner. */
  | 'CONCURRENT_DEPLOYMENT'
  /** A rollback the registry's rules refuse (read-models/registry.ts planRollback). */
  | RollbackRefusalCode;

export class ValidatorError extends DomainError<ValidatorErrorCode> {}
