import type { GateResultDto } from '@app/contracts';

export interface GateInput {
  holdoutAccuracy: number;
  validationSamples: number;
  accuracyThreshold: number;
  minHoldoutSamples: number;
  /** Accuracy of the active version, as measured when it was trained; null without a champion. */
  champion: { version: number; accuracy: number } | null;
  championTolerance: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The validation gates, each with its value, threshold and verdict. Pure: the validator decides with
 * these and records them. (Issue 6 scores the champion on the same hold-out and adds McNemar and
 * fairness; here the champion is compared on its recorded accuracy.)
 */
export function evaluateGates(i: GateInput): GateResultDto[] {
  const gates: GateResultDto[] = [
    {
      name: 'accuracy_floor',
      value: i.holdoutAccuracy,
      threshold: i.accuracyThreshold,
      passed: i.holdoutAccuracy >= i.accuracyThreshold,
      detail: `hold-out accuracy ${pct(i.holdoutAccuracy)} ${i.holdoutAccuracy >= i.accuracyThreshold ? '>=' : '<'} threshold ${pct(i.accuracyThreshold)}`,
    },
    {
      name: 'enough_evidence',
      value: i.validationSamples,
      threshold: i.minHoldoutSamples,
      passed: i.validationSamples >= i.minHoldoutSamples,
      detail: `${i.validationSamples} hold-out examples (need ${i.minHoldoutSamples})`,
    },
  ];
  if (!i.champion) {
    gates.push({
      name: 'champion_comparison',
      passed: true,
      detail: 'no active version to compare with: passes',
    });
  } else {
    const floor = i.champion.accuracy - i.championTolerance;
    const passed = i.holdoutAccuracy >= floor;
    gates.push({
      name: 'champion_comparison',
      value: i.holdoutAccuracy,
      threshold: floor,
      passed,
      detail: `candidate ${pct(i.holdoutAccuracy)} vs champion v${i.champion.version} ${pct(i.champion.accuracy)} (tolerance ${pct(i.championTolerance)})`,
    });
  }
  return gates;
}
