import { evaluateGates, largestGap } from './gates';
import type { GateInput } from './gates';

const base: GateInput = {
  holdoutAccuracy: 0.9,
  validationSamples: 200,
  accuracyThreshold: 0.85,
  minHoldoutSamples: 100,
  champion: null,
  championTolerance: 0,
  alpha: 0.05,
  subgroups: [],
  fairnessMaxGap: 0.2,
  fairnessMinGroup: 30,
  fairnessBlocking: true,
};
/** Paired outcomes with `both` right for both, b champion-only, c candidate-only, `none` right for neither. */
const paired = (both: number, b: number, c: number, none: number) => ({
  version: 3,
  source: 'artifact' as const,
  champion: [
    ...Array(both).fill(true),
    ...Array(b).fill(true),
    ...Array(c).fill(false),
    ...Array(none).fill(false),
  ] as boolean[],
  candidate: [
    ...Array(both).fill(true),
    ...Array(b).fill(false),
    ...Array(c).fill(true),
    ...Array(none).fill(false),
  ] as boolean[],
});
const gate = (i: GateInput, name: string) => evaluateGates(i).find((g) => g.name === name)!;

describe('validation gates', () => {
  it('passes a candidate above the floor with enough evidence and no champion, and says so', () => {
    const gates = evaluateGates(base);
    expect(gates.map((g) => [g.name, g.passed])).toEqual([
      ['accuracy_floor', true],
      ['enough_evidence', true],
      ['champion_comparison', true],
      ['champion_mcnemar', true],
      ['fairness', true],
    ]);
    expect(gates[2]!.detail).toBe('no active version to compare with: passes');
  });

  it('fails the floor below the threshold, and passes exactly at it', () => {
    expect(gate({ ...base, holdoutAccuracy: 0.849 }, 'accuracy_floor')).toMatchObject({
      passed: false,
      value: 0.849,
      threshold: 0.85,
    });
    expect(gate({ ...base, holdoutAccuracy: 0.85 }, 'accuracy_floor').passed).toBe(true);
  });

  it('fails with too small a hold-out', () => {
    expect(gate({ ...base, validationSamples: 99 }, 'enough_evidence').passed).toBe(false);
  });

  it('compares with the champion on the same examples, with a tolerance', () => {
    // Champion 80/100, candidate 78/100.
    const champion = paired(70, 10, 8, 12);
    expect(gate({ ...base, champion }, 'champion_comparison')).toMatchObject({
      passed: false,
      value: 0.78,
      threshold: 0.8,
    });
    expect(gate({ ...base, champion, championTolerance: 0.03 }, 'champion_comparison').passed).toBe(true);
  });

  it('blocks when McNemar shows the champion significantly better (exact branch: b=10, c=2, p=0.0386)', () => {
    const g = gate({ ...base, champion: paired(80, 10, 2, 8), championTolerance: 1 }, 'champion_mcnemar');
    expect(g.passed).toBe(false);
    expect(g.pValue).toBeCloseTo(0.03857421875, 10);
    expect(g.detail).toMatch(
      /McNemar \(exact\): champion-only right 10, candidate-only right 2, p=0.0386: the champion is significantly better/,
    );
  });

  it('does not block when the candidate is the better one, however significant (chi-square branch)', () => {
    const g = gate({ ...base, champion: paired(50, 10, 25, 15) }, 'champion_mcnemar');
    expect(g.passed).toBe(true);
    expect(g.pValue).toBeCloseTo(0.017960477526078766, 6);
    expect(g.value).toBeCloseTo(5.6, 10);
  });

  it('measures the largest subgroup gap over groups large enough, and blocks or advises', () => {
    const subgroups = [
      { attribute: 'age_band', group: '<30', n: 40, accuracy: 0.7 },
      { attribute: 'age_band', group: '30-44', n: 100, accuracy: 0.95 },
      { attribute: 'department', group: 'Healthcare', n: 5, accuracy: 0.2 }, // too small to compare
      { attribute: 'department', group: 'Operations', n: 80, accuracy: 0.9 },
    ];
    expect(largestGap(subgroups, 30)).toMatchObject({ attribute: 'age_band' });
    expect(largestGap(subgroups, 30).gap).toBeCloseTo(0.25, 10);
    const blocking = gate({ ...base, subgroups }, 'fairness');
    expect(blocking.passed).toBe(false);
    expect(blocking.detail).toBe(
      'largest subgroup accuracy gap 25.0% by age_band: 30-44 95.0% vs <30 70.0%; limit 20.0%: blocks',
    );
    const advisory = gate({ ...base, subgroups, fairnessBlocking: false }, 'fairness');
    expect(advisory.passed).toBe(true);
    expect(advisory.detail).toMatch(/advisory for this model, not blocking/);
    expect(gate({ ...base, subgroups, fairnessMaxGap: 0.3 }, 'fairness').passed).toBe(true);
  });
});
