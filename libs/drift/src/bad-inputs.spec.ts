import {
  DriftMathError,
  binIndex,
  buildBaseline,
  buildCategoricalBaseline,
  buildNumericBaseline,
  computePsi,
  countsFromBins,
  isDriftMathError,
  psiFromCounts,
  quantileEdges,
  wilsonInterval,
} from './index';
import type {
  CategoryCounts,
  DriftMathErrorCode,
  FeatureBaseline,
  FeatureKind,
  NumericBinnedBaseline,
} from './index';

// Scenario: bad input is refused with a DriftMathError carrying a stable code, never turned into a number.
const NUMERIC = buildNumericBaseline(Array.from({ length: 100 }, (_, i) => i + 1)) as NumericBinnedBaseline;
const CATEGORICAL = buildCategoricalBaseline(['a', 'b', 'b']);

function codeOf(fn: () => unknown): DriftMathErrorCode | 'NO_ERROR' | 'OTHER_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (error) {
    return isDriftMathError(error) ? error.code : 'OTHER_ERROR';
  }
}

describe('bad inputs', () => {
  it('throws DriftMathError instances with a name and a code', () => {
    let caught: unknown;
    try {
      buildNumericBaseline([]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DriftMathError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ name: 'DriftMathError', code: 'EMPTY_SAMPLE' });
  });

  it.each<[string, () => unknown, DriftMathErrorCode]>([
    ['empty numeric baseline', () => buildNumericBaseline([]), 'EMPTY_SAMPLE'],
    [
      'SQL bin outside a binned baseline',
      () => countsFromBins(NUMERIC, [{ bin: '10', n: 3 }]),
      'COUNTS_SHAPE_MISMATCH',
    ],
    ['empty categorical baseline', () => buildCategoricalBaseline([]), 'EMPTY_SAMPLE'],
    ['empty baseline via buildBaseline', () => buildBaseline([], 'numeric'), 'EMPTY_SAMPLE'],
    ['empty edges sample', () => quantileEdges([]), 'EMPTY_SAMPLE'],
    ['empty numeric window', () => computePsi(NUMERIC, []), 'EMPTY_SAMPLE'],
    ['empty categorical window', () => computePsi(CATEGORICAL, []), 'EMPTY_SAMPLE'],
    ['all-zero window counts', () => psiFromCounts(NUMERIC, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'EMPTY_SAMPLE'],
    ['empty categorical counts', () => psiFromCounts(CATEGORICAL, {}), 'EMPTY_SAMPLE'],
    ['NaN in a baseline', () => buildNumericBaseline([1, 2, Number.NaN]), 'NON_FINITE_VALUE'],
    ['Infinity in a baseline', () => buildNumericBaseline([1, Number.POSITIVE_INFINITY]), 'NON_FINITE_VALUE'],
    ['-Infinity in a window', () => computePsi(NUMERIC, [5, Number.NEGATIVE_INFINITY]), 'NON_FINITE_VALUE'],
    ['NaN in a window', () => computePsi(NUMERIC, [Number.NaN]), 'NON_FINITE_VALUE'],
    ['NaN to binIndex', () => binIndex(NUMERIC.edges, Number.NaN), 'NON_FINITE_VALUE'],
    ['NaN as a categorical code', () => buildBaseline([1, Number.NaN], 'categorical'), 'NON_FINITE_VALUE'],
    ['a string in a numeric feature', () => buildBaseline([1, '2'], 'numeric'), 'WRONG_VALUE_TYPE'],
    [
      'null in a numeric window',
      () => computePsi(NUMERIC, [1, null as unknown as number]),
      'WRONG_VALUE_TYPE',
    ],
    [
      'null in a categorical sample',
      () => buildCategoricalBaseline(['a', null as unknown as string]),
      'WRONG_VALUE_TYPE',
    ],
    [
      'a non-numeric key for a numeric feature',
      () => psiFromCounts(buildNumericBaseline([1, 2]), { x: 1 }),
      'WRONG_VALUE_TYPE',
    ],
    [
      'an empty key for a numeric feature',
      () => psiFromCounts(buildNumericBaseline([1, 2]), { '': 1 }),
      'WRONG_VALUE_TYPE',
    ],
    ['9 window counts', () => psiFromCounts(NUMERIC, [1, 1, 1, 1, 1, 1, 1, 1, 1]), 'COUNTS_SHAPE_MISMATCH'],
    [
      'a record for a numeric baseline',
      () => psiFromCounts(NUMERIC as FeatureBaseline, { a: 1 } as CategoryCounts),
      'COUNTS_SHAPE_MISMATCH',
    ],
    [
      'an array for a categorical baseline',
      () => psiFromCounts(CATEGORICAL as FeatureBaseline, [1, 2]),
      'COUNTS_SHAPE_MISMATCH',
    ],
    ['a negative count', () => psiFromCounts(NUMERIC, [1, 1, 1, 1, 1, 1, 1, 1, 1, -1]), 'INVALID_COUNT'],
    ['a fractional count', () => psiFromCounts(CATEGORICAL, { a: 0.5 }), 'INVALID_COUNT'],
    [
      'a bigint-as-string count',
      () => psiFromCounts(CATEGORICAL, { a: '3' as unknown as number }),
      'INVALID_COUNT',
    ],
    ['more successes than trials', () => wilsonInterval(11, 10), 'INVALID_COUNT'],
    ['negative trials', () => wilsonInterval(0, -1), 'INVALID_COUNT'],
    ['z = 0', () => wilsonInterval(1, 2, 0), 'INVALID_ARGUMENT'],
    ['an unknown feature kind', () => buildBaseline([1], 'ordinal' as FeatureKind), 'INVALID_ARGUMENT'],
    [
      'a corrupted baseline object',
      () => computePsi({ ...NUMERIC, counts: [1, 2] }, [1]),
      'INVALID_BASELINE',
    ],
    [
      'bad thresholds',
      () => computePsi(NUMERIC, [1], { moderate: 1, significant: 0.5 }),
      'INVALID_THRESHOLD',
    ],
  ])('%s -> %s', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('names the offending position in the message', () => {
    expect(() => buildNumericBaseline([1, 2, Number.NaN])).toThrow(
      'baseline sample[2] must be finite, got NaN',
    );
  });
});
