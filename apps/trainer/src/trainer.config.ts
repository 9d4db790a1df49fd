import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { TrainingSettings } from '@app/ml';

export class TrainerConfig extends TrainingSettings {
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

  /**
   * PostgreSQL URL the job reads training data and writes its artifact with, WITHOUT a password
   * (postgresql://ue_trainer@host:5432/union_eyes): anyone who can read the job in the workspace can read
   * its environment. A URL with a password is refused at start-up.
   */
  @IsString()
  AZUREML_JOB_DATABASE_URL = '';

  /**
   * The Key Vault secret holding that user's password, https://<vault>.vault.azure.net/secrets/<name>[/<version>].
   * The job reads it at start with the compute's managed identity, which needs "Key Vault Secrets User" on it.
   */
  @IsString()
  AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI = '';

  /** Client id of the compute's user-assigned managed identity; empty: the compute's default identity. */
  @IsString()
  AZUREML_JOB_IDENTITY_CLIENT_ID = '';

  /** The job's PGSSLMODE: verify-full (TLS, certificate and host name checked); disable is refused in production. */
  @IsIn(['verify-full', 'disable'])
  AZUREML_JOB_PGSSLMODE: 'verify-full' | 'disable' = 'verify-full';

  /**
   * Where the service image holds the app (the Dockerfile's WORKDIR). Azure ML runs the job's command in its
   * own working directory with its own entrypoint, so the command names train-job by its absolute path.
   */
  @Matches(/^\/[A-Za-z0-9._/-]*$/, { message: 'AZUREML_JOB_APP_ROOT must be an absolute path' })
  AZUREML_JOB_APP_ROOT = '/app';
}

/**
 * The Azure ML job's settings (train-job), which the Azure ML backend puts in the job's environment. Not
 * the trainer's: the job reads only what it uses, so Azure ML's own AZUREML_* variables in the job's
 * environment are never mistaken for the trainer's settings. Loaded and checked once, when the job starts.
 */
export class TrainJobConfig extends TrainingSettings {
  /**
   * Key Vault secret with the password of DATABASE_URL's user, read with the compute's managed identity.
   * Empty: DATABASE_URL is used as it is (a job run by hand, outside Azure ML).
   */
  @IsString()
  DATABASE_PASSWORD_SECRET_URI = '';

  /** Client id of the user-assigned managed identity that reads it; empty: the compute's default identity. */
  @IsString()
  AZURE_CLIENT_ID = '';

  /** Half-life in days of the examples' weights (the trainer sets it per run); 0: the model's usual one. */
  @IsInt()
  @Min(0)
  @Max(3650)
  TRAINING_HALF_LIFE_DAYS = 0;
}
