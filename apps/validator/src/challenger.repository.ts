import { Injectable } from '@nestjs/common';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ModelChallenger } from '@app/database';
import type { ChallengerDecision, ModelType } from '@app/domain';

export interface NewChallenger {
  tenantId: string;
  modelType: ModelType;
  challengerVersion: number;
  championVersion: number;
  runId: string;
  startedOn: string;
  correlationId: string;
}

/** A trial's figures as of an evaluation (libs/drift pairedSequentialTest over the stored pairs). */
export interface TrialFigures {
  evaluatedOn: string;
  labelledPairs: number;
  discordantPairs: number;
  challengerWins: number;
  logLikelihoodRatio: number;
  alwaysValidP: number;
}

/**
 * The validator's model_challengers: a shadow challenger starts `running` (at most one per tenant and model,
 * by a partial unique index), its figures are rewritten at each evaluation, and it ends once, promoted or
 * retired; every write that ends one is fenced by `state = 'running'`. Callers hold the model's deployment
 * lock (ModelRegistryRepository.activeForUpdate).
 */
@Injectable()
export class ChallengerRepository {
  async start(em: EntityManager, c: NewChallenger): Promise<void> {
    await em.insert(ModelChallenger, {
      tenantId: c.tenantId,
      modelType: c.modelType,
      challengerVersion: c.challengerVersion,
      championVersion: c.championVersion,
      trainingRunId: c.runId,
      state: 'running',
      startedOn: c.startedOn,
      correlationId: c.correlationId,
    });
  }

  async recordEvaluation(em: EntityManager, id: string, f: TrialFigures): Promise<void> {
    await em.nativeUpdate(ModelChallenger, { id, state: 'running' }, { ...f });
  }

  /** Ends a running trial; false when it had already ended. */
  async end(
    em: EntityManager,
    id: string,
    e: { decision: ChallengerDecision; reason: string; decidedOn: string; figures?: TrialFigures },
  ): Promise<boolean> {
    const n = await em.nativeUpdate(
      ModelChallenger,
      { id, state: 'running' },
      {
        ...(e.figures ?? {}),
        state: e.decision === 'promoted' ? 'promoted' : 'retired',
        decision: e.decision,
        reason: e.reason,
        decidedOn: e.decidedOn,
        decidedAt: raw('clock_timestamp()'),
      },
    );
    return n > 0;
  }
}
