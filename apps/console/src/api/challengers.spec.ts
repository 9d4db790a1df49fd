import type { ChallengerView } from '@app/database';
import { challengerRow, daysBetween, evidenceOf, SHADOW_THRESHOLD } from './challengers';

const view: ChallengerView = {
  id: 'c1',
  tenantId: 't1',
  modelType: 'claim_outcome',
  challengerVersion: 3,
  championVersion: 2,
  trainingRunId: null,
  state: 'running',
  decision: null,
  reason: null,
  startedOn: '2026-11-10',
  evaluatedOn: '2026-11-29',
  decidedOn: null,
  labelledPairs: 400,
  discordantPairs: 40,
  challengerWins: 27,
  logLikelihoodRatio: 1.5,
  alwaysValidP: 0.22,
  correlationId: 'x',
  createdAt: new Date('2026-11-10T02:00:00Z'),
  decidedAt: null,
};

const evidence = {
  labelledPairs: 900,
  discordantPairs: 80,
  challengerWins: 55,
  logLikelihoodRatio: 3.1,
  alwaysValidP: 0.045,
  startedOn: '2026-10-01',
  decidedOn: '2026-10-21',
  days: 20,
};

describe('shadow trials on the model page', () => {
  it('decides at ln(1/0.05)', () => {
    expect(SHADOW_THRESHOLD).toBeCloseTo(Math.log(20), 12);
  });

  it("counts a running trial's days to today, an ended one's to its decision", () => {
    expect(challengerRow(view, '2026-11-30')).toMatchObject({ version: 3, state: 'running', days: 20 });
    const ended = {
      ...view,
      state: 'retired' as const,
      decision: 'retired_worse' as const,
      decidedOn: '2026-11-20',
    };
    expect(challengerRow(ended, '2026-11-30')).toMatchObject({ decision: 'retired_worse', days: 10 });
    expect(daysBetween('2026-11-30', '2026-11-29')).toBe(0);
  });

  it("shows a promotion's stored evidence, and none when it is not a trial's", () => {
    expect(evidenceOf({ ...evidence, reason: 'v3 against v2: better' })).toEqual(evidence);
    expect(evidenceOf(null)).toBeNull();
    expect(evidenceOf({ ...evidence, labelledPairs: '900' })).toBeNull();
    expect(evidenceOf({ ...evidence, decidedOn: 'yesterday' })).toBeNull();
  });
});
