import { DriftMathError } from '../errors';
import { assertFiniteNumber } from '../internal/validate';

/** How many quantiles of the hold-out's errors a timeline version keeps (every 1%, both ends included). */
export const ERROR_QUANTILES = 101;

/**
 * A timeline version's errors on its own hold-out, as the quantiles of log(actual / predicted): resolution
 * times are multiplicative (each complexity step multiplies them), so the model's error is about the same
 * ratio whatever the prediction, and one distribution of log-ratios serves every prediction. Chosen over a
 * second model of the absolute error (NannyML's DLE) because the hold-out is a few hundred examples: a
 * distribution is fitted from that many, a model of the error per input is not.
 */
export interface TimelineErrorModel {
  version: 1;
  /** ERROR_QUANTILES quantiles (non-decreasing) of log(actual / predicted) on the hold-out. */
  logRatioQuantiles: number[];
  n: number;
}

/** Quantile q (0..1) of sorted values, linear between order statistics (type 7, as R and numpy). */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Fits the error model from (predicted, actual) days on the hold-out; both must be positive. */
export function fitTimelineErrors(
  pairs: readonly { predicted: number; actual: number }[],
): TimelineErrorModel {
  if (pairs.length === 0) throw new DriftMathError('EMPTY_SAMPLE', 'no hold-out pairs to fit errors on');
  const ratios = pairs.map((p, i) => {
    assertFiniteNumber(p.predicted, `pairs[${i}].predicted`);
    assertFiniteNumber(p.actual, `pairs[${i}].actual`);
    if (p.predicted <= 0 || p.actual <= 0)
      throw new DriftMathError('INVALID_ARGUMENT', `pairs[${i}]: days must be positive`);
    return Math.log(p.actual / p.predicted);
  });
  ratios.sort((a, b) => a - b);
  const logRatioQuantiles = Array.from({ length: ERROR_QUANTILES }, (_, i) =>
    quantileOfSorted(ratios, i / (ERROR_QUANTILES - 1)),
  );
  return { version: 1, logRatioQuantiles, n: pairs.length };
}

/**
 * The probability that a prediction of `predictedDays` is right, i.e. that the true time is within
 * max(minDays, share x truth) of it (libs/domain isRightAnswer for timeline: 7 days, 25%): the share of
 * the error model's quantiles whose actual time, predicted x e^ratio, would make the answer right. Each
 * quantile stands for 1 / ERROR_QUANTILES of the errors (the two ends for half of that each, as the
 * trapezoid rule has it).
 */
export function timelineRightProbability(
  model: TimelineErrorModel,
  predictedDays: number,
  rule: { minDays: number; share: number },
): number {
  assertFiniteNumber(predictedDays, 'predictedDays');
  const qs = model.logRatioQuantiles;
  const last = qs.length - 1;
  let right = 0;
  qs.forEach((r, i) => {
    const actual = predictedDays * Math.exp(r);
    const ok = Math.abs(predictedDays - actual) <= Math.max(rule.minDays, rule.share * actual);
    if (ok) right += i === 0 || i === last ? 0.5 : 1;
  });
  return right / last;
}
