import type { FeatureBaseline } from '../baseline/baseline.types';
import { canonicalNumericKey, categoryKey } from '../baseline/category-key';
import { binIndex } from '../baseline/quantile-edges';
import { DriftMathError } from '../errors';
import { describe } from '../internal/validate';
import type { CurrentCounts } from './psi.types';

/**
 * Turns (bin, count) pairs computed in SQL into the current counts psiFromCounts takes: a 10-slot array
 * for a binned numeric baseline (bin = number of edges <= value), a value -> count map otherwise
 * (numeric keys canonicalised, so "3.0" and "3" are one bin).
 */
export function countsFromBins(
  baseline: FeatureBaseline,
  bins: readonly { bin: string | null; n: number }[],
): CurrentCounts {
  if (baseline.kind === 'numeric_binned') {
    const counts = new Array<number>(baseline.counts.length).fill(0);
    for (const { bin, n } of bins) {
      if (bin === null || n === 0) continue;
      const i = Number(bin);
      if (!Number.isInteger(i) || i < 0 || i >= counts.length)
        throw new DriftMathError('COUNTS_SHAPE_MISMATCH', `bin ${bin} outside 0..${counts.length - 1}`);
      counts[i]! += n;
    }
    return counts;
  }
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const { bin, n } of bins) {
    if (bin === null || n === 0) continue;
    const key = baseline.numeric ? canonicalNumericKey(bin) : bin;
    counts[key] = (counts[key] ?? 0) + n;
  }
  return counts;
}

/** One distinct value of a feature in a window and how many claims had it (null: the column was empty). */
export interface ValueCount {
  value: number | string | null;
  n: number;
}

/**
 * The current counts psiFromCounts takes, from a window counted by distinct value (SQL `group by`): a value
 * lands where `histogramFromValues` would put each of its claims (a binned numeric in bin `binIndex`, the
 * number of edges <= value; anything else under its key). Empty values are not counted, as SQL's
 * width_bucket(null) and a null group are not. Mapping a few hundred distinct values to four models' bins
 * here, rather than in the statement that counted them, keeps the sorting and grouping of every
 * (model, feature, bin) out of Postgres (issue 20, docs/benchmarks.md).
 */
export function countsFromValues(baseline: FeatureBaseline, values: readonly ValueCount[]): CurrentCounts {
  if (baseline.kind === 'numeric_binned') {
    const counts = new Array<number>(baseline.counts.length).fill(0);
    for (const { value, n } of values) {
      if (value === null || n === 0) continue;
      if (typeof value !== 'number')
        throw new DriftMathError(
          'WRONG_VALUE_TYPE',
          `value ${describe(value)} of a binned numeric is not a number`,
        );
      counts[binIndex(baseline.edges, value)]! += n;
    }
    return counts;
  }
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const { value, n } of values) {
    if (value === null || n === 0) continue;
    const key = categoryKey(value, baseline.numeric, 'value');
    counts[key] = (counts[key] ?? 0) + n;
  }
  return counts;
}
