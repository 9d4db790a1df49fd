import { IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

/**
 * What training itself needs, for everything that trains with fitCandidate: the trainer service, its Azure
 * ML job (train-job), and the seeder (version 1 of each model).
 */
export class TrainingSettings extends BaseConfig {
  /**
   * Boosting rounds of the XGBoost models. 40 (it was 100): on bench:train's tenant (about 132,000 labelled
   * examples a model) 40 rounds kept every model within 0.2 points of 100 at 55-75% of the fitting time,
   * and a model of 40 rounds is smaller to store, load and score (docs/benchmarks.md, "Issue 20, fourth
   * step"). At learning rate 0.2 the later rounds were fitting noise.
   */
  @IsInt()
  @Min(1)
  @Max(5000)
  XGB_ROUNDS = 40;

  /** Threads XGBoost may use. */
  @IsInt()
  @Min(1)
  @Max(64)
  XGB_THREADS = 2;

  /** XGBoost's C library file; empty: Debian's libxgboost.so.0 or Homebrew's libxgboost.dylib where they usually are. */
  @IsString()
  XGBOOST_LIBRARY = '';
}
