import { WILSON_Z_95 } from '../constants';
import { DriftMathError } from '../errors';
import { assertCount } from '../internal/validate';

export interface ProportionInterval {
  /** successes / n, the plain observed proportion. */
  estimate: number;
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion (e.g. 7-day accuracy). Chosen over the normal (Wald) interval
 * because it stays inside [0, 1] and behaves at small n and at 0 or 100% accuracy.
 *
 * n = 0 throws EMPTY_SAMPLE rather than returning null: an accuracy with no predictions is not a
 * number, and callers are expected to gate on `sampleSizeCheck` first, so reaching here with 0 is a bug.
 */
export function wilsonInterval(successes: number, n: number, z: number = WILSON_Z_95): ProportionInterval {
  assertCount(n, 'n');
  assertCount(successes, 'successes');
  if (n === 0) throw new DriftMathError('EMPTY_SAMPLE', 'cannot estimate a proportion from 0 observations');
  if (successes > n) throw new DriftMathError('INVALID_COUNT', `successes (${successes}) exceed n (${n})`);
  if (!Number.isFinite(z) || z <= 0)
    throw new DriftMathError('INVALID_ARGUMENT', `z must be finite and > 0, got ${z}`);

  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes the true bound is exactly 0 or 1; pin it so rounding (0.9999999999999999) does
  // not make a perfect score look imperfect, and clamp elsewhere for the same reason.
  return {
    estimate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === n ? 1 : Math.min(1, centre + halfWidth),
  };
}
