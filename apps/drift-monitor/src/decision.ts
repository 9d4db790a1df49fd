import { sampleSizeCheck, wilsonInterval } from '@app/drift';
import type { AccuracyDto, FeatureDriftDto } from '@app/contracts';
import type { DriftDecision } from '@app/domain';

export interface DecisionInput {
  force: boolean;
  requestedBy: string;
  hasActiveModel: boolean;
  correct: number;
  labelled: number;
  accuracyThreshold: number;
  minLabelled: number;
  windowDays: number;
  features: FeatureDriftDto[];
}

export interface Decision {
  decision: DriftDecision;
  accuracy?: AccuracyDto;
  reasons: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Whether a model needs retraining. Pure, so every branch has a fixture test. (PSI over the key
 * features joins the accuracy check in issue 4; `features` carries it through already.)
 */
export function decide(i: DecisionInput): Decision {
  const reasons: string[] = [];
  let accuracy: AccuracyDto | undefined;
  const enough = sampleSizeCheck(i.labelled, i.minLabelled);
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
  if (i.force) {
    reasons.push(`retraining forced by ${i.requestedBy}`);
    return { decision: 'retrain', accuracy, reasons };
  }
  if (!i.hasActiveModel) {
    reasons.push('no active model version: train one');
    return { decision: 'retrain', accuracy, reasons };
  }
  const drifted = i.features.filter((f) => f.band === 'significant');
  for (const f of drifted) reasons.push(`${f.feature} PSI ${f.psi.toFixed(3)} is significant`);
  if (!enough.sufficient) {
    reasons.push(
      `only ${enough.have} labelled predictions in the last ${i.windowDays} days (need ${enough.need}): accuracy not judged`,
    );
    return { decision: drifted.length > 0 ? 'retrain' : 'insufficient_data', accuracy, reasons };
  }
  // Retrain on accuracy only when the whole 95% interval lies under the threshold: a week of bad luck on a
  // few dozen cases is not evidence of decay.
  const below = accuracy !== undefined && accuracy.high < i.accuracyThreshold;
  const ci = accuracy
    ? `${pct(accuracy.value)} (95% CI ${pct(accuracy.low)}-${pct(accuracy.high)}, n=${i.labelled})`
    : '';
  if (below)
    reasons.push(`${i.windowDays}-day accuracy ${ci} is below the ${pct(i.accuracyThreshold)} threshold`);
  const retrain = drifted.length > 0 || below;
  if (!retrain) {
    const verdict = accuracy!.value >= i.accuracyThreshold ? 'meets' : 'is not significantly below';
    reasons.push(`${i.windowDays}-day accuracy ${ci} ${verdict} the ${pct(i.accuracyThreshold)} threshold`);
  }
  return { decision: retrain ? 'retrain' : 'no_action', accuracy, reasons };
}
