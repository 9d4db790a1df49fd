import type {
  CategoryCounts,
  CurrentCounts,
  NumericBinCounts,
  PsiBinDetail,
  PsiResult,
  PsiThresholds,
} from './psi.types';
import { psiBand, resolvePsiThresholds } from './psi-band';
import type { CategoricalBaseline, FeatureBaseline, NumericBinnedBaseline } from '../baseline/baseline.types';
import {
  canonicalNumericKey,
  categoryKey,
  compareKeys,
  countByKey,
  ownCount,
} from '../baseline/category-key';
import { assertValidBaseline } from '../baseline/parse-baseline';
import { binLabels, countInBins } from '../baseline/quantile-edges';
import { EMPTY_BIN_SHARE, NUMERIC_BIN_COUNT } from '../constants';
import { DriftMathError } from '../errors';
import { assertCount, assertFiniteNumbers, describe, isPlainRecord, sum } from '../internal/validate';

/** count / n, or EMPTY_BIN_SHARE for an empty bin (no renormalisation, by rule). */
export function binShare(count: number, n: number): number {
  return count === 0 ? EMPTY_BIN_SHARE : count / n;
}

/** One bin's PSI term. Both factors always have the same sign, so the term is never negative. */
export function psiContribution(currentShare: number, baselineShare: number): number {
  return (currentShare - baselineShare) * Math.log(currentShare / baselineShare);
}

/** Current-window counts in the baseline's bins: 10 counts for numeric bins, key -> count otherwise. */
export function histogramFromValues(baseline: NumericBinnedBaseline, values: readonly number[]): number[];
export function histogramFromValues(
  baseline: CategoricalBaseline,
  values: readonly (number | string)[],
): Record<string, number>;
export function histogramFromValues(
  baseline: FeatureBaseline,
  values: readonly (number | string)[],
): number[] | Record<string, number>;
export function histogramFromValues(
  baseline: FeatureBaseline,
  values: readonly (number | string)[],
): number[] | Record<string, number> {
  assertValidBaseline(baseline);
  switch (baseline.kind) {
    case 'numeric_binned': {
      const numbers: readonly unknown[] = values;
      assertFiniteNumbers(numbers, 'values');
      return countInBins(baseline.edges, numbers);
    }
    case 'categorical':
      return countByKey(
        values.map((value, i) => categoryKey(value, baseline.numeric, `values[${i}]`)),
        baseline.numeric,
      );
  }
}

/**
 * PSI of a current window given as counts (in production they come from SQL). Numeric: 10 counts
 * aligned with the baseline bins. Categorical: key -> count; keys absent from the baseline are new bins
 * (baseline share 1e-4), baseline keys absent from the window get current share 1e-4.
 */
export function psiFromCounts(
  baseline: NumericBinnedBaseline,
  current: NumericBinCounts,
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function psiFromCounts(
  baseline: CategoricalBaseline,
  current: CategoryCounts,
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function psiFromCounts(
  baseline: FeatureBaseline,
  current: CurrentCounts,
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function psiFromCounts(
  baseline: FeatureBaseline,
  current: CurrentCounts,
  thresholds?: Partial<PsiThresholds>,
): PsiResult {
  assertValidBaseline(baseline);
  // Resolve first so bad thresholds fail even when the data would have been fine.
  const resolved = resolvePsiThresholds(thresholds);
  const rows =
    baseline.kind === 'numeric_binned' ? numericRows(baseline, current) : categoricalRows(baseline, current);
  const nCurrent = sum(rows.map((r) => r.currentCount));
  if (nCurrent === 0) throw new DriftMathError('EMPTY_SAMPLE', 'current window has no observations');

  const bins: PsiBinDetail[] = rows.map(({ label, baselineCount, currentCount }) => {
    const baselineShare = binShare(baselineCount, baseline.n);
    const currentShare = binShare(currentCount, nCurrent);
    return {
      label,
      baselineCount,
      currentCount,
      baselineShare,
      currentShare,
      contribution: psiContribution(currentShare, baselineShare),
    };
  });
  const psi = sum(bins.map((b) => b.contribution));
  return {
    kind: baseline.kind,
    psi,
    band: psiBand(psi, resolved),
    thresholds: resolved,
    bins,
    nBaseline: baseline.n,
    nCurrent,
  };
}

/** PSI of a current window given as raw values (binned here with the baseline's frozen edges). */
export function computePsi(
  baseline: NumericBinnedBaseline,
  values: readonly number[],
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function computePsi(
  baseline: CategoricalBaseline,
  values: readonly (number | string)[],
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function computePsi(
  baseline: FeatureBaseline,
  values: readonly (number | string)[],
  thresholds?: Partial<PsiThresholds>,
): PsiResult;
export function computePsi(
  baseline: FeatureBaseline,
  values: readonly (number | string)[],
  thresholds?: Partial<PsiThresholds>,
): PsiResult {
  if (values.length === 0) throw new DriftMathError('EMPTY_SAMPLE', 'current window is empty');
  return psiFromCounts(baseline, histogramFromValues(baseline, values), thresholds);
}

interface BinRow {
  label: string;
  baselineCount: number;
  currentCount: number;
}

function numericRows(baseline: NumericBinnedBaseline, current: CurrentCounts): BinRow[] {
  if (!isCountArray(current) || current.length !== NUMERIC_BIN_COUNT) {
    throw new DriftMathError(
      'COUNTS_SHAPE_MISMATCH',
      `numeric baseline needs an array of ${NUMERIC_BIN_COUNT} counts, got ${isCountArray(current) ? `${current.length} counts` : describe(current)}`,
    );
  }
  current.forEach((c, i) => assertCount(c, `current counts[${i}]`));
  const labels = binLabels(baseline.edges);
  return labels.map((label, i) => ({ label, baselineCount: baseline.counts[i], currentCount: current[i] }));
}

function categoricalRows(baseline: CategoricalBaseline, current: CurrentCounts): BinRow[] {
  if (isCountArray(current) || !isPlainRecord(current)) {
    throw new DriftMathError(
      'COUNTS_SHAPE_MISMATCH',
      `categorical baseline needs a record of value -> count, got ${describe(current)}`,
    );
  }
  // Numeric categories may arrive rendered by SQL ("1.0"); merge them into the baseline's key form.
  // A Map, not an object: a category named "__proto__" must count like any other.
  const merged = new Map<string, number>();
  for (const [rawKey, count] of Object.entries(current)) {
    assertCount(count, `current counts[${describe(rawKey)}]`);
    const key = baseline.numeric ? canonicalNumericKey(rawKey) : rawKey;
    merged.set(key, (merged.get(key) ?? 0) + count);
  }
  const keys = [...new Set([...Object.keys(baseline.counts), ...merged.keys()])].sort(
    compareKeys(baseline.numeric),
  );
  return keys.map((key) => ({
    label: key,
    baselineCount: ownCount(baseline.counts, key),
    currentCount: merged.get(key) ?? 0,
  }));
}

function isCountArray(counts: CurrentCounts): counts is NumericBinCounts {
  return Array.isArray(counts);
}
