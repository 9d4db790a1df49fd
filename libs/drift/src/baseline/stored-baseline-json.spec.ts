import { buildBaseline, computePsi, parseBaseline } from '../index';
import type { FeatureBaseline } from '../index';

// Scenario: a baseline is stored as JSON and read back. The round trip is lossless (edges and counts are
// sample values and integers; JSON keeps shortest round-trip doubles), and a corrupt row is refused with
// INVALID_BASELINE instead of producing a PSI.
const NUMERIC: FeatureBaseline = {
  version: 1,
  kind: 'numeric_binned',
  edges: [11, 21, 31, 41, 51, 61, 71, 81, 91],
  counts: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
  n: 100,
  stats: { mean: 50.5, min: 1, max: 100 },
};

describe('stored baseline JSON', () => {
  it('has the documented shape for 1..100', () => {
    // mean of 1..100 = 5050 / 100 = 50.5
    expect(
      buildBaseline(
        Array.from({ length: 100 }, (_, i) => i + 1),
        'numeric',
      ),
    ).toEqual(NUMERIC);
  });

  it.each([
    [
      'numeric binned',
      buildBaseline(
        Array.from({ length: 50 }, (_, i) => i * 0.37 - 4.1),
        'numeric',
      ),
    ],
    ['low-cardinality numeric', buildBaseline([0.5, 1, 1, 2.25, -3], 'numeric')],
    ['categorical', buildBaseline(['x', 'y', 'y', 'z'], 'categorical')],
  ])('round-trips a %s baseline through JSON unchanged', (_name, baseline) => {
    const restored = parseBaseline(JSON.parse(JSON.stringify(baseline)));
    expect(restored).toEqual(baseline);
  });

  it('computes the same PSI from the restored baseline', () => {
    const restored = parseBaseline(JSON.parse(JSON.stringify(NUMERIC)));
    const window = Array.from({ length: 100 }, (_, i) => i + 41);
    expect(computePsi(restored, window).psi).toBe(computePsi(NUMERIC, window).psi);
  });

  it.each([
    ['not an object', 'hello'],
    ['an unknown version', { ...NUMERIC, version: 2 }],
    ['an unknown kind', { ...NUMERIC, kind: 'quantile' }],
    ['8 edges', { ...NUMERIC, edges: NUMERIC.edges.slice(1) }],
    ['decreasing edges', { ...NUMERIC, edges: [11, 21, 31, 41, 51, 61, 71, 91, 81] }],
    ['a null edge (Infinity after JSON)', { ...NUMERIC, edges: [null, 21, 31, 41, 51, 61, 71, 81, 91] }],
    ['9 counts', { ...NUMERIC, counts: NUMERIC.counts.slice(1), n: 90 }],
    ['counts not summing to n', { ...NUMERIC, n: 101 }],
    ['a fractional count', { ...NUMERIC, counts: [10.5, 9.5, 10, 10, 10, 10, 10, 10, 10, 10] }],
    ['edges outside [min, max]', { ...NUMERIC, stats: { mean: 50.5, min: 20, max: 100 } }],
    ['missing stats', { ...NUMERIC, stats: undefined }],
    ['n = 0', { version: 1, kind: 'categorical', numeric: false, counts: {}, n: 0 }],
    ['a categorical without numeric flag', { version: 1, kind: 'categorical', counts: { a: 1 }, n: 1 }],
    [
      'a non-canonical numeric key',
      {
        version: 1,
        kind: 'categorical',
        numeric: true,
        counts: { '1.0': 1 },
        n: 1,
        stats: { mean: 1, min: 1, max: 1 },
      },
    ],
    ['counts as an array', { version: 1, kind: 'categorical', numeric: false, counts: [1], n: 1 }],
  ])('refuses %s', (_name, json) => {
    expect(() => parseBaseline(json)).toThrow(expect.objectContaining({ code: 'INVALID_BASELINE' }));
  });
});
