import { accuracyOf, trainMajority } from './majority';
import { splitByTime } from './split';

describe('majority-class model', () => {
  it('predicts the most frequent label, breaking ties by label', () => {
    expect(trainMajority(['b', 'a', 'b', 'c']).label).toBe('b');
    expect(trainMajority(['b', 'a']).label).toBe('a');
    expect(trainMajority(['x', 'x', 'y', 'x']).confidence).toBe(0.75);
  });

  it('scores accuracy as the share of labels it gets right', () => {
    const m = trainMajority(['no', 'no', 'yes']);
    expect(accuracyOf(m, ['no', 'yes', 'no', 'no'])).toBe(0.75);
  });
});

describe('time-based split', () => {
  const at = (d: number) => new Date(Date.UTC(2026, 0, d));
  it('holds out the most recent share', () => {
    const ex = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6].map((d) => ({ label: String(d), at: at(d) }));
    const s = splitByTime(ex, 0.2);
    expect(s.train.map((e) => e.label)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(s.holdout.map((e) => e.label)).toEqual(['9', '10']);
    expect(s.cutoff).toEqual(at(9));
  });
  it('refuses a split that is not a share', () => {
    expect(() =>
      splitByTime(
        [
          { label: 'a', at: at(1) },
          { label: 'b', at: at(2) },
        ],
        1,
      ),
    ).toThrow(RangeError);
  });
});
