import type { NumericSummary } from './baseline.types';
import { assertFiniteNumbers, assertNonEmpty, sum } from '../internal/validate';

/** Mean, min and max in one pass (no spread into Math.min: large samples would overflow the stack). */
export function summarize(values: readonly number[]): NumericSummary {
  assertNonEmpty(values, 'sample');
  assertFiniteNumbers(values, 'sample');
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: sum(values) / values.length, min, max };
}
