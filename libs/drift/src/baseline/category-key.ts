import { DriftMathError } from '../errors';
import { assertFiniteNumber, describe } from '../internal/validate';

/**
 * Bin key of a low-cardinality numeric value: JavaScript's shortest round-trip rendering, so 1 and 1.0
 * (and 0 and -0) share a bin. Counts coming from SQL must be keyed the same way (see `canonicalNumericKey`).
 */
export function numericKey(value: number): string {
  assertFiniteNumber(value, 'value');
  return String(value);
}

/**
 * Re-renders a key produced elsewhere (e.g. Postgres prints numeric 1 as "1.0") into `numericKey` form,
 * so the same value never lands in two bins.
 */
export function canonicalNumericKey(key: string): string {
  const value = Number(key);
  // Number('') and Number('  ') are 0: an empty key is a bug upstream, not the value 0.
  if (key.trim() === '' || !Number.isFinite(value)) {
    throw new DriftMathError(
      'WRONG_VALUE_TYPE',
      `key ${describe(key)} of a numeric feature is not a finite number`,
    );
  }
  return numericKey(value);
}

/** Key of one observation of a categorical feature (numbers in a string feature are rendered as keys). */
export function categoryKey(value: unknown, numeric: boolean, what: string): string {
  if (typeof value === 'number') {
    assertFiniteNumber(value, what);
    return numericKey(value);
  }
  if (typeof value === 'string' && !numeric) return value;
  throw new DriftMathError(
    'WRONG_VALUE_TYPE',
    `${what} must be ${numeric ? 'a number' : 'a string or a number'}, got ${describe(value)}`,
  );
}

/** Deterministic bin order: by value for numeric keys, by UTF-16 code units otherwise (locale-free). */
export function compareKeys(numeric: boolean): (a: string, b: string) => number {
  if (numeric) return (a, b) => Number(a) - Number(b);
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/** Reads a count without falling through to Object.prototype (a category may be named "constructor"). */
export function ownCount(counts: Readonly<Record<string, number>>, key: string): number {
  return Object.hasOwn(counts, key) ? counts[key] : 0;
}

/** Counts per key, inserted in a deterministic order so the same sample always gives the same JSON. */
export function countByKey(keys: readonly string[], numeric: boolean): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const ordered = [...counts.entries()].sort(([a], [b]) => compareKeys(numeric)(a, b));
  // Object.fromEntries defines own properties, so a category named "__proto__" is stored safely.
  return Object.fromEntries(ordered);
}
