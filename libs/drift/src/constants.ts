/** Numeric features with more distinct values than this get quantile bins; the rest one bin per value. */
export const LOW_CARDINALITY_MAX_DISTINCT = 20;

/** Decile bins: 9 edges cut the sorted baseline into 10 bins. */
export const NUMERIC_BIN_COUNT = 10;
export const NUMERIC_EDGE_COUNT = NUMERIC_BIN_COUNT - 1;

/**
 * Share given to an empty bin on either side, so ln(current / baseline) stays finite. Shares are not
 * renormalised afterwards: the rule is applied exactly as written so stored results are reproducible.
 */
export const EMPTY_BIN_SHARE = 1e-4;

export const DEFAULT_MODERATE_PSI = 0.1;
/** Default per-model `driftThreshold`. */
export const DEFAULT_SIGNIFICANT_PSI = 0.25;

/** Two-sided 95% normal quantile, Phi^-1(0.975). */
export const WILSON_Z_95 = 1.959963984540054;

/** Version of the stored baseline JSON; bump when its shape or binning rule changes. */
export const BASELINE_VERSION = 1;
