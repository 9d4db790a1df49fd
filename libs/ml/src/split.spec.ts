import { heldOutOf, splitByTime, splitRecentInterleaved, takeEvery } from './split';

const at = (d: number) => new Date(Date.UTC(2026, 0, d));
const days = (xs: { label: string }[]) => xs.map((e) => Number(e.label));

describe('splitRecentInterleaved', () => {
  it('holds out every other example of the most recent 2 x 20%, the newest included', () => {
    const ex = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6].map((d) => ({ label: String(d), at: at(d) }));
    const s = splitRecentInterleaved(ex, 0.2);
    // 10 examples: hold-out 2, from the newest 4 (days 7-10): 10 and 8.
    expect(days(s.holdout)).toEqual([8, 10]);
    expect(days(s.train)).toEqual([1, 2, 3, 4, 5, 6, 7, 9]);
    expect(s.cutoff).toEqual(at(7));
  });

  it('is rebuilt by heldOutOf from the examples at or after the cut-off (what the validator does)', () => {
    const ex = Array.from({ length: 57 }, (_, i) => ({ label: String(i + 1), at: at(i + 1) }));
    const s = splitRecentInterleaved(ex, 0.2);
    expect(s.holdout).toHaveLength(11);
    const recent = ex.filter((e) => e.at.getTime() >= s.cutoff.getTime());
    expect(recent).toHaveLength(22);
    expect(heldOutOf(recent)).toEqual(s.holdout);
    expect(days(s.holdout)).toEqual([37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57]);
    expect(s.train.length + s.holdout.length).toBe(57);
  });

  it('keeps at least one training example on tiny sets, and refuses a share of half or more', () => {
    const s = splitRecentInterleaved(
      [
        { label: '1', at: at(1) },
        { label: '2', at: at(2) },
      ],
      0.4,
    );
    expect([days(s.train), days(s.holdout)]).toEqual([[1], [2]]);
    expect(() =>
      splitRecentInterleaved(
        [
          { label: '1', at: at(1) },
          { label: '2', at: at(2) },
        ],
        0.5,
      ),
    ).toThrow('validationSplit must be in (0, 0.5), got 0.5');
  });

  it('differs from the plain time split only inside the recent window', () => {
    const ex = Array.from({ length: 20 }, (_, i) => ({ label: String(i + 1), at: at(i + 1) }));
    expect(days(splitByTime(ex, 0.2).holdout)).toEqual([17, 18, 19, 20]);
    expect(days(splitRecentInterleaved(ex, 0.2).holdout)).toEqual([14, 16, 18, 20]);
  });
});

describe('takeEvery', () => {
  it('takes one in n counting back from the newest, and keeps the rest in order', () => {
    const s = takeEvery([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 5);
    expect(s.taken).toEqual([1, 6, 11]);
    expect(s.indices).toEqual([0, 5, 10]);
    expect(s.kept).toEqual([2, 3, 4, 5, 7, 8, 9, 10]);
  });

  it('refuses a step under 2', () => {
    expect(() => takeEvery([1, 2], 1)).toThrow(RangeError);
    expect(() => takeEvery([1, 2], 2.5)).toThrow(RangeError);
  });
});
