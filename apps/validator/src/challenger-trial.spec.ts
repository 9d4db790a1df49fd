import { daysBetween, judgeTrial } from './challenger-trial';
import type { TrialInput } from './challenger-trial';

// The day's verdict on a shadow challenger. The statistic's own golden values are in libs/drift
// (paired-test.spec.ts); these fixtures are about what the trial makes of it.
const base: TrialInput = {
  challengerVersion: 5,
  championVersion: 4,
  labelledPairs: 0,
  discordant: [],
  startedOn: '2030-03-01',
  today: '2030-03-11',
  maxDays: 60,
  test: { alpha: 0.05, prior: 10, maxPairs: 2000 },
};
const wins = (n: number) => Array<boolean>(n).fill(true);
const losses = (n: number) => Array<boolean>(n).fill(false);

describe('a shadow challenger trial', () => {
  it('counts whole days between logical dates', () => {
    expect(daysBetween('2030-03-01', '2030-03-11')).toBe(10);
    expect(daysBetween('2030-02-27', '2030-03-01')).toBe(2);
    expect(daysBetween('2030-03-01', '2030-03-01')).toBe(0);
  });

  it('continues without evidence, and says where it stands', () => {
    const j = judgeTrial({ ...base, labelledPairs: 40, discordant: wins(5) });
    expect(j.outcome).toBe('continue');
    expect(j.days).toBe(10);
    // ln Λ of 5 wins of 5 with a Beta(10, 10) mixture: 5 ln 2 + Σ ln(10+i) - Σ ln(20+i), i < 5 = 0.4103.
    expect(j.test.logLikelihoodRatio).toBeCloseTo(0.4103, 4);
    expect(j.reason).toBe(
      'v5 against v4: undecided after 10 day(s): 5 discordant pair(s) of 40 labelled, the challenger right in 5; ln Λ 0.41 (threshold 3.00), always-valid p 0.66',
    );
  });

  it('promotes once the challenger wins enough discordant pairs, and stops counting at the decision', () => {
    // 15 straight wins cross ln 20 = 2.996 (ln Λ 3.139); the pairs after the decision are not used.
    const j = judgeTrial({ ...base, labelledPairs: 100, discordant: wins(30) });
    expect(j.outcome).toBe('promoted');
    expect(j.test).toMatchObject({ pairs: 15, challengerWins: 15 });
    expect(j.test.logLikelihoodRatio).toBeCloseTo(3.1392, 4);
    expect(j.reason).toMatch(/^v5 against v4: the challenger is better on live claims after 10 day\(s\)/);
  });

  it('retires a challenger that loses, as worse', () => {
    const j = judgeTrial({ ...base, labelledPairs: 100, discordant: [...wins(2), ...losses(30)] });
    expect(j.outcome).toBe('retired_worse');
    expect(j.test.challengerWins).toBe(2);
  });

  it('retires as futile at the maximum of pairs, and as expired past the maximum of days', () => {
    const even = Array.from({ length: 40 }, (_, i) => i % 2 === 0);
    expect(judgeTrial({ ...base, discordant: even, test: { ...base.test, maxPairs: 40 } }).outcome).toBe(
      'retired_futile',
    );
    const late = judgeTrial({ ...base, discordant: even, today: '2030-04-30' });
    expect(late.outcome).toBe('retired_expired');
    expect(late.days).toBe(60);
    expect(late.reason).toMatch(/undecided after 60 day\(s\), the model's maximum of 60/);
    // A decision on the last day still counts as the decision, not as expiry.
    expect(judgeTrial({ ...base, discordant: wins(15), today: '2030-04-30' }).outcome).toBe('promoted');
  });

  it('gives the same verdict however often it is asked: each day replays the pairs from the first', () => {
    const day1 = [...wins(6), ...losses(1)];
    const day2 = [...day1, ...wins(4)];
    const day3 = [...day2, ...wins(20)];
    const verdicts = [day1, day2, day3].map((d) => judgeTrial({ ...base, discordant: d }));
    expect(verdicts.map((v) => v.outcome)).toEqual(['continue', 'continue', 'promoted']);
    // Asked once at the end, with all the pairs: the same decision at the same pair.
    expect(judgeTrial({ ...base, discordant: day3 }).test.pairs).toBe(verdicts[2]!.test.pairs);
  });
});
