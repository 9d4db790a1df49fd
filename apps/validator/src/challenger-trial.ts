import { daysBetween } from '@app/common';
import { decisionThreshold, pairedSequentialTest } from '@app/drift';
import type { SequentialTestOptions, SequentialTestResult } from '@app/drift';
import type { ChallengerDecision } from '@app/domain';

export { daysBetween };

/** What a day's evaluation of a challenger's trial goes on. */
export interface TrialInput {
  challengerVersion: number;
  championVersion: number;
  /** Claims both answered whose outcome is known. */
  labelledPairs: number;
  /** The discordant pairs in the order their outcomes became known: true when the challenger was right. */
  discordant: readonly boolean[];
  startedOn: string;
  /** The logical day of the check that asks (YYYY-MM-DD). */
  today: string;
  /** The model's shadowMaxDays. */
  maxDays: number;
  test: SequentialTestOptions;
}

export interface TrialJudgement {
  /** `continue`, or how the trial ends. */
  outcome: 'continue' | ChallengerDecision;
  /** In words, with the figures (what people are told). */
  reason: string;
  test: SequentialTestResult;
  /** Days since the trial started. */
  days: number;
}

/**
 * A day's verdict on a shadow challenger (docs/decisions.md, "Shadow challengers"): the mixture sequential
 * test on its discordant pairs with the champion promotes it or finds it worse; the test's maximum number of
 * pairs ends it as futile; past the model's maximum duration it is retired as expired. The test is replayed
 * from the first pair each day, so the verdict does not depend on how often it is asked (its error rate holds
 * under continuous monitoring), and a pair counted once is counted once.
 */
export function judgeTrial(i: TrialInput): TrialJudgement {
  const test = pairedSequentialTest(i.discordant, i.test);
  const days = daysBetween(i.startedOn, i.today);
  const vs = `v${i.challengerVersion} against v${i.championVersion}`;
  const figures = `${test.pairs} discordant pair(s) of ${i.labelledPairs} labelled, the challenger right in ${test.challengerWins}; ln Λ ${test.logLikelihoodRatio.toFixed(2)} (threshold ${decisionThreshold(i.test.alpha).toFixed(2)}), always-valid p ${test.alwaysValidP.toPrecision(2)}`;
  const [outcome, what]: [TrialJudgement['outcome'], string] =
    test.verdict === 'promote'
      ? ['promoted', `the challenger is better on live claims after ${days} day(s)`]
      : test.verdict === 'retire_worse'
        ? ['retired_worse', `the challenger is worse on live claims after ${days} day(s)`]
        : test.verdict === 'retire_futile'
          ? [
              'retired_futile',
              `no difference after the test's ${i.test.maxPairs} discordant pairs (${days} day(s))`,
            ]
          : days >= i.maxDays
            ? ['retired_expired', `undecided after ${days} day(s), the model's maximum of ${i.maxDays}`]
            : ['continue', `undecided after ${days} day(s)`];
  return { outcome, reason: `${vs}: ${what}: ${figures}`, test, days };
}
