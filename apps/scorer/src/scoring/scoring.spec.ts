import { confidenceOf, predictionText } from '@app/ml';

describe('confidenceOf', () => {
  it("is a classifier's probability of the class it chose, rounded to 6 decimals", () => {
    expect(confidenceOf({ value: 'won', probability: 0.73456789 }, 0.5)).toBe(0.734568);
    expect(confidenceOf({ value: 'churned', probability: 0.5 }, 0.9)).toBe(0.5);
  });

  it("is the version's hold-out accuracy for a regression (timeline), which has no probability", () => {
    expect(confidenceOf({ value: 23.4, probability: null }, 0.8125)).toBe(0.8125);
  });

  it('stays within [0, 1] (float32 outputs may overshoot by an ulp)', () => {
    expect(confidenceOf({ value: 'won', probability: 1.0000001 }, 0.5)).toBe(1);
    expect(confidenceOf({ value: 1, probability: null }, -0.0000001)).toBe(0);
  });

  it('refuses what is not a number', () => {
    expect(() => confidenceOf({ value: 'won', probability: Number.NaN }, 0.5)).toThrow(RangeError);
  });
});

describe('predictionText', () => {
  it('stores a class as it is', () => {
    expect(predictionText('assignment', 'equity')).toBe('equity');
    expect(predictionText('churn_risk', 'retained')).toBe('retained');
  });

  it("stores a timeline's resolution days in full, judged as the number was", () => {
    expect(predictionText('timeline', 23.749999046325684)).toBe('23.749999046325684');
    expect(predictionText('timeline', 7)).toBe('7');
    expect(predictionText('timeline', -0.04)).toBe('-0.04');
  });

  it('refuses a timeline that is not a number of days', () => {
    expect(() => predictionText('timeline', Number.NaN)).toThrow(RangeError);
  });
});
