import type { ModelType } from './enums';

/**
 * Fixed cases of the one definition of a right answer (isRightAnswer and its SQL twin CORRECT_SQL): the
 * unit test checks the TS side, an integration test (test/integration/outcomes.int-spec.ts) asks Postgres
 * the same questions. Stored forms: a prediction's text and its actual value's text.
 */
export interface CorrectnessCase {
  model: ModelType;
  predicted: string;
  actual: string;
  correct: boolean;
  why: string;
}

export const CORRECTNESS_CASES: readonly CorrectnessCase[] = [
  { model: 'claim_outcome', predicted: 'won', actual: 'won', correct: true, why: 'same class' },
  { model: 'claim_outcome', predicted: 'lost', actual: 'won', correct: false, why: 'another class' },
  { model: 'claim_outcome', predicted: 'Won', actual: 'won', correct: false, why: 'classes are exact' },
  { model: 'churn_risk', predicted: 'churned', actual: 'churned', correct: true, why: 'same class' },
  { model: 'churn_risk', predicted: 'retained', actual: 'churned', correct: false, why: 'another class' },
  { model: 'assignment', predicted: 'safety', actual: 'safety', correct: true, why: 'same team' },
  { model: 'assignment', predicted: 'contract', actual: 'safety', correct: false, why: 'another team' },

  // Timeline: within max(7 days, 25% of the actual days). Under 28 days 7 days is the larger.
  { model: 'timeline', predicted: '27', actual: '20', correct: true, why: '7 days over, 20 days: 7 > 5' },
  { model: 'timeline', predicted: '13', actual: '20', correct: true, why: '7 days under' },
  { model: 'timeline', predicted: '27.5', actual: '20', correct: false, why: '7.5 days over' },
  { model: 'timeline', predicted: '12.9', actual: '20', correct: false, why: '7.1 days under' },
  { model: 'timeline', predicted: '9', actual: '2', correct: true, why: '7 days on a 2-day claim' },
  { model: 'timeline', predicted: '-5', actual: '2', correct: true, why: 'a negative answer, 7 under' },
  // At 28 days both rules give 7.
  { model: 'timeline', predicted: '35', actual: '28', correct: true, why: '7 = 25% of 28' },
  { model: 'timeline', predicted: '35.0001', actual: '28', correct: false, why: 'just over both' },
  { model: 'timeline', predicted: '21', actual: '28', correct: true, why: '7 under' },
  // Over 28 days 25% is the larger.
  { model: 'timeline', predicted: '47.5', actual: '40', correct: true, why: '7.5 over: within 25% (10)' },
  { model: 'timeline', predicted: '50', actual: '40', correct: true, why: '25% exactly' },
  { model: 'timeline', predicted: '50.5', actual: '40', correct: false, why: 'just over 25%' },
  { model: 'timeline', predicted: '29.99', actual: '40', correct: false, why: 'just under -25%' },
  { model: 'timeline', predicted: '125', actual: '100', correct: true, why: '25 over 100' },
  { model: 'timeline', predicted: '74', actual: '100', correct: false, why: '26 under 100' },
  // What a model's float answer looks like once stored with String(number).
  { model: 'timeline', predicted: '23.749999046325684', actual: '30', correct: true, why: 'float32 answer' },
  { model: 'timeline', predicted: '37.50000000000001', actual: '30', correct: false, why: 'one ulp over' },
  { model: 'timeline', predicted: '1e1', actual: '12', correct: true, why: 'exponent form' },
  // Not a number of days: never right, never cast.
  { model: 'timeline', predicted: 'within_30d', actual: '12', correct: false, why: 'a bucket (old seeder)' },
  { model: 'timeline', predicted: 'NaN', actual: '12', correct: false, why: 'not a number' },
  { model: 'timeline', predicted: '', actual: '12', correct: false, why: 'empty' },
  { model: 'timeline', predicted: ' 12', actual: '12', correct: false, why: 'padded text is not the format' },
];
