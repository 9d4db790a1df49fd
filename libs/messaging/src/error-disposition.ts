import { DomainError, errorMessage } from '@app/common';
import { ContractViolation } from '@app/contracts';
import { DriftMathError } from '@app/drift';
import type { DriftMathErrorCode } from '@app/drift';
import { XGBoostError } from '@app/ml';

/**
 * The edge's own refusals: an event for a tenant the platform does not have; a batch some of whose events
 * another delivery handled meanwhile (retryable: the retry finds them in the inbox).
 */
export type MessagingErrorCode = 'UNKNOWN_TENANT' | 'CONCURRENT_DELIVERY';

export class MessagingError extends DomainError<MessagingErrorCode> {}

/** What the message edge does with a message whose handler threw. */
export interface Disposition {
  /** retry: nak with a growing delay (dead-lettered once out of deliveries); dead_letter: at once. */
  action: 'retry' | 'dead_letter';
  /** The code in the dead-letter headers, the logs and the metrics. */
  code: string;
  reason: string;
}

/**
 * Drift math codes worth a retry: none. Each one describes the inputs (a stored baseline, a window of
 * observations, configured thresholds), and a redelivery reads the same inputs and fails the same way; a
 * corrupt baseline retried five times is five failures and a late dead letter. A Record, so a new code
 * does not compile until someone decides.
 */
const DRIFT_MATH_RETRYABLE: Record<DriftMathErrorCode, boolean> = {
  EMPTY_SAMPLE: false,
  NON_FINITE_VALUE: false,
  WRONG_VALUE_TYPE: false,
  INVALID_COUNT: false,
  COUNTS_SHAPE_MISMATCH: false,
  INVALID_BASELINE: false,
  INVALID_THRESHOLD: false,
  INVALID_ARGUMENT: false,
};

/**
 * XGBoost codes worth a retry: none. XGBoost's C API is deterministic: parameters, data or model bytes
 * it refuses are refused again on the next delivery; a booster used after dispose() is a bug.
 */
const XGBOOST_RETRYABLE: Record<XGBoostError['code'], boolean> = {
  XGBOOST_CALL_FAILED: false,
  XGBOOST_DISPOSED: false,
};

/**
 * The one place a handler's error becomes an action: contract violations and non-retryable domain errors
 * are dead-lettered at once; the libraries' coded errors (drift math, XGBoost) by their code's entry
 * above; anything else (a lost connection, a lock timeout) is retried.
 */
export function dispositionOf(err: unknown): Disposition {
  if (err instanceof ContractViolation) return { action: 'dead_letter', code: err.code, reason: err.reason };
  if (err instanceof DomainError)
    return { action: err.retryable ? 'retry' : 'dead_letter', code: err.code, reason: err.message };
  if (err instanceof DriftMathError)
    return {
      action: DRIFT_MATH_RETRYABLE[err.code] ? 'retry' : 'dead_letter',
      code: err.code,
      reason: `drift math: ${err.message}`,
    };
  if (err instanceof XGBoostError)
    return {
      action: XGBOOST_RETRYABLE[err.code] ? 'retry' : 'dead_letter',
      code: err.code,
      reason: `XGBoost: ${err.message}`,
    };
  return { action: 'retry', code: 'HANDLER_ERROR', reason: errorMessage(err) };
}
