import { DriftMathError } from '../errors';
import { assertCount } from '../internal/validate';

/**
 * A sequential test of a challenger against the champion on paired outcomes (issue 19): both models
 * answered the same claims, and only the claims where exactly one of them was right (the discordant pairs)
 * say which is better. Under "equally good" the challenger wins each discordant pair with probability 1/2.
 *
 * The statistic is a mixture likelihood ratio (mSPRT): the probability of the observed wins under a
 * Beta(a, a) prior on the challenger's share p of discordant pairs, over their probability under p = 1/2,
 *
 *   Λ_n = B(a + s, a + n - s) / B(a, a) / 2^-n        (s wins in n discordant pairs)
 *
 * Under p = 1/2, Λ_n is a non-negative martingale with mean 1, so by Ville's inequality the chance that it
 * EVER reaches 1/α, however often it is looked at, is at most α: the test may be checked every day, every
 * pair, and stay valid. A decision is taken the first time Λ_n >= 1/α: promote when the challenger won most
 * of the pairs, retire when it lost most. With no decision by `maxPairs` pairs the challenger is retired for
 * futility (the models are too close to tell, so the champion stays). The always-valid p-value is
 * min(1, 1 / max_k Λ_k).
 *
 * `a` is the prior's weight: Beta(10, 10) puts most of its mass on p in 0.3-0.7, the differences a
 * retrain can make; docs/decisions.md ("Issue 19") gives the expected pairs to a decision per effect and
 * the measured error rates.
 */
export interface SequentialTestOptions {
  /** Error rate: the chance of any decision between equal models, under continuous monitoring. */
  alpha: number;
  /** Beta(a, a) prior on the challenger's share of discordant pairs. */
  prior: number;
  /** Discordant pairs after which an undecided test ends in futility. */
  maxPairs: number;
}

export type SequentialVerdict = 'continue' | 'promote' | 'retire_worse' | 'retire_futile';

export interface SequentialTestResult {
  verdict: SequentialVerdict;
  /** Discordant pairs used (up to the decision). */
  pairs: number;
  /** Of which the challenger was right (and the champion wrong). */
  challengerWins: number;
  /** ln Λ at the last pair used. */
  logLikelihoodRatio: number;
  /** min(1, 1 / max Λ so far). */
  alwaysValidP: number;
}

export const DEFAULT_SEQUENTIAL_TEST: SequentialTestOptions = { alpha: 0.05, prior: 10, maxPairs: 2000 };

/** ln(1/α): the value of ln Λ at which the test decides (Ville's inequality bounds its error by α). */
export function decisionThreshold(alpha: number): number {
  return Math.log(1 / alpha);
}

function checkOptions(o: SequentialTestOptions): void {
  if (!(o.alpha > 0 && o.alpha < 1))
    throw new DriftMathError('INVALID_ARGUMENT', `alpha must be in (0, 1), got ${o.alpha}`);
  if (!(Number.isFinite(o.prior) && o.prior > 0))
    throw new DriftMathError('INVALID_ARGUMENT', `prior must be finite and > 0, got ${o.prior}`);
  assertCount(o.maxPairs, 'maxPairs');
}

/**
 * ln Λ_n for `wins` of `pairs` discordant pairs, in closed form: ln B(a+s, a+n-s) - ln B(a, a) + n ln 2,
 * written as sums of logs (exact for integer counts, no log-gamma approximation).
 */
export function mixtureLogLikelihoodRatio(pairs: number, wins: number, prior: number): number {
  assertCount(pairs, 'pairs');
  assertCount(wins, 'wins');
  if (wins > pairs) throw new DriftMathError('INVALID_COUNT', `wins (${wins}) exceed pairs (${pairs})`);
  if (!(Number.isFinite(prior) && prior > 0))
    throw new DriftMathError('INVALID_ARGUMENT', `prior must be finite and > 0, got ${prior}`);
  let sum = pairs * Math.LN2;
  for (let i = 0; i < wins; i++) sum += Math.log(prior + i);
  for (let j = 0; j < pairs - wins; j++) sum += Math.log(prior + j);
  for (let k = 0; k < pairs; k++) sum -= Math.log(2 * prior + k);
  return sum;
}

/**
 * Runs the test over discordant outcomes in the order their labels arrived (true: the challenger was
 * right and the champion wrong; false: the reverse), and stops at the first decision. Feeding it the same
 * outcomes again gives the same answer: a daily re-evaluation from all the pairs so far is the same test as
 * one that looked after every pair.
 */
export function pairedSequentialTest(
  challengerWon: readonly boolean[],
  options: SequentialTestOptions = DEFAULT_SEQUENTIAL_TEST,
): SequentialTestResult {
  checkOptions(options);
  const threshold = decisionThreshold(options.alpha);
  const a = options.prior;
  let logLr = 0;
  let maxLogLr = 0;
  let wins = 0;
  let n = 0;
  for (const won of challengerWon) {
    // The mixture's predictive probability of this outcome given the ones before (Beta-binomial), over 1/2.
    const predictive = (won ? a + wins : a + n - wins) / (2 * a + n);
    logLr += Math.log(predictive) + Math.LN2;
    n += 1;
    if (won) wins += 1;
    maxLogLr = Math.max(maxLogLr, logLr);
    if (logLr >= threshold || n >= options.maxPairs) break;
  }
  const verdict: SequentialVerdict =
    logLr >= threshold
      ? wins * 2 > n
        ? 'promote'
        : 'retire_worse'
      : n >= options.maxPairs
        ? 'retire_futile'
        : 'continue';
  return {
    verdict,
    pairs: n,
    challengerWins: wins,
    logLikelihoodRatio: logLr,
    alwaysValidP: Math.min(1, Math.exp(-maxLogLr)),
  };
}
