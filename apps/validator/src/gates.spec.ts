import { evaluateGates, improvementGate, largestGap } from './gates';
import type { GateInput } from './gates';

const base: GateInput = {
  holdoutAccuracy: 0.9,
  validationSamples: 200,
  accuracyThreshold: 0.85,
  minHoldoutSamples: 100,
  champion: null,
  championTolerance: 0,
  alpha: 0.05,
  minGain: 0.03,
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
      ['improvement', true],
      ['fairness', true],
    ]);
    expect(gates[2]!.detail).toBe('no active version to compare with: passes');
    expect(gates[4]).toMatchObject({
      rule: 'no_champion',
      detail: 'no active version to improve on: passes',
    });
  });

  it('fails the floor below the threshold, and passes exactly at it', () => {
    expect(gate({ ...base, holdoutAccuracy: 0.849 }, 'accuracy_floor')).toMatchObject({
      passed: false,
      value: 0.849,
      threshold: 0.85,
    });
    expect(gate({ ...base, holdoutAccuracy: 0.85 }, 'accuracy_floor').passed).toBe(true);
  });

  it('passes a candidate under the floor that is significantly better than a champion under it too', () => {
    // Champion 30/100, candidate 50/100: b=5, c=25, chi-square branch with continuity correction:
    // (|5 - 25| - 1)^2 / 30 = 12.0333, p = P(chi2(1) > 12.0333) = 5.2258e-4.
    const failing = { ...base, holdoutAccuracy: 0.5, champion: paired(25, 5, 25, 45) };
    const floor = gate(failing, 'accuracy_floor');
    expect(floor).toMatchObject({ passed: true, rule: 'better_than_failing_champion' });
    expect(floor.pValue).toBeCloseTo(5.2258e-4, 7);
    expect(floor.detail).toBe(
      'hold-out accuracy 50.0% < threshold 85.0%, but champion v3 is under it too on the same 100 examples (30.0%) and the candidate is significantly better (McNemar p=0.000523 < 0.05): passes, still under the threshold',
    );
    // Not significantly better (b=10, c=14): the floor holds.
    expect(gate({ ...failing, champion: paired(20, 10, 14, 56) }, 'accuracy_floor').passed).toBe(false);
    // A champion over the floor is never replaced by a candidate under it.
    expect(gate({ ...failing, champion: paired(80, 6, 10, 4) }, 'accuracy_floor').passed).toBe(false);
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

// Deploy only what improves: each rule alone, on fixed paired outcomes (McNemar figures computed by hand).
describe('the improvement gate', () => {
  it('lets a significantly better candidate in even under minGain (b=20, c=50 of 2000: chi-square p=0.00053)', () => {
    // Champion 1620/2000 = 81.0%, candidate 1650/2000 = 82.5%: 1.5 points, both under the floor.
    const g = improvementGate({ ...base, champion: paired(1600, 20, 50, 330) });
    expect(g).toMatchObject({ name: 'improvement', passed: true, rule: 'significant', threshold: 0.03 });
    expect(g.value).toBeCloseTo(0.015, 10);
    // (|20 - 50| - 1)^2 / 70 = 12.014..., upper chi-square(1) tail 0.000528.
    expect(g.pValue).toBeCloseTo(0.000528, 5);
    expect(g.reason).toBeUndefined();
    expect(g.detail).toBe(
      'on the same 2000 hold-out examples: candidate 82.5% vs champion v3 81.0% (artifact); candidate-only right 50, champion-only right 20: deployable, significantly better (McNemar p=0.000528 < 0.05)',
    );
  });

  it('lets a candidate at least minGain points better in without significance (exact p=0.388)', () => {
    // Champion 84/100, candidate 88/100: 4 points; b=4, c=8: 2 * P(X <= 4 | 12, 1/2) = 1588/4096.
    const g = improvementGate({ ...base, accuracyThreshold: 0.8, champion: paired(80, 4, 8, 8) });
    expect(g).toMatchObject({ passed: true, rule: 'min_gain' });
    expect(g.pValue).toBeCloseTo(1588 / 4096, 12);
    expect(g.detail).toMatch(/: deployable, 4\.0 points better \(>= 3\.0\)$/);
  });

  it('counts a gain of exactly minGain as enough, whatever floating point says (0.29 - 0.26)', () => {
    // Champion 26/100, candidate 29/100; 0.29 - 0.26 is 0.0299999... in binary floating point.
    const g = improvementGate({ ...base, champion: paired(20, 6, 9, 65) });
    expect(0.29 - 0.26).toBeLessThan(0.03);
    expect(g).toMatchObject({ passed: true, rule: 'min_gain' });
  });

  it('lets a candidate in when the champion is under the floor and the candidate over it', () => {
    // Champion 83/100 < 85%, candidate 85/100 >= 85%: 2 points, b=3, c=5, exact p = 2 * 93/256.
    const g = improvementGate({ ...base, champion: paired(80, 3, 5, 12) });
    expect(g).toMatchObject({ passed: true, rule: 'floor' });
    expect(g.pValue).toBeCloseTo(186 / 256, 12);
    expect(g.detail).toMatch(/deployable, the champion is under the 85\.0% floor and the candidate over it$/);
  });

  it('names every rule that holds, the first one as the rule', () => {
    // Champion 155/200 = 77.5%, candidate 170/200 = 85%: significant (b=5, c=20), 7.5 points, and the floor.
    const g = improvementGate({ ...base, champion: paired(150, 5, 20, 25) });
    expect(g.rule).toBe('significant');
    expect(g.detail).toMatch(
      /deployable, significantly better \(McNemar p=0\.00511 < 0\.05\); 7\.5 points better \(>= 3\.0\); the champion is under the 85\.0% floor and the candidate over it$/,
    );
  });

  it('rejects a candidate merely as good as the champion: no_improvement, and only that gate fails', () => {
    // Both 85/100, b = c = 5.
    const champion = paired(80, 5, 5, 10);
    const gates = evaluateGates({ ...base, champion });
    expect(gates.filter((g) => !g.passed).map((g) => g.name)).toEqual(['improvement']);
    const g = gates.find((x) => x.name === 'improvement')!;
    expect(g).toMatchObject({ passed: false, reason: 'no_improvement', value: 0, pValue: 1 });
    expect(g.rule).toBeUndefined();
    expect(g.detail).toBe(
      'on the same 100 hold-out examples: candidate 85.0% vs champion v3 85.0% (artifact); candidate-only right 5, champion-only right 5: no_improvement (not significantly better at 0.05, less than 3.0 points better, and no floor to rescue): the champion stays',
    );
  });

  it('passes when the champion has no outcome on the hold-out: nothing to compare', () => {
    const g = improvementGate({
      ...base,
      champion: { version: 1, source: 'stored predictions', champion: [], candidate: [] },
    });
    expect(g).toMatchObject({ passed: true, rule: 'no_paired_outcomes' });
  });
});
