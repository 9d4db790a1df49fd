import type { EntityManager } from '@mikro-orm/postgresql';
import { challengers } from '@app/database';
import type { ChallengerView } from '@app/database';
import { daysBetween } from '@app/common';
import { decisionThreshold, DEFAULT_SEQUENTIAL_TEST } from '@app/drift';
import type { ChallengerDecision, ModelType } from '@app/domain';

export { daysBetween };

/**
 * What `status` says of a model's shadow challengers (issue 19): the one on trial, and the last trial that
 * ended if it ended lately (older verdicts are history: the console's model page lists them).
 */
export interface ChallengerStatus {
  running: ChallengerView | null;
  lastEnded: ChallengerView | null;
}

/** An ended trial is shown for this many days after its decision. */
export const RECENT_TRIAL_DAYS = 30;

/**
 * ln(1/α) of the validator's sequential test with its default α (0.05): where ln Λ decides. The stored
 * trial does not keep its α; a validator run with another SHADOW_ALPHA decides elsewhere.
 */
export const DECISION_THRESHOLD = decisionThreshold(DEFAULT_SEQUENTIAL_TEST.alpha);

export const statusKey = (tenantId: string, modelType: ModelType) => `${tenantId}/${modelType}`;

/**
 * The challengers of the models listed, by statusKey. A model's two newest trials suffice: at most one
 * runs, and it is always its model's newest (a newer candidate retires it as superseded), so the latest
 * ended trial is the newest or the one after it. One indexed read per model (tenant, model, created_at).
 */
export async function challengerStatus(
  em: EntityManager,
  models: readonly { tenantId: string; modelType: ModelType }[],
  today: string,
): Promise<Map<string, ChallengerStatus>> {
  const result = new Map<string, ChallengerStatus>();
  for (const m of models) {
    const rows = await challengers(em, { tenantId: m.tenantId, modelType: m.modelType, limit: 2 });
    const ended = rows.find((c) => c.state !== 'running' && c.decidedOn !== null);
    const recent = ended && daysBetween(ended.decidedOn!, today) <= RECENT_TRIAL_DAYS ? ended : null;
    result.set(statusKey(m.tenantId, m.modelType), {
      running: rows.find((c) => c.state === 'running') ?? null,
      lastEnded: recent,
    });
  }
  return result;
}

export interface RunningChallengerJson {
  version: number;
  championVersion: number;
  startedOn: string;
  days: number;
  evaluatedOn: string | null;
  labelledPairs: number;
  discordantPairs: number;
  challengerWins: number;
  logLikelihoodRatio: number;
  /** ln(1/α): the test decides when ln Λ reaches it. */
  threshold: number;
  alwaysValidP: number;
}

export interface EndedTrialJson {
  version: number;
  championVersion: number;
  decision: ChallengerDecision | null;
  decidedOn: string | null;
  reason: string | null;
  labelledPairs: number;
  discordantPairs: number;
  challengerWins: number;
  logLikelihoodRatio: number;
}

/** For scripts: always both keys, null when there is none. */
export function challengerJson(
  s: ChallengerStatus | undefined,
  today: string,
): { running: RunningChallengerJson | null; lastEnded: EndedTrialJson | null } {
  const r = s?.running ?? null;
  const e = s?.lastEnded ?? null;
  return {
    running: r && {
      version: r.challengerVersion,
      championVersion: r.championVersion,
      startedOn: r.startedOn,
      days: Math.max(0, daysBetween(r.startedOn, today)),
      evaluatedOn: r.evaluatedOn,
      labelledPairs: r.labelledPairs,
      discordantPairs: r.discordantPairs,
      challengerWins: r.challengerWins,
      logLikelihoodRatio: r.logLikelihoodRatio,
      threshold: DECISION_THRESHOLD,
      alwaysValidP: r.alwaysValidP,
    },
    lastEnded: e && {
      version: e.challengerVersion,
      championVersion: e.championVersion,
      decision: e.decision,
      decidedOn: e.decidedOn,
      reason: e.reason,
      labelledPairs: e.labelledPairs,
      discordantPairs: e.discordantPairs,
      challengerWins: e.challengerWins,
      logLikelihoodRatio: e.logLikelihoodRatio,
    },
  };
}

/** For people: the lines under a model's line of the table (none without a challenger to speak of). */
export function challengerLines(s: ChallengerStatus | undefined, today: string): string[] {
  const lines: string[] = [];
  const r = s?.running;
  if (r) {
    const days = Math.max(0, daysBetween(r.startedOn, today));
    lines.push(
      `  challenger v${r.challengerVersion} vs v${r.championVersion} since ${r.startedOn} (${days} ${days === 1 ? 'day' : 'days'}): ` +
        `${r.labelledPairs} labelled pairs, ${r.discordantPairs} discordant, challenger right in ${r.challengerWins}; ` +
        `ln Λ ${r.logLikelihoodRatio.toFixed(2)} of ${DECISION_THRESHOLD.toFixed(2)}`,
    );
  }
  const e = s?.lastEnded;
  if (e)
    lines.push(
      `  last trial v${e.challengerVersion} ${e.decision ?? e.state} on ${e.decidedOn ?? '-'}${e.reason ? `: ${e.reason}` : ''}`,
    );
  return lines;
}
