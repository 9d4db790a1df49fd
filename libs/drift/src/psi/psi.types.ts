import type { FeatureBaseline } from '../baseline/baseline.types';

export type PsiBand = 'stable' | 'moderate' | 'significant';

/** psi < moderate: stable; moderate <= psi <= significant: moderate; psi > significant: significant. */
export interface PsiThresholds {
  moderate: number;
  /** The per-model `driftThreshold`. */
  significant: number;
}

/** Current-window counts aligned with a numeric baseline's 10 bins (e.g. from SQL width_bucket). */
export type NumericBinCounts = readonly number[];
/** Current-window counts per category value (e.g. from SQL GROUP BY). Absent keys count as 0. */
export type CategoryCounts = Readonly<Record<string, number>>;
export type CurrentCounts = NumericBinCounts | CategoryCounts;

export interface PsiBinDetail {
  /** "[e_k, e_k+1)" for numeric bins, the category key for categorical ones. */
  label: string;
  baselineCount: number;
  currentCount: number;
  /** count / n, or EMPTY_BIN_SHARE when the count is 0. */
  baselineShare: number;
  currentShare: number;
  /** (currentShare - baselineShare) * ln(currentShare / baselineShare); never negative. */
  contribution: number;
}

export interface PsiResult {
  kind: FeatureBaseline['kind'];
  psi: number;
  band: PsiBand;
  /** The thresholds the band was judged against, so a stored result explains itself. */
  thresholds: PsiThresholds;
  /** Numeric: the 10 bins in order. Categorical: baseline and current keys together, sorted. */
  bins: PsiBinDetail[];
  nBaseline: number;
  nCurrent: number;
}
