import {
  binIndex,
  binLabels,
  buildBinnedNumericBaseline,
  buildNumericBaseline,
  quantileEdges,
} from '../index';

// Scenario: decile edges and bin assignment on small, hand-checkable samples.
//
// N = 20, sorted s = [1, 2, 2, 3, 5, 5, 5, 8, 9, 10, 12, 12, 15, 18, 20, 21, 25, 30, 40, 50]
// (given shuffled below). e_k = s[floor(k * 20 / 10)] = s[2k], k = 1..9:
//   s[2]=2, s[4]=5, s[6]=5, s[8]=9, s[10]=12, s[12]=15, s[14]=20, s[16]=25, s[18]=40
// The repeated 5 is kept, so bin 2 = [5, 5) is empty by construction.
// Bin i = #{edges <= v}:
//   bin0 (<2): 1                 -> 1      bin5 [12,15): 12,12 -> 2
//   bin1 [2,5): 2,2,3            -> 3      bin6 [15,20): 15,18 -> 2
//   bin2 [5,5): -                -> 0      bin7 [20,25): 20,21 -> 2
//   bin3 [5,9): 5,5,5,8          -> 4      bin8 [25,40): 25,30 -> 2
//   bin4 [9,12): 9,10            -> 2      bin9 [40,inf): 40,50 -> 2      total 20
// sum = 293, mean = 14.65. (Cross-checked with an independent python3 script.)
const N20 = [12, 5, 40, 2, 18, 1, 30, 5, 9, 21, 50, 3, 12, 25, 8, 2, 15, 10, 20, 5];

describe('decile edges on a small known sample', () => {
  it('takes e_k = s[floor(k*N/10)] from the sorted sample, keeping duplicates', () => {
    expect(quantileEdges(N20)).toEqual([2, 5, 5, 9, 12, 15, 20, 25, 40]);
  });

  it('counts the sample into the 10 bins, with an empty bin between duplicate edges', () => {
    const baseline = buildBinnedNumericBaseline(N20);
    expect(baseline.counts).toEqual([1, 3, 0, 4, 2, 2, 2, 2, 2, 2]);
    expect(baseline.n).toBe(20);
    expect(baseline.stats.min).toBe(1);
    expect(baseline.stats.max).toBe(50);
    expect(baseline.stats.mean).toBeCloseTo(14.65, 12);
  });

  it.each([
    [-1e9, 0, 'far below the first edge (open lower end)'],
    [0, 0, 'below the minimum'],
    [1, 0, 'the minimum, still below e1 = 2'],
    [2, 1, 'tie with e1 goes to the upper bin'],
    [4.99, 1, 'just below the duplicated edge 5'],
    [5, 3, 'tie with the duplicated edge 5: both count, skipping empty bin 2'],
    [5.5, 3, 'between 5 and 9'],
    [9, 4, 'tie with e4'],
    [39.9, 8, 'just below the last edge'],
    [40, 9, 'tie with the last edge'],
    [100, 9, 'beyond the maximum (open upper end)'],
    [1e9, 9, 'far beyond the maximum'],
  ])('binIndex(%p) = %p: %s', (value, expected) => {
    expect(binIndex([2, 5, 5, 9, 12, 15, 20, 25, 40], value)).toBe(expected);
  });

  it('labels bins as half-open intervals with open ends', () => {
    expect(binLabels([2, 5, 5, 9, 12, 15, 20, 25, 40])).toEqual([
      '(-inf, 2)',
      '[2, 5)',
      '[5, 5)',
      '[5, 9)',
      '[9, 12)',
      '[12, 15)',
      '[15, 20)',
      '[20, 25)',
      '[25, 40)',
      '[40, +inf)',
    ]);
  });

  // N = 23 (1..23, 23 distinct > 20, so the cardinality rule picks decile bins), N not a multiple of 10:
  // floor(k*23/10) for k = 1..9 = 2, 4, 6, 9, 11, 13, 16, 18, 20 -> edges s[i] = i + 1:
  //   [3, 5, 7, 10, 12, 14, 17, 19, 21]
  // counts: {1,2} {3,4} {5,6} {7,8,9} {10,11} {12,13} {14,15,16} {17,18} {19,20} {21,22,23}
  //       = [2, 2, 2, 3, 2, 2, 3, 2, 2, 3]; mean = 276 / 23 = 12.
  it('floors k*N/10 when N is not a multiple of 10, and the rule picks bins above 20 distinct values', () => {
    const values = Array.from({ length: 23 }, (_, i) => 23 - i);
    const baseline = buildNumericBaseline(values);
    expect(baseline).toEqual({
      version: 1,
      kind: 'numeric_binned',
      edges: [3, 5, 7, 10, 12, 14, 17, 19, 21],
      counts: [2, 2, 2, 3, 2, 2, 3, 2, 2, 3],
      n: 23,
      stats: { mean: 12, min: 1, max: 23 },
    });
  });
});
