import type { FleetEntry } from '@app/database';
import type { ModelState } from './types';

/** The threshold the state is judged against: the model's accuracy floor. */
export interface StateRules {
  accuracyThreshold: number;
}

/**
 * What a model is going through, from its last check, its open episode and its runs (worst first):
 * failing > retraining > awaiting_labels > drifting > healthy; unknown without an active version or a
 * check. "Failing" is the accuracy that decided the last check (realized when it had the labels, else
 * the estimate) under the model's threshold: the check's own judgement, not a guess from here.
 */
export function modelState(e: FleetEntry, rules: StateRules): ModelState {
  const check = e.lastCheck;
  if (e.activeVersion === null || check === null) return e.runsInProgress > 0 ? 'retraining' : 'unknown';
  const decided = check.accuracySource === 'estimated' ? check.estimated : check.realized;
  if (decided !== null && decided.value < rules.accuracyThreshold) return 'failing';
  if (e.runsInProgress > 0) return 'retraining';
  if (check.decision === 'awaiting_labels') return 'awaiting_labels';
  if (e.openEpisode !== null || check.decision === 'retrain' || check.decision === 'watching')
    return 'drifting';
  return 'healthy';
}

/** Worst first: the order of the fleet's rows and of its summary. */
export const STATE_ORDER: Record<ModelState, number> = {
  failing: 0,
  retraining: 1,
  drifting: 2,
  awaiting_labels: 3,
  healthy: 4,
  unknown: 5,
};
