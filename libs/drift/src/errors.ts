/**
 * Stable codes for bad input to the drift math. Callers map them (e.g. to "dead-letter: bad data" vs
 * "skip: not enough data"), so the codes are part of the API; messages are for people and may change.
 */
export type DriftMathErrorCode =
  /** A sample (baseline, current window, or accuracy window) has no observations. */
  | 'EMPTY_SAMPLE'
  /** NaN or +/-Infinity where a finite number is required. */
  | 'NON_FINITE_VALUE'
  /** A value of the wrong type for the feature (e.g. a string in a numeric feature). */
  | 'WRONG_VALUE_TYPE'
  /** A count that is negative, fractional, or inconsistent (e.g. successes > n). */
  | 'INVALID_COUNT'
  /** Current counts whose shape does not match the baseline (array vs record, or not 10 bins). */
  | 'COUNTS_SHAPE_MISMATCH'
  /** A stored baseline that breaks its invariants (wrong edge count, counts not summing to n, ...). */
  | 'INVALID_BASELINE'
  /** PSI band thresholds that are not finite, negative, or out of order. */
  | 'INVALID_THRESHOLD'
  /** Any other out-of-domain scalar argument (negative PSI, z <= 0, unknown feature kind). */
  | 'INVALID_ARGUMENT';

export class DriftMathError extends Error {
  constructor(
    readonly code: DriftMathErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DriftMathError';
  }
}

export function isDriftMathError(error: unknown): error is DriftMathError {
  return error instanceof DriftMathError;
}
