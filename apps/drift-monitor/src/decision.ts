import { sampleSizeCheck, wilsonInterval } from '@app/drift';
import type { AccuracyDto } from '@app/contracts';
import type { DriftDecision } from '@app/domain';

/** One key feature's comparison of the current window with its frozen baseline. */
export interface FeatureResult {
  feature: string;
  baselineSize: number;
  currentSize: number;
  /** Absent when the window had too few claims to judge. */
  psi?: number;
  band?: 'stable' | 'moderate' | 'significant';
}

export interface DecisionInput {
  force: boolean;
  requestedBy: string;
  hasActiveModel: boolean;
  correct: number;
  labelled: number;
  accuracyThreshold: number;
  minLabelled: number;
  windowDays: number;
  features: FeatureResult[];
  psiWindowDays: number;
  minWindowSamples: number;
  driftThreshold: number;
}

export interface Decision {
  decision: DriftDecision;
  accuracy?: AccuracyDto;
  reasons: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Whether a model needs retraining, from the PSI of its key features and its recent accuracy. Pure, so
 * every branch has a fixture test. Each window is judged only with enough data; with neither, the
 * answer is insufficient_data, never drift.
 */
export function decide(i: DecisionInput): Decision {
  const reasons: string[] = [];
  let accuracy: AccuracyDto | undefined;
  if (i.labelled > 0) {
    const w = wilsonInterval(i.correct, i.labelled);
    accuracy = {
      value: w.estimate,
      low: w.low,
      high: w.high,
      labelled: i.labelled,
      threshold: i.accuracyThreshold,
    };
  }
  if (i.force) return { decision: 'retrain', accuracy, reasons: [`retraining forced by ${i.requestedBy}`] };
  if (!i.hasActiveModel)
    return { decision: 'retrain', accuracy, reasons: ['no active model version: train one'] };

  const judged = i.features.filter((f) => f.psi !== undefined);
  const drifted = judged.filter((f) => f.band === 'significant');
  for (const f of drifted)
    reasons.push(`${f.feature} PSI ${f.psi!.toFixed(3)} > ${i.driftThreshold} (significant drift)`);
  for (const f of judged.filter((x) => x.band === 'moderate'))
    reasons.push(`${f.feature} PSI ${f.psi!.toFixed(3)} (moderate: recorded, no retrain)`);
  if (judged.length === 0 && i.features.length > 0) {
    const n = Math.max(...i.features.map((f) => f.currentSize));
    reasons.push(
      `only ${n} claims in the last ${i.psiWindowDays} days (need ${i.minWindowSamples}): PSI not judged`,
    );
  } else if (drifted.length === 0 && judged.length > 0) {
    const top = [...judged].sort((a, b) => b.psi! - a.psi!)[0]!;
    reasons.push(`largest PSI ${top.psi!.toFixed(3)} (${top.feature}) is within ${i.driftThreshold}`);
  }

  const enough = sampleSizeCheck(i.labelled, i.minLabelled);
  // Retrain on accuracy only when the whole 95% interval lies under the threshold: a week of bad luck on a
  // few dozen cases is not evidence of decay.
  const below = enough.sufficient && accuracy !== undefined && accuracy.high < i.accuracyThreshold;
  const ci = accuracy
    ? `${pct(accuracy.value)} (95% CI ${pct(accuracy.low)}-${pct(accuracy.high)}, n=${i.labelled})`
    : '';
  if (!enough.sufficient) {
    reasons.push(
      `only ${enough.have} labelled predictions in the last ${i.windowDays} days (need ${enough.need}): accuracy not judged`,
    );
  } else if (below) {
    reasons.push(`${i.windowDays}-day accuracy ${ci} is below the ${pct(i.accuracyThreshold)} threshold`);
  } else {
    const verdict = accuracy!.value >= i.accuracyThreshold ? 'meets' : 'is not significantly below';
    reasons.push(`${i.windowDays}-day accuracy ${ci} ${verdict} the ${pct(i.accuracyThreshold)} threshold`);
  }

  if (drifted.length > 0 || below) return { decision: 'retrain', accuracy, reasons };
  if (judged.length === 0 && !enough.sufficient) return { decision: 'insufficient_data', accuracy, reasons };
  return { decision: 'no_action', accuracy, reasons };
}
