import type { FeatureBaseline } from '../baseline/baseline.types';
import { canonicalNumericKey } from '../baseline/category-key';
import { DriftMathError } from '../errors';
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
