import { NUMERIC_BIN_COUNT, NUMERIC_EDGE_COUNT } from '../constants';
import { assertFiniteNumber, assertFiniteNumbers, assertNonEmpty } from '../internal/validate';

/**
 * Decile edges of a sample: sort it (s, length N) and take e_k = s[floor(k*N/10)] for k = 1..9.
 * Edges are actual sample values, so repeated values give repeated edges (and empty bins) on purpose.
 */
export function quantileEdges(values: readonly number[]): number[] {
  assertNonEmpty(values, 'baseline sample');
  assertFiniteNumbers(values, 'baseline sample');
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return Array.from(
    { length: NUMERIC_EDGE_COUNT },
    (_, i) => sorted[Math.floor(((i + 1) * n) / NUMERIC_BIN_COUNT)],
  );
}

/** Bin of v = number of edges <= v, so a value equal to an edge goes to the upper bin; both ends are open. */
export function binIndex(edges: readonly number[], value: number): number {
  assertFiniteNumber(value, 'value');
  let index = 0;
  for (const edge of edges) {
    if (edge <= value) index += 1;
  }
  return index;
}

/** Counts of `values` in the bins defined by `edges` (edges.length + 1 bins). */
export function countInBins(edges: readonly number[], values: readonly number[]): number[] {
  assertFiniteNumbers(values, 'values');
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) counts[binIndex(edges, value)] += 1;
  return counts;
}

/** Human-readable bin labels: "(-inf, e1)", "[e1, e2)", ..., "[e9, +inf)". */
export function binLabels(edges: readonly number[]): string[] {
  const bounds = ['-inf', ...edges.map(String), '+inf'];
  return bounds.slice(0, -1).map((low, i) => `${i === 0 ? '(' : '['}${low}, ${bounds[i + 1]})`);
}
