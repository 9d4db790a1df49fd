import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChallengerDecision, ChallengerState, ModelType } from '@app/domain';
import { ModelChallenger } from '../entities/challenger.entity';

/**
 * Read models over the validator's model_challengers (shadow challengers on trial, issue 19) and the
 * paired outcomes of a challenger and its champion in ml_predictions (the scorer's).
 */
export interface ChallengerView {
  id: string;
  tenantId: string;
  modelType: ModelType;
  challengerVersion: number;
  championVersion: number;
  trainingRunId: string | null;
  state: ChallengerState;
  decision: ChallengerDecision | null;
  reason: string | null;
  startedOn: string;
  evaluatedOn: string | null;
  decidedOn: string | null;
  labelledPairs: number;
  discordantPairs: number;
  challengerWins: number;
  logLikelihoodRatio: number;
  alwaysValidP: number;
  correlationId: string;
  createdAt: Date;
  decidedAt: Date | null;
}

export function challengerView(c: ModelChallenger): ChallengerView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    modelType: c.modelType,
    challengerVersion: c.challengerVersion,
    championVersion: c.championVersion,
    trainingRunId: c.trainingRunId,
    state: c.state,
    decision: c.decision,
    reason: c.reason,
    startedOn: c.startedOn,
    evaluatedOn: c.evaluatedOn,
    decidedOn: c.decidedOn,
    labelledPairs: c.labelledPairs,
    discordantPairs: c.discordantPairs,
    challengerWins: c.challengerWins,
    logLikelihoodRatio: c.logLikelihoodRatio,
    alwaysValidP: c.alwaysValidP,
    correlationId: c.correlationId,
    createdAt: c.createdAt,
    decidedAt: c.decidedAt,
  };
}

/** The challenger on trial for a tenant's model, if one is. */
export async function runningChallenger(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
): Promise<ChallengerView | null> {
  const c = await em.findOne(
    ModelChallenger,
    { tenantId, modelType, state: 'running' },
    { disableIdentityMap: true },
  );
  return c ? challengerView(c) : null;
}

/** Challengers, newest first: of one tenant's model, of one tenant, or of every tenant in scope. */
export async function challengers(
  em: EntityManager,
  q: { tenantId?: string; modelType?: ModelType; state?: ChallengerState; limit?: number } = {},
): Promise<ChallengerView[]> {
  const rows = await em.find(
    ModelChallenger,
    {
      ...(q.tenantId === undefined ? {} : { tenantId: q.tenantId }),
      ...(q.modelType === undefined ? {} : { modelType: q.modelType }),
      ...(q.state === undefined ? {} : { state: q.state }),
    },
    { orderBy: { createdAt: 'desc' }, limit: q.limit ?? 100, disableIdentityMap: true },
  );
  return rows.map(challengerView);
}

/** What a challenger's trial has to go on: claims both versions answered, whose outcome is known. */
export interface PairedOutcomes {
  labelledPairs: number;
  /**
   * The claims where exactly one of the two was right, as "the challenger was right", in the order their
   * outcomes became known (then by claim): an order that only grows at its end as labels arrive, so that
   * each day's evaluation replays the days before it unchanged.
   */
  discordant: boolean[];
}

/**
 * The paired outcomes of a challenger and the champion it runs beside, counted from the stored predictions
 * each time (never incremented), so a redelivered event or a second evaluation counts nothing twice. At
 * most `limit` discordant pairs (the test's maximum). SQL on purpose: a self-join of ml_predictions with
 * an ordered, filtered aggregate.
 */
export async function pairedOutcomes(
  em: EntityManager,
  q: {
    tenantId: string;
    modelType: ModelType;
    championVersion: number;
    challengerVersion: number;
    limit: number;
  },
): Promise<PairedOutcomes> {
  const [row] = await em.execute<{ labelled: number | string; discordant: boolean[] | null }[]>(
    `select count(*) as labelled,
            (array_agg(ch.is_correct order by ch.outcome_known_at, ch.claim_id)
               filter (where ch.is_correct <> cc.is_correct))[1:?] as discordant
       from ml_predictions ch
       join ml_predictions cc
         on cc.claim_id = ch.claim_id and cc.model_type = ch.model_type
        and cc.model_version = ? and cc.role = 'champion' and cc.is_correct is not null
      where ch.tenant_id = ? and ch.model_type = ? and ch.model_version = ? and ch.role = 'challenger'
        and ch.is_correct is not null`,
    [q.limit, q.championVersion, q.tenantId, q.modelType, q.challengerVersion],
  );
  return { labelledPairs: Number(row?.labelled ?? 0), discordant: row?.discordant ?? [] };
}
