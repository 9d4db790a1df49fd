import { DomainError } from '@app/common';

/** Every code the scorer's outcomes fail a message with (dead-lettered at the message edge). */
export type OutcomesErrorCode =
  /** claim.resolved names a claim the tenant does not have in `claims`. */
  | 'UNKNOWN_CLAIM'
  /** claim.resolved names a claim whose row has no resolution, or lacks a label its resolution records. */
  | 'CLAIM_NOT_RESOLVED';

/**
 * Not retryable: the claims application publishes after its row is committed (docs/integration.md), so a
 * redelivery would read the same row. Dead-lettered with nothing written, for a person to look at.
 */
export class OutcomesError extends DomainError<OutcomesErrorCode> {}
