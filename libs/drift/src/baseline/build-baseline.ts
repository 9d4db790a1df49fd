import type {
  FeatureBaseline,
  FeatureKind,
  NumericBaseline,
  NumericBinnedBaseline,
  StringCategoricalBaseline,
} from './baseline.types';
import { categoryKey, countByKey, numericKey } from './category-key';
import { countInBins, quantileEdges } from './quantile-edges';
import { summarize } from './summary';
import { BASELINE_VERSION, LOW_CARDINALITY_MAX_DISTINCT } from '../constants';
import { DriftMathError } from '../errors';
import { assertFiniteNumbers, assertNonEmpty, describe } from '../internal/validate';

/** Decile-binned baseline regardless of cardinality; `buildNumericBaseline` decides when to use it. */
export function buildBinnedNumericBaseline(values: readonly number[]): NumericBinnedBaseline {
  const edges = quantileEdges(values);
  return {
    version: BASELINE_VERSION,
    kind: 'numeric_binned',
    edges,
    counts: countInBins(edges, values),
    n: values.length,
    stats: summarize(values),
  };
}

/**
 * Numeric baseline by the cardinality rule: more than 20 distinct values -> 10 quantile bins; otherwise
 * one bin per value (deciles of a few repeated values would mostly be empty or duplicated bins).
 */
export function buildNumericBaseline(values: readonly number[]): NumericBaseline {
  assertNonEmpty(values, 'baseline sample');
  assertFiniteNumbers(values, 'baseline sample');
  if (new Set(values).size > LOW_CARDINALITY_MAX_DISTINCT) return buildBinnedNumericBaseline(values);
  return {
    version: BASELINE_VERSION,
    kind: 'categorical',
    numeric: true,
    counts: countByKey(values.map(numericKey), true),
    n: values.length,
    stats: summarize(values),
  };
}

export function buildCategoricalBaseline(values: readonly string[]): StringCategoricalBaseline {
  assertNonEmpty(values, 'baseline sample');
  values.forEach((value, i) => {
    if (typeof value !== 'string') {
      throw new DriftMathError(
        'WRONG_VALUE_TYPE',
        `baseline sample[${i}] must be a string, got ${describe(value)}`,
      );
    }
  });
  return {
    version: BASELINE_VERSION,
    kind: 'categorical',
    numeric: false,
    counts: countByKey(values, false),
    n: values.length,
  };
}

/**
 * Baseline for a feature as declared in the model config. A categorical feature may hold numeric codes;
 * they are keyed by `numericKey`. A numeric feature must hold numbers only (no parsing of strings: a
 * numeric string here usually means a driver returned NUMERIC/BIGINT as text, which should be fixed there).
 */
export function buildBaseline(values: readonly (number | string)[], kind: FeatureKind): FeatureBaseline {
  switch (kind) {
    case 'numeric':
      assertFiniteNumbers(values, 'baseline sample');
      return buildNumericBaseline(values);
    case 'categorical':
      return buildCategoricalBaseline(values.map((v, i) => categoryKey(v, false, `baseline sample[${i}]`)));
    default:
      throw new DriftMathError('INVALID_ARGUMENT', `unknown feature kind ${describe(kind)}`);
  }
}
