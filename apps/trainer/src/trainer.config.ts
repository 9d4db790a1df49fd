import { IsBoolean, IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class TrainerConfig extends BaseConfig {
  override HTTP_PORT = 3103;

  /** XGBoost's C library file; empty: Debian's libxgboost.so.0 or Homebrew's libxgboost.dylib where they usually are. */
  @IsString()
  XGBOOST_LIBRARY = '';

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

  // Azure ML backend (TRAINER_BACKEND=azureml); checked at start-up only when that backend is selected.
  /** Azure subscription holding the workspace. */
  @IsString()
  AZUREML_SUBSCRIPTION_ID = '';

  @IsString()
  AZUREML_RESOURCE_GROUP = '';

  @IsString()
  AZUREML_WORKSPACE = '';

  /** ARM id of the compute cluster the jobs run on. */
  @IsString()
  AZUREML_COMPUTE = '';

  /** ARM id of the environment (the service image registered in Azure ML). */
  @IsString()
  AZUREML_ENVIRONMENT = '';

  @IsString()
  AZUREML_EXPERIMENT = 'union-eyes-retraining';

  /** Azure Resource Manager endpoint (tests point it at a local server). */
  @IsString()
  AZUREML_ENDPOINT = 'https://management.azure.com';

  @IsString()
  AZUREML_API_VERSION = '2022-10-01';

  @IsInt()
  @Min(1)
  AZUREML_POLL_SECONDS = 15;

  /** A job still running after this long is cancelled and the run failed. */
  @IsInt()
  @Min(1)
  AZUREML_TIMEOUT_SECONDS = 7200;

  /** Plain http to the endpoint, without a bearer token: local test servers only; refused in production. */
  @IsBoolean()
  AZUREML_ALLOW_INSECURE = false;

  /** DATABASE_URL the job uses to read training data and write its artifact (a secret in the workspace). */
  @IsString()
  AZUREML_JOB_DATABASE_URL = '';
}
