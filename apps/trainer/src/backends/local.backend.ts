import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@app/common';
import { trainCandidate } from '../candidate';
import type { TrainerConfig } from '../trainer.config';
import type { TrainingDataRepository } from '../training-data.repository';
import type { TrainingRunRepository } from '../training-run.repository';
import type { TrainingBackend, TrainingOutcome, TrainingRequest } from './training-backend';

/** Trains in the trainer process, with XGBoost through its C API. */
export class LocalBackend implements TrainingBackend {
  readonly name = 'local' as const;

  constructor(
    private readonly deps: { data: TrainingDataRepository; runs: TrainingRunRepository },
    private readonly config: TrainerConfig,
  ) {}

  async train(req: TrainingRequest, em: EntityManager): Promise<TrainingOutcome> {
    try {
      const result = await trainCandidate(em, this.deps, {
        tenantId: req.tenantId,
        modelType: req.modelType,
        rounds: this.config.XGB_ROUNDS,
        threads: this.config.XGB_THREADS,
      });
      return { ok: true, result };
    } catch (err) {
      if (err instanceof DomainError && !err.retryable)
        return { ok: false, code: err.code, reason: err.message };
      throw err;
    }
  }
}
