import { IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

/**
 * What training itself needs, for everything that trains with fitCandidate: the trainer service, its Azure
 * ML job (train-job), and the seeder (version 1 of each model).
 */
export class TrainingSettings extends BaseConfig {
  /** Boosting rounds of the XGBoost models. */
  @IsInt()
  @Min(1)
  @Max(5000)
  XGB_ROUNDS = 100;

  /**
   * Early stopping: boosting stops once this many rounds in a row have not improved the score of a tenth
   * of the training examples set apart for it (with 2,000 examples or more; under 10,000 the model is then
   * fitted again on all of them with the rounds chosen); 0 boosts all XGB_ROUNDS.
   */
  @IsInt()
  @Min(0)
  @Max(1000)
  XGB_EARLY_STOPPING_ROUNDS = 10;

  /** Threads XGBoost may use. */
  @IsInt()
  @Min(1)
  @Max(64)
  XGB_THREADS = 2;

  /** XGBoost's C library file; empty: Debian's libxgboost.so.0 or Homebrew's libxgboost.dylib where they usually are. */
  @IsString()
  XGBOOST_LIBRARY = '';
}
