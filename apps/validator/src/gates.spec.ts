import { evaluateGates } from './gates';

const base = {
  holdoutAccuracy: 0.9,
  validationSamples: 200,
  accuracyThreshold: 0.85,
  minHoldoutSamples: 100,
  champion: null,
  championTolerance: 0,
};

describe('validation gates', () => {
  it('passes a candidate above the floor with enough evidence and no champion', () => {
    const gates = evaluateGates(base);
    expect(gates.map((g) => [g.name, g.passed])).toEqual([
      ['accuracy_floor', true],
      ['enough_evidence', true],
      ['champion_comparison', true],
    ]);
  });
  it('fails the floor below the threshold, and passes exactly at it', () => {
    expect(evaluateGates({ ...base, holdoutAccuracy: 0.849 })[0]).toMatchObject({
      passed: false,
      value: 0.849,
      threshold: 0.85,
    });
    expect(evaluateGates({ ...base, holdoutAccuracy: 0.85 })[0]!.passed).toBe(true);
  });
  it('fails with too small a hold-out', () => {
    expect(evaluateGates({ ...base, validationSamples: 99 })[1]!.passed).toBe(false);
  });
  it('fails a candidate worse than the champion beyond the tolerance', () => {
    expect(evaluateGates({ ...base, champion: { version: 3, accuracy: 0.92 } })[2]!.passed).toBe(false);
    expect(
      evaluateGates({ ...base, champion: { version: 3, accuracy: 0.92 }, championTolerance: 0.02 })[2]!
        .passed,
    ).toBe(true);
  });
});
