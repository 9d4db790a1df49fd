import { decide } from './decision';
import type { FeatureResult } from './decision';

const stable: FeatureResult[] = [
  { feature: 'member_age', psi: 0.02, band: 'stable', baselineSize: 1000, currentSize: 300 },
  { feature: 'claim_type', psi: 0.12, band: 'moderate', baselineSize: 1000, currentSize: 300 },
];
const base = {
  force: false,
  requestedBy: 'schedule',
  hasActiveModel: true,
  correct: 90,
  labelled: 100,
  accuracyThreshold: 0.85,
  minLabelled: 30,
  windowDays: 7,
  features: stable,
  psiWindowDays: 30,
  minWindowSamples: 50,
  driftThreshold: 0.25,
};

describe('drift decision', () => {
  it('takes no action when features are stable and accuracy meets the threshold', () => {
    const d = decide(base);
    expect(d.decision).toBe('no_action');
    expect(d.accuracy).toMatchObject({ value: 0.9, labelled: 100, threshold: 0.85 });
    // Wilson 95% interval of 90/100, computed independently: [0.8256, 0.9448].
    expect(d.accuracy!.low).toBeCloseTo(0.8256, 4);
    expect(d.accuracy!.high).toBeCloseTo(0.9448, 4);
    expect(d.reasons).toEqual([
      'claim_type PSI 0.120 (moderate: recorded, no retrain)',
      'largest PSI 0.120 (claim_type) is within 0.25',
      '7-day accuracy 90.0% (95% CI 82.6%-94.5%, n=100) meets the 85.0% threshold',
    ]);
  });

  it('retrains on a significant PSI, naming the feature', () => {
    const d = decide({
      ...base,
      features: [
        ...stable,
        {
          feature: 'union_tenure_years',
          psi: 0.31,
          band: 'significant',
          baselineSize: 1000,
          currentSize: 300,
        },
      ],
    });
    expect(d.decision).toBe('retrain');
    expect(d.reasons[0]).toBe('union_tenure_years PSI 0.310 > 0.25 (significant drift)');
  });

  it('retrains when the whole 95% interval of accuracy is below the threshold', () => {
    // 70/100: Wilson [0.6042, 0.7810], entirely under 0.85 (computed independently).
    const d = decide({ ...base, correct: 70 });
    expect(d.decision).toBe('retrain');
    expect(d.reasons).toContain(
      '7-day accuracy 70.0% (95% CI 60.4%-78.1%, n=100) is below the 85.0% threshold',
    );
  });

  it('does not retrain when accuracy is under the threshold but not significantly', () => {
    // 80/100: Wilson [0.7112, 0.8666] still reaches 0.85.
    const d = decide({ ...base, correct: 80 });
    expect(d.decision).toBe('no_action');
    expect(d.reasons[2]).toMatch(/is not significantly below the 85.0% threshold/);
  });

  it('says insufficient_data when neither window has enough data, never drift', () => {
    const few: FeatureResult[] = [{ feature: 'member_age', baselineSize: 1000, currentSize: 12 }];
    const d = decide({ ...base, features: few, correct: 5, labelled: 10 });
    expect(d.decision).toBe('insufficient_data');
    expect(d.reasons).toEqual([
      'only 12 claims in the last 30 days (need 50): PSI not judged',
      'only 10 labelled predictions in the last 7 days (need 30): accuracy not judged',
    ]);
    expect(decide({ ...base, features: few, correct: 0, labelled: 0 }).accuracy).toBeUndefined();
  });

  it('decides on the window that has data when the other has too little', () => {
    expect(decide({ ...base, correct: 5, labelled: 10 }).decision).toBe('no_action');
    const drifted: FeatureResult[] = [
      { feature: 'member_age', psi: 0.5, band: 'significant', baselineSize: 1000, currentSize: 80 },
    ];
    expect(decide({ ...base, features: drifted, correct: 0, labelled: 0 }).decision).toBe('retrain');
  });

  it('retrains when forced, and when there is no active model', () => {
    expect(decide({ ...base, force: true }).decision).toBe('retrain');
    expect(decide({ ...base, hasActiveModel: false }).decision).toBe('retrain');
  });
});
