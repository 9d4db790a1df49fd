import { IsInt, Max, Min } from 'class-validator';
import { TrainingSettings } from '@app/ml';
import type { TrainingOptions } from './seeding/version-one';

/**
 * The seeder trains version 1 of every model with the trainer's own procedure, so it reads the same
 * training settings (XGB_ROUNDS, XGB_THREADS, XGBOOST_LIBRARY) with the same defaults.
 */
export class SeederConfig extends TrainingSettings {
  override HTTP_PORT = 3106;

  /**
   * Boosting rounds of version 1 only; 0 (the default): XGB_ROUNDS, the trainer's. A faster path for large
   * seeds (hundreds of tenants): 20 rounds train about 3x faster and, on seeded data, as accurately.
   */
  @IsInt()
  @Min(0)
  @Max(5000)
  SEED_V1_XGB_ROUNDS = 0;
}

/**
 * How version 1 is trained: the trainer's rounds, early stopping and threads unless SEED_V1_XGB_ROUNDS
 * says otherwise.
 */
export function versionOneTraining(c: SeederConfig): Required<TrainingOptions> {
  return {
    rounds: c.SEED_V1_XGB_ROUNDS || c.XGB_ROUNDS,
    earlyStoppingRounds: c.XGB_EARLY_STOPPING_ROUNDS,
    threads: c.XGB_THREADS,
  };
}
