import type { FeatureBaseline, NumericSummary } from './baseline.types';
import { canonicalNumericKey } from './category-key';
import { BASELINE_VERSION, NUMERIC_BIN_COUNT, NUMERIC_EDGE_COUNT } from '../constants';
import { DriftMathError } from '../errors';
import { describe, isPlainRecord } from '../internal/validate';

/**
 * Checks a baseline read back from the database (JSON of unknown provenance) and returns it typed.
 * Everything that reads a baseline goes through `assertValidBaseline`, so a corrupt row fails loudly
 * with INVALID_BASELINE instead of producing a plausible-looking PSI.
 */
export function parseBaseline(json: unknown): FeatureBaseline {
  if (!isPlainRecord(json)) invalid(`expected an object, got ${describe(json)}`);
  if (json.version !== BASELINE_VERSION) invalid(`unsupported version ${describe(json.version)}`);
  switch (json.kind) {
    case 'numeric_binned': {
      const baseline: FeatureBaseline = {
        version: BASELINE_VERSION,
        kind: 'numeric_binned',
        edges: numberArray(json.edges, 'edges'),
        counts: numberArray(json.counts, 'counts'),
        n: number(json.n, 'n'),
        stats: summary(json.stats),
      };
      assertValidBaseline(baseline);
      return baseline;
    }
    case 'categorical': {
      const counts = numberRecord(json.counts);
      const n = number(json.n, 'n');
      const baseline: FeatureBaseline =
        json.numeric === true
          ? {
              version: BASELINE_VERSION,
              kind: 'categorical',
              numeric: true,
              counts,
              n,
              stats: summary(json.stats),
            }
          : json.numeric === false
            ? { version: BASELINE_VERSION, kind: 'categorical', numeric: false, counts, n }
            : invalid(`numeric must be a boolean, got ${describe(json.numeric)}`);
      assertValidBaseline(baseline);
      return baseline;
    }
    default:
      return invalid(`unknown kind ${describe(json.kind)}`);
  }
}

/** Invariants every baseline must satisfy before it is used; throws INVALID_BASELINE. */
export function assertValidBaseline(baseline: FeatureBaseline): void {
  if (!Number.isSafeInteger(baseline.n) || baseline.n <= 0)
    invalid(`n must be a positive integer, got ${baseline.n}`);
  switch (baseline.kind) {
    case 'numeric_binned': {
      const { edges, counts, stats } = baseline;
      if (edges.length !== NUMERIC_EDGE_COUNT)
        invalid(`expected ${NUMERIC_EDGE_COUNT} edges, got ${edges.length}`);
      if (!edges.every(Number.isFinite)) invalid('edges must be finite');
      if (edges.some((e, i) => i > 0 && e < edges[i - 1])) invalid('edges must be non-decreasing');
      if (counts.length !== NUMERIC_BIN_COUNT)
        invalid(`expected ${NUMERIC_BIN_COUNT} counts, got ${counts.length}`);
      assertCountsSumToN(counts, baseline.n);
      assertSummary(stats);
      // Edges are sample values, so they lie within [min, max]; anything else means mixed-up fields.
      if (edges[0] < stats.min || edges[NUMERIC_EDGE_COUNT - 1] > stats.max)
        invalid('edges outside [min, max]');
      return;
    }
    case 'categorical': {
      const keys = Object.keys(baseline.counts);
      if (keys.length === 0) invalid('counts has no categories');
      assertCountsSumToN(Object.values(baseline.counts), baseline.n);
      if (baseline.numeric) {
        assertSummary(baseline.stats);
        for (const key of keys) {
          if (canonicalKeyOrNull(key) !== key)
            invalid(`numeric category key ${describe(key)} is not canonical`);
        }
      }
      return;
    }
    default: {
      const unknownKind: never = baseline;
      invalid(`unknown kind ${describe((unknownKind as { kind: unknown }).kind)}`);
    }
  }
}

function assertCountsSumToN(counts: readonly number[], n: number): void {
  let total = 0;
  for (const c of counts) {
    if (!Number.isSafeInteger(c) || c < 0)
      invalid(`counts must be non-negative integers, got ${describe(c)}`);
    total += c;
  }
  if (total !== n) invalid(`counts sum to ${total}, but n is ${n}`);
}

function assertSummary(stats: NumericSummary): void {
  // mean is not checked against [min, max]: a float mean of equal values can land one ulp outside.
  if (![stats.mean, stats.min, stats.max].every(Number.isFinite) || stats.min > stats.max) {
    invalid('stats must be finite with min <= max');
  }
}

function canonicalKeyOrNull(key: string): string | null {
  try {
    return canonicalNumericKey(key);
  } catch {
    return null;
  }
}

function summary(value: unknown): NumericSummary {
  if (!isPlainRecord(value)) invalid(`stats must be an object, got ${describe(value)}`);
  return {
    mean: number(value.mean, 'stats.mean'),
    min: number(value.min, 'stats.min'),
    max: number(value.max, 'stats.max'),
  };
}

function number(value: unknown, what: string): number {
  if (typeof value !== 'number') invalid(`${what} must be a number, got ${describe(value)}`);
  return value;
}

function numberArray(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) invalid(`${what} must be an array, got ${describe(value)}`);
  return value.map((v: unknown, i) => number(v, `${what}[${i}]`));
}

function numberRecord(value: unknown): Record<string, number> {
  if (!isPlainRecord(value)) invalid(`counts must be an object, got ${describe(value)}`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, number(v, `counts[${describe(k)}]`)]));
}

function invalid(message: string): never {
  throw new DriftMathError('INVALID_BASELINE', `invalid baseline: ${message}`);
}
