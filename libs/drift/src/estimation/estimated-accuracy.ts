import { WILSON_Z_95 } from '../constants';
import { DriftMathError } from '../errors';
import { assertFiniteNumber } from '../internal/validate';

/**
 * Windows up to this many predictions get the exact Poisson-binomial interval (a dynamic programme of
 * n^2 / 2 steps: 2 million at 2,000, a few milliseconds); larger ones the normal approximation, whose
 * error on the bounds is then well under a tenth of a point (its skewness term shrinks as 1/sqrt(n)).
 */
export const POISSON_BINOMIAL_EXACT_MAX = 2000;

export interface EstimatedAccuracy {
  /** Expected share of right answers: the mean of each prediction's probability of being right. */
  estimate: number;
  /** Equal-tailed 95% bounds of the share right, if each prediction is right with its own probability. */
  low: number;
  high: number;
  n: number;
  method: 'exact' | 'normal';
}

/**
 * The probability mass function of the number of successes among independent trials with success
 * probabilities `ps` (Poisson-binomial), by adding one trial at a time: pmf'[k] = pmf[k](1-p) + pmf[k-1]p.
 */
export function poissonBinomialPmf(ps: readonly number[]): Float64Array {
  let pmf = new Float64Array(ps.length + 1);
  pmf[0] = 1;
  let next = new Float64Array(ps.length + 1);
  ps.forEach((p, i) => {
    next[0] = pmf[0]! * (1 - p);
    for (let k = 1; k <= i + 1; k++) next[k] = pmf[k]! * (1 - p) + pmf[k - 1]! * p;
    [pmf, next] = [next, pmf];
  });
  return pmf;
}

/**
 * Estimated accuracy of a window of predictions whose labels are not known yet (CBPE's idea, after
 * NannyML): each prediction is right with its calibrated probability `ps[i]`, so the share right has
 * mean mean(ps) and, the answers being independent given the inputs, a Poisson-binomial distribution.
 * The interval holds the central 95% of that distribution: from the smallest k whose cumulative
 * probability reaches 2.5% to the smallest k whose cumulative probability reaches 97.5%, divided by n
 * (exact up to POISSON_BINOMIAL_EXACT_MAX predictions); above it, mean +- 1.96 standard deviations,
 * clamped to [0, 1]. It measures the binomial noise of the window only: a calibration that no longer
 * holds (the relationship changed) is not in it, which is why realized accuracy decides when it can.
 */
export function estimatedAccuracy(ps: readonly number[]): EstimatedAccuracy {
  const n = ps.length;
  if (n === 0) throw new DriftMathError('EMPTY_SAMPLE', 'no predictions to estimate the accuracy of');
  let mean = 0;
  let variance = 0;
  ps.forEach((p, i) => {
    assertFiniteNumber(p, `ps[${i}]`);
    if (p < 0 || p > 1) throw new DriftMathError('INVALID_ARGUMENT', `ps[${i}] must be in [0, 1], got ${p}`);
    mean += p;
    variance += p * (1 - p);
  });
  const estimate = mean / n;
  if (n > POISSON_BINOMIAL_EXACT_MAX) {
    const half = WILSON_Z_95 * Math.sqrt(variance);
    return {
      estimate,
      low: Math.max(0, (mean - half) / n),
      high: Math.min(1, (mean + half) / n),
      n,
      method: 'normal',
    };
  }
  const pmf = poissonBinomialPmf(ps);
  // A hair under the tails' 2.5%, so that rounding in the running sum never skips the k that reaches it.
  const tail = 0.025 - 1e-12;
  let cumulative = 0;
  let low = -1;
  let high = n;
  for (let k = 0; k <= n; k++) {
    cumulative += pmf[k]!;
    if (low < 0 && cumulative >= tail) low = k;
    if (cumulative >= 1 - tail) {
      high = k;
      break;
    }
  }
  return { estimate, low: low / n, high: high / n, n, method: 'exact' };
}
