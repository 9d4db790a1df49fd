import type { ChallengerView } from '@app/database';
import { daysBetween as daysFrom } from '@app/common';
import { decisionThreshold, DEFAULT_SEQUENTIAL_TEST } from '@app/drift';
import type { ChallengerEvidence, ChallengerRow } from './types';

/**
 * ln(1/α) of the validator's sequential test with its default α (0.05): where ln Λ decides. A trial does
 * not store its α, so a validator run with another SHADOW_ALPHA decides elsewhere than the page says.
 */
export const SHADOW_THRESHOLD = decisionThreshold(DEFAULT_SEQUENTIAL_TEST.alpha);

/** Whole days from one YYYY-MM-DD to another, never negative (a trial's age on the page). */
export function daysBetween(from: string, to: string): number {
  return Math.max(0, daysFrom(from, to));
}

/** A trial as the model page shows it: its days count to its decision, or to today while it runs. */
export function challengerRow(c: ChallengerView, today: string): ChallengerRow {
  return {
    id: c.id,
    version: c.challengerVersion,
    championVersion: c.championVersion,
    state: c.state,
    decision: c.decision,
    reason: c.reason,
    startedOn: c.startedOn,
    evaluatedOn: c.evaluatedOn,
    decidedOn: c.decidedOn,
    days: daysBetween(c.startedOn, c.decidedOn ?? today),
    labelledPairs: c.labelledPairs,
    discordantPairs: c.discordantPairs,
    challengerWins: c.challengerWins,
    logLikelihoodRatio: c.logLikelihoodRatio,
    alwaysValidP: c.alwaysValidP,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isDay = (v: unknown): v is string => typeof v === 'string' && DAY.test(v);

/**
 * A promotion's stored evidence (model_deployments.evidence, jsonb written by the validator), checked
 * field by field: what is not a trial's evidence is shown as none rather than as wrong figures.
 */
export function evidenceOf(e: Record<string, unknown> | null): ChallengerEvidence | null {
  if (e === null) return null;
  const { labelledPairs, discordantPairs, challengerWins, logLikelihoodRatio, alwaysValidP } = e;
  const { startedOn, decidedOn, days } = e;
  if (
    !isCount(labelledPairs) ||
    !isCount(discordantPairs) ||
    !isCount(challengerWins) ||
    !isNumber(logLikelihoodRatio) ||
    !isNumber(alwaysValidP) ||
    !isDay(startedOn) ||
    !isDay(decidedOn) ||
    !isCount(days)
  )
    return null;
  return {
    labelledPairs,
    discordantPairs,
    challengerWins,
    logLikelihoodRatio,
    alwaysValidP,
    startedOn,
    decidedOn,
    days,
  };
}
