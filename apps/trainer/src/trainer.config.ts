import { IsIn, IsInt, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class TrainerConfig extends BaseConfig {
  override HTTP_PORT = 3103;

  /** Seconds a running training run stays leased without a heartbeat before it is failed as abandoned. */
  @IsInt()
  @Min(5)
  @Max(86_400)
  TRAINING_LEASE_SECONDS = 120;

  /** How often expired leases are looked for. */
  @IsInt()
  @Min(1)
  @Max(3600)
  LEASE_SWEEP_SECONDS = 30;

  /** Boosting rounds of the XGBoost models. */
  @IsInt()
  @Min(1)
  @Max(5000)
  XGB_ROUNDS = 100;

  /** Threads XGBoost may use. */
  @IsInt()
  @Min(1)
  @Max(64)
  XGB_THREADS = 2;

  /** Where models are trained: in this process (XGBoost) or as Azure ML command jobs. */
  @IsIn(['local', 'azureml'])
  TRAINER_BACKEND: 'local' | 'azureml' = 'local';
}
