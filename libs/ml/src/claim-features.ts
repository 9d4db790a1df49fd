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
