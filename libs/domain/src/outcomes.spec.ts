import { CORRECTNESS_CASES } from './correctness.fixtures';
import {
  actualValue,
  formatPredictedDays,
  isRightAnswer,
  missingResolutionLabels,
  parseDays,
  predictionOutcome,
} from './outcomes';
import type { ClaimLabels } from './outcomes';

const DAY = 86_400_000;

describe('the one definition of a right answer', () => {
  it.each(CORRECTNESS_CASES)('$model: "$predicted" for "$actual" is $correct ($why)', (c) => {
    expect(isRightAnswer(c.model, c.predicted, c.actual)).toBe(c.correct);
  });

  it('judges a model answer (a number) exactly as the same answer once stored', () => {
    for (const predicted of [27, 27.000000000000004, 12.9, 23.749999046325684, 35, 35.0001, -5])
      for (const actual of [2, 20, 28, 30, 40])
        expect(isRightAnswer('timeline', predicted, actual)).toBe(
          isRightAnswer('timeline', formatPredictedDays(predicted), String(actual)),
        );
  });

  it('stores a timeline answer as its full decimal, and refuses one that is not a number', () => {
    expect(formatPredictedDays(23.749999046325684)).toBe('23.749999046325684');
    expect(parseDays(formatPredictedDays(23.749999046325684))).toBe(23.749999046325684);
    expect(() => formatPredictedDays(Number.NaN)).toThrow(RangeError);
    expect(parseDays('31_90d')).toBeNull();
  });
});

describe('a prediction outcome', () => {
  const filedAt = new Date('2030-01-01T12:00:00Z');
  const resolvedAt = new Date('2030-01-21T15:30:00Z');
  const resolved: ClaimLabels = {
    filedAt,
    resolvedAt,
    outcome: 'won',
    resolutionDays: 20,
    assignedTeam: 'safety',
    memberChurned: false,
  };

  it('stores the label as text: the class, or the resolution days', () => {
    expect(actualValue('claim_outcome', resolved)).toBe('won');
    expect(actualValue('timeline', resolved)).toBe('20');
    expect(actualValue('churn_risk', resolved)).toBe('retained');
    expect(actualValue('assignment', resolved)).toBe('safety');
    expect(actualValue('assignment', { ...resolved, resolvedAt: null })).toBeNull();
  });

  it('is known at the resolution, with the resolution as its time, whatever the clock says', () => {
    expect(predictionOutcome('timeline', '27', resolved, resolvedAt)).toEqual({
      actualValue: '20',
      isCorrect: true,
      outcomeKnownAt: resolvedAt,
    });
    expect(
      predictionOutcome('claim_outcome', 'lost', resolved, new Date(resolvedAt.getTime() - 1)),
    ).toBeNull();
  });

  it('for churn, 180 days after filing and not a millisecond before', () => {
    const matured = new Date(filedAt.getTime() + 180 * DAY);
    expect(predictionOutcome('churn_risk', 'churned', resolved, new Date(matured.getTime() - 1))).toBeNull();
    expect(predictionOutcome('churn_risk', 'churned', resolved, matured)).toEqual({
      actualValue: 'retained',
      isCorrect: false,
      outcomeKnownAt: matured,
    });
    expect(
      predictionOutcome('churn_risk', 'churned', { ...resolved, memberChurned: null }, matured),
    ).toBeNull();
  });

  it('names the resolution labels a resolved row lacks', () => {
    expect(missingResolutionLabels(resolved)).toEqual([]);
    expect(missingResolutionLabels({ ...resolved, resolvedAt: null })).toEqual([
      'claim_outcome',
      'timeline',
      'assignment',
    ]);
    expect(missingResolutionLabels({ ...resolved, outcome: null, assignedTeam: null })).toEqual([
      'claim_outcome',
      'assignment',
    ]);
  });
});
