import { DriftMathError } from '../errors';

// Internal guards shared by the public functions; not exported from the package.

export function assertNonEmpty(values: readonly unknown[], what: string): void {
  if (values.length === 0) {
    throw new DriftMathError('EMPTY_SAMPLE', `${what} is empty`);
  }
}

export function assertFiniteNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new DriftMathError('WRONG_VALUE_TYPE', `${what} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new DriftMathError('NON_FINITE_VALUE', `${what} must be finite, got ${String(value)}`);
  }
}

export function assertFiniteNumbers(values: readonly unknown[], what: string): asserts values is number[] {
  values.forEach((value, i) => assertFiniteNumber(value, `${what}[${i}]`));
}

/** A count is a non-negative safe integer (SQL COUNT results cast to int, never bigint strings). */
export function assertCount(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DriftMathError(
      'INVALID_COUNT',
      `${what} must be a non-negative integer, got ${describe(value)}`,
    );
  }
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
