import { CLAIM_TYPES, DEPARTMENTS, FEATURES, PRIORITIES } from '@app/domain';
import type { FeatureName } from '@app/domain';

/** A claim's model inputs, as stored in `claims` (docs/models.md). */
export interface ClaimFeatures {
  member_age: number;
  case_complexity: number;
  union_tenure_years: number;
  claim_type: string;
  department: string;
  priority: string;
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
