import { TrainerError } from '../errors';
import { fitCandidate, InsufficientSamplesError } from '@app/ml';
import type { TrainerConfig } from '../trainer.config';
import type { TrainingData } from '../training-data.repository';
import type { BackendStep, TrainingBackend, TrainingRequest } from './training-backend';

/** Trains in the trainer process, with XGBoost through its C API. */
export class LocalBackend implements TrainingBackend {
  readonly name = 'local' as const;

  constructor(private readonly config: TrainerConfig) {}

  async run(req: TrainingRequest, data: () => Promise<TrainingData>): Promise<BackendStep> {
    try {
      const { examples, available, inputs } = await data();
      const candidate = await fitCandidate(
        examples,
        {
          tenantId: req.tenantId,
          modelType: req.modelType,
          rounds: this.config.XGB_ROUNDS,
          earlyStoppingRounds: this.config.XGB_EARLY_STOPPING_ROUNDS,
          threads: this.config.XGB_THREADS,
          asOf: req.asOf,
          halfLifeDays: req.halfLifeDays,
          available,
        },
        inputs,
      );
      return { kind: 'fitted', candidate };
    } catch (err) {
      if ((err instanceof TrainerError || err instanceof InsufficientSamplesError) && !err.retryable)
        return { kind: 'failed', code: err.code, reason: err.message };
      throw err;
    }
  }
}
