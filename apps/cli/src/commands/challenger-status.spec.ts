import type { ChallengerView, ModelStatus } from '@app/database';
import { challengerJson, challengerLines, daysBetween, DECISION_THRESHOLD } from './challenger-status';
import { statusJson, statusTable } from './status';

const trial = (over: Partial<ChallengerView>): ChallengerView => ({
  id: 'c1',
  tenantId: 'tenant_1',
  modelType: 'timeline',
  challengerVersion: 3,
  championVersion: 2,
  trainingRunId: null,
  state: 'running',
  decision: null,
  reason: null,
  startedOn: '2030-01-01',
  evaluatedOn: '2030-01-12',
  decidedOn: null,
  labelledPairs: 412,
  discordantPairs: 37,
  challengerWins: 25,
  logLikelihoodRatio: 1.234,
  alwaysValidP: 0.29,
  correlationId: 'corr',
  createdAt: new Date('2030-01-01T02:00:00Z'),
  decidedAt: null,
  ...over,
});

const running = trial({});
const retired = trial({
  id: 'c0',
  challengerVersion: 2,
  championVersion: 1,
  state: 'retired',
  decision: 'retired_worse',
  reason: 'v2 against v1: the challenger is worse on live claims after 9 day(s)',
  decidedOn: '2029-12-31',
});

const model: ModelStatus = {
  tenantId: 'tenant_1',
  modelType: 'timeline',
  activeVersion: 2,
  baselineAccuracy: 0.8123,
  deployedAt: null,
  lastCheck: null,
  runsInProgress: 0,
  unacknowledgedAlerts: 0,
};

describe('challenger status', () => {
  it('uses ln(1/0.05) as the decision threshold and counts whole UTC days', () => {
    expect(DECISION_THRESHOLD.toFixed(2)).toBe('3.00');
    expect(daysBetween('2030-01-01', '2030-01-13')).toBe(12);
  });

  it('prints the running challenger and the last verdict under the model line', () => {
    const ch = {
      byModel: new Map([['tenant_1/timeline', { running, lastEnded: retired }]]),
      today: '2030-01-13',
    };
    const lines = statusTable([model], ch);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^tenant_1\s+timeline\s+v2/);
    expect(lines[2]).toBe(
      '  challenger v3 vs v2 since 2030-01-01 (12 days): 412 labelled pairs, 37 discordant, challenger right in 25; ln Λ 1.23 of 3.00',
    );
    expect(lines[3]).toBe(
      '  last trial v2 retired_worse on 2029-12-31: v2 against v1: the challenger is worse on live claims after 9 day(s)',
    );
    expect(challengerLines(undefined, '2030-01-13')).toEqual([]);
  });

  it('gives scripts both, null when there is none', () => {
    const ch = {
      byModel: new Map([['tenant_1/timeline', { running, lastEnded: null }]]),
      today: '2030-01-13',
    };
    const [doc] = (JSON.parse(statusJson([model], ch)) as { models: { challenger: unknown }[] }).models;
    expect(doc!.challenger).toEqual({
      running: {
        version: 3,
        championVersion: 2,
        startedOn: '2030-01-01',
        days: 12,
        evaluatedOn: '2030-01-12',
        labelledPairs: 412,
        discordantPairs: 37,
        challengerWins: 25,
        logLikelihoodRatio: 1.234,
        threshold: DECISION_THRESHOLD,
        alwaysValidP: 0.29,
      },
      lastEnded: null,
    });
    expect(challengerJson({ running: null, lastEnded: retired }, '2030-01-13').lastEnded).toMatchObject({
      version: 2,
      decision: 'retired_worse',
      decidedOn: '2029-12-31',
    });
  });
});
