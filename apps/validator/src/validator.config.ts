import { IsIn, IsNumber, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class ValidatorConfig extends BaseConfig {
  override HTTP_PORT = 3104;

  /** XGBoost's C library file; empty: Debian's libxgboost.so.0 or Homebrew's libxgboost.dylib where they usually are. */
  @IsString()
  XGBOOST_LIBRARY = '';

  /** Hold-out examples needed before a candidate may be judged (the "enough evidence" gate). */
  @IsInt()
  @Min(1)
  MIN_HOLDOUT_SAMPLES = 100;

  /** How much worse than the champion a candidate may be on the same hold-out (accuracy points, 0..1). */
  @IsNumber()
  @Min(0)
  @Max(1)
  CHAMPION_TOLERANCE = 0;

  /**
   * Significance level of McNemar's test: a champion significantly better blocks the candidate; a candidate
   * significantly better may replace the champion (the improvement gate, with MODEL_CONFIGS minGain).
   */
  @IsNumber()
  @Min(0.0001)
  @Max(0.5)
  MCNEMAR_ALPHA = 0.05;

  /** Largest accepted accuracy gap between subgroups (member age band, department) on the hold-out. */
  @IsNumber()
  @Min(0)
  @Max(1)
  FAIRNESS_MAX_GAP = 0.2;

  /** Subgroups smaller than this are reported but not compared (too noisy). */
  @IsInt()
  @Min(1)
  FAIRNESS_MIN_GROUP = 30;

  /** Models whose fairness gap blocks deployment (comma-separated); for the others it is advisory. */
  @IsString()
  @Matches(/^([a-z_]+(,[a-z_]+)*)?$/)
  FAIRNESS_BLOCKING_MODELS = 'claim_outcome,churn_risk';

  /**
   * How validated candidates reach production: `models` (each model's MODEL_CONFIGS promotion), or `direct`
   * or `shadow` for every model (docs/models.md, "Shadow challengers").
   */
  @IsIn(['models', 'direct', 'shadow'])
  PROMOTION_POLICY: 'models' | 'direct' | 'shadow' = 'models';

  /** The shadow trial's sequential test: its error rate under continuous monitoring (docs/decisions.md). */
  @IsNumber()
  @Min(0.001)
  @Max(0.2)
  SHADOW_ALPHA = 0.05;

  /** Beta(a, a) prior of the test's mixture on the challenger's share of discordant pairs. */
  @IsNumber()
  @Min(0.5)
  @Max(1000)
  SHADOW_PRIOR = 10;

  /** Discordant pairs after which an undecided trial ends as futile. */
  @IsInt()
  @Min(10)
  @Max(100000)
  SHADOW_MAX_PAIRS = 2000;
}
