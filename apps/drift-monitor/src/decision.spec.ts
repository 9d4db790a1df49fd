import { decide } from './decision';

const base = {
  force: false,
  requestedBy: 'schedule',
  hasActiveModel: true,
  correct: 90,
  labelled: 100,
  accuracyThreshold: 0.85,
  minLabelled: 30,
  windowDays: 7,
  features: [],
};

describe('drift decision', () => {
  it('takes no action when accuracy meets the threshold', () => {
    const d = decide(base);
    expect(d.decision).toBe('no_action');
    expect(d.accuracy).toMatchObject({ value: 0.9, labelled: 100, threshold: 0.85 });
    // Wilson 95% interval of 90/100, computed independently: [0.8256, 0.9448].
    expect(d.accuracy!.low).toBeCloseTo(0.8256, 4);
    expect(d.accuracy!.high).toBeCloseTo(0.9448, 4);
  });
  it('retrains when the whole 95% interval of accuracy is below the threshold', () => {
    // 70/100: Wilson [0.6042, 0.7810], entirely under 0.85 (computed independently).
    const d = decide({ ...base, correct: 70 });
    expect(d.decision).toBe('retrain');
    expect(d.reasons[0]).toBe(
      '7-day accuracy 70.0% (95% CI 60.4%-78.1%, n=100) is below the 85.0% threshold',
    );
  });
  it('does not retrain when accuracy is under the threshold but not significantly', () => {
    // 80/100: Wilson [0.7112, 0.8666] still reaches 0.85.
    const d = decide({ ...base, correct: 80 });
    expect(d.decision).toBe('no_action');
    expect(d.reasons[0]).toMatch(/is not significantly below the 85.0% threshold/);
  });
  it('says insufficient_data below the minimum of labelled predictions', () => {
    expect(decide({ ...base, correct: 5, labelled: 10 }).decision).toBe('insufficient_data');
    expect(decide({ ...base, correct: 0, labelled: 0 }).accuracy).toBeUndefined();
  });
  it('retrains on a significant PSI even with little labelled data', () => {
    const d = decide({
      ...base,
      labelled: 0,
      correct: 0,
      features: [
        { feature: 'member_age', psi: 0.31, band: 'significant', baselineSize: 500, currentSize: 120 },
      ],
    });
    expect(d.decision).toBe('retrain');
    expect(d.reasons[0]).toBe('member_age PSI 0.310 is significant');
  });
  it('retrains when forced, and when there is no active model', () => {
    expect(decide({ ...base, force: true }).decision).toBe('retrain');
    expect(decide({ ...base, hasActiveModel: false }).decision).toBe('retrain');
  });
});
