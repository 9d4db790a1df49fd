import type { BASELINE_VERSION } from '../constants';

/** How a feature is declared in the model config. */
export type FeatureKind = 'numeric' | 'categorical';

/** Summary of a numeric training sample, kept for display and sanity checks (not used by PSI). */
export interface NumericSummary {
  mean: number;
  min: number;
  max: number;
}

/**
 * Numeric feature with more than 20 distinct values. Bin i holds v with edges[i-1] <= v < edges[i]
 * (edges[-1] = -inf, edges[9] = +inf), i.e. bin index = number of edges <= v.
 */
export interface NumericBinnedBaseline {
  version: typeof BASELINE_VERSION;
  kind: 'numeric_binned';
  /** 9 non-decreasing values taken from the sorted sample; repeats are kept (they make empty bins). */
  edges: number[];
  /** 10 counts, one per bin; they sum to n. */
  counts: number[];
  n: number;
  stats: NumericSummary;
}

/** Categorical feature: one bin per value seen, keyed by the value itself. */
export interface StringCategoricalBaseline {
  version: typeof BASELINE_VERSION;
  kind: 'categorical';
  numeric: false;
  /** value -> count; they sum to n. */
  counts: Record<string, number>;
  n: number;
}

/** Numeric feature with at most 20 distinct values: one bin per value, keyed by `numericKey(value)`. */
export interface NumericCategoricalBaseline {
  version: typeof BASELINE_VERSION;
  kind: 'categorical';
  numeric: true;
  /** numericKey(value) -> count; they sum to n. */
  counts: Record<string, number>;
  n: number;
  stats: NumericSummary;
}

export type CategoricalBaseline = StringCategoricalBaseline | NumericCategoricalBaseline;
export type NumericBaseline = NumericBinnedBaseline | NumericCategoricalBaseline;

/** What gets stored (as JSON) per model version and feature. */
export type FeatureBaseline = NumericBinnedBaseline | CategoricalBaseline;
