import { CLAIM_TYPES, DEPARTMENTS, FEATURES, PRIORITIES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import { discretize } from './naive-bayes';
import type { FeatureValue } from './naive-bayes';

/** A claim's model inputs, as stored in `claims` (docs/models.md). */
export interface ClaimFeatures {
  member_age: number;
  case_complexity: number;
  union_tenure_years: number;
  claim_type: string;
  department: string;
  priority: string;
}

/** Fixed bin edges for the numeric inputs of the categorical models (not the drift bins, which are frozen per version). */
export const NUMERIC_EDGES: Partial<Record<FeatureName, readonly number[]>> = {
  member_age: [25, 30, 35, 40, 45, 50, 55, 60],
  union_tenure_years: [1, 2, 3, 5, 8, 12, 20],
};

/** Encodes a claim's features for a categorical model: numerics binned, complexity kept as its 1-10 score. */
export function encodeClaimFeatures(
  f: ClaimFeatures,
  names: readonly FeatureName[],
): Record<string, FeatureValue> {
  const out: Record<string, FeatureValue> = {};
  for (const name of names) {
    const value = f[name];
    const edges = NUMERIC_EDGES[name];
    out[name] = edges && typeof value === 'number' ? discretize(value, edges) : value;
  }
  return out;
}

/** Values each categorical feature can take (one-hot columns for XGBoost). */
export const CATEGORY_VALUES: Partial<Record<FeatureName, readonly string[]>> = {
  claim_type: CLAIM_TYPES,
  department: DEPARTMENTS,
  priority: PRIORITIES,
};

/** Column names of the dense matrix for a list of features: numerics as they are, categoricals one-hot. */
export function matrixColumns(names: readonly FeatureName[]): string[] {
  return names.flatMap((n) =>
    FEATURES[n].kind === 'numeric' ? [n] : (CATEGORY_VALUES[n] ?? []).map((v) => `${n}=${v}`),
  );
}

/**
 * Encodes claims as a dense row-major Float32Array for XGBoost: numeric features as they are,
 * categorical ones one-hot over their known values (an unknown value is all zeros, not an error: a
 * new category is the drift monitor's business).
 */
export function featureMatrix(
  rows: readonly ClaimFeatures[],
  names: readonly FeatureName[],
): { data: Float32Array; rows: number; cols: number; columns: string[] } {
  const columns = matrixColumns(names);
  const cols = columns.length;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    let c = i * cols;
    for (const n of names) {
      if (FEATURES[n].kind === 'numeric') {
        data[c++] = Number(r[n]);
      } else {
        const values = CATEGORY_VALUES[n] ?? [];
        const k = values.indexOf(String(r[n]));
        if (k >= 0) data[c + k] = 1;
        c += values.length;
      }
    }
  });
  return { data, rows: rows.length, cols, columns };
}
