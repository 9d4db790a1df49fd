import path from 'node:path';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { CommandJob, JobBase } from '@azure/arm-machinelearning';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import type { AppLogger } from '@app/common';
import { ConfigError } from '@app/common';
import { parseSecretUri } from '../key-vault-secret';
import type { TrainerConfig } from '../trainer.config';
import type { BackendStep, TrainingBackend, TrainingRequest } from './training-backend';

const TERMINAL = new Set(['Completed', 'Failed', 'Canceled', 'NotResponding']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Azure ML job of a training run: derived from the run id, so a redelivered event finds its job again. */
export function jobNameFor(runId: string): string {
  return `ue-train-${runId}`;
}

/**
 * The command the job runs: this project's own trainer, from the service image. Azure ML starts it with its
 * own entrypoint in the job's working directory, not the image's WORKDIR, so train-job is named by its
 * absolute path under the image's app root.
 */
export function jobCommand(runId: string, appRoot: string): string {
  return `node ${path.posix.join(appRoot, 'dist/apps/trainer/src/train-job.js')} --run-id ${runId}`;
}

/** A command job as this backend submits it: its environment variables all set. */
export type TrainingJob = JobBase & {
  properties: CommandJob & { environmentVariables: Record<string, string> };
};

/**
 * The command job of a run. Everything in it (command, environment variables, tags) is readable by anyone
 * who can read jobs in the workspace, so it carries the database URL without its password and a reference
 * to the Key Vault secret that holds it; the job reads the secret with the compute's managed identity.
 * The run's logical time is not in it: the job reads it from the run (`as_of`), as it reads the rest. The
 * half-life of its examples' weights is (TRAINING_HALF_LIFE_DAYS): it is decided from the triggering event.
 */
export function jobBody(c: TrainerConfig, req: Omit<TrainingRequest, 'asOf'>): TrainingJob {
  const job: TrainingJob['properties'] = {
    jobType: 'Command',
    command: jobCommand(req.runId, c.AZUREML_JOB_APP_ROOT),
    environmentId: c.AZUREML_ENVIRONMENT,
    computeId: c.AZUREML_COMPUTE,
    experimentName: c.AZUREML_EXPERIMENT,
    displayName: `${req.tenantId} ${req.modelType} (run ${req.runId})`,
    // The job acts as the compute's managed identity (the one granted "Key Vault Secrets User").
    identity: { identityType: 'Managed' },
    environmentVariables: {
      DATABASE_URL: c.AZUREML_JOB_DATABASE_URL,
      DATABASE_PASSWORD_SECRET_URI: c.AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI,
      PGSSLMODE: c.AZUREML_JOB_PGSSLMODE,
      ...(c.AZUREML_JOB_IDENTITY_CLIENT_ID ? { AZURE_CLIENT_ID: c.AZUREML_JOB_IDENTITY_CLIENT_ID } : {}),
      XGB_ROUNDS: String(c.XGB_ROUNDS),
      XGB_EARLY_STOPPING_ROUNDS: String(c.XGB_EARLY_STOPPING_ROUNDS),
      XGB_THREADS: String(c.XGB_THREADS),
      TRAINING_HALF_LIFE_DAYS: String(req.halfLifeDays),
      UE_CORRELATION_ID: req.correlationId,
    },
    tags: { tenantId: req.tenantId, modelType: req.modelType, runId: req.runId },
  };
  return { properties: job };
}

/** The problem with the job's database URL, if any; never echoes the URL (it may hold a password). */
function jobDatabaseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a postgresql:// URL (value not shown)';
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) return 'must be a postgresql:// URL (value not shown)';
  if (url.password || url.searchParams.has('password'))
    return (
      'must not contain a password: anyone who can read the job in the workspace can read its environment. ' +
      'Remove it, store it in Key Vault and set AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI (docs/operations.md, "Train on Azure ML")'
    );
  if (!url.username) return 'must name the database user, e.g. postgresql://ue_trainer@HOST:5432/union_eyes';
  return null;
}

/** Checks the Azure ML settings; called at start-up when this backend is selected. */
export function validateAzureMlConfig(c: TrainerConfig): void {
  const problems: string[] = [];
  for (const key of [
    'AZUREML_SUBSCRIPTION_ID',
    'AZUREML_RESOURCE_GROUP',
    'AZUREML_WORKSPACE',
    'AZUREML_COMPUTE',
    'AZUREML_ENVIRONMENT',
    'AZUREML_JOB_DATABASE_URL',
    'AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI',
  ] as const) {
    if (!c[key]) problems.push(`${key}: required when TRAINER_BACKEND=azureml`);
  }
  const urlProblem = c.AZUREML_JOB_DATABASE_URL ? jobDatabaseUrlProblem(c.AZUREML_JOB_DATABASE_URL) : null;
  if (urlProblem) problems.push(`AZUREML_JOB_DATABASE_URL: ${urlProblem}`);
  if (
    c.AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI &&
    !parseSecretUri(c.AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI)
  )
    problems.push(
      'AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: must be a Key Vault secret identifier, https://<vault>.vault.azure.net/secrets/<name>[/<version>]',
    );
  if (c.AZUREML_JOB_IDENTITY_CLIENT_ID && !GUID.test(c.AZUREML_JOB_IDENTITY_CLIENT_ID))
    problems.push("AZUREML_JOB_IDENTITY_CLIENT_ID: must be the identity's client id (a GUID)");
  if (c.AZUREML_JOB_PGSSLMODE === 'disable' && c.NODE_ENV === 'production')
    problems.push(
      'AZUREML_JOB_PGSSLMODE: disable is refused with NODE_ENV=production (the job reaches Postgres over the network)',
    );
  if (c.AZUREML_ALLOW_INSECURE && c.NODE_ENV === 'production')
    problems.push('AZUREML_ALLOW_INSECURE: refused with NODE_ENV=production');
  if (!c.AZUREML_ALLOW_INSECURE && !c.AZUREML_ENDPOINT.startsWith('https://'))
    problems.push('AZUREML_ENDPOINT: must be https:// (AZUREML_ALLOW_INSECURE is for local test servers)');
  if (problems.length > 0) throw new ConfigError(problems);
}

export type JobState =
  | { kind: 'running'; status: string }
  | { kind: 'completed' }
  | { kind: 'failed'; status: string }
  /** Azure ML has no such job (deleted, or never created). */
  | { kind: 'missing' };

/**
 * Trains as an Azure ML command job: `run` submits it (jobs.createOrUpdate, or finds the job an earlier
 * delivery submitted) and returns at once; the poller (AzureMlPoller) asks `state` until the job ends and
 * `cancel`s one past its timeout. The job writes its artifact, baselines and figures to the database itself
 * (the same fitCandidate as the local backend), in XGBoost JSON.
 */
export class AzureMlBackend implements TrainingBackend {
  readonly name = 'azureml' as const;
  private readonly client: AzureMachineLearningWorkspaces;

  constructor(
    private readonly config: TrainerConfig,
    credential?: TokenCredential,
  ) {
    validateAzureMlConfig(config);
    const cred: TokenCredential =
      credential ??
      (config.AZUREML_ALLOW_INSECURE
        ? { getToken: () => Promise.resolve(null) }
        : new DefaultAzureCredential());
    this.client = new AzureMachineLearningWorkspaces(cred, config.AZUREML_SUBSCRIPTION_ID, {
      endpoint: config.AZUREML_ENDPOINT,
      apiVersion: config.AZUREML_API_VERSION,
      allowInsecureConnection: config.AZUREML_ALLOW_INSECURE,
    });
    // Local test servers speak plain http and want no token (the bearer policy refuses http).
    if (config.AZUREML_ALLOW_INSECURE)
      this.client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  }

  async run(req: TrainingRequest, _examples: unknown, log: AppLogger): Promise<BackendStep> {
    const c = this.config;
    const name = jobNameFor(req.runId);
    const existing = await this.getJob(name);
    if (existing) {
      log.info('Azure ML job already submitted for this run; following it', {
        job: name,
        status: existing.properties.status,
      });
    } else {
      await this.client.jobs.createOrUpdate(
        c.AZUREML_RESOURCE_GROUP,
        c.AZUREML_WORKSPACE,
        name,
        jobBody(c, req),
      );
      log.info('Azure ML job submitted', { job: name });
    }
    return { kind: 'submitted', externalJobId: name };
  }

  /** Where the job is. */
  async state(name: string): Promise<JobState> {
    const job = await this.getJob(name);
    if (!job) return { kind: 'missing' };
    const status = job.properties.status ?? 'Unknown';
    if (status === 'Completed') return { kind: 'completed' };
    if (TERMINAL.has(status)) return { kind: 'failed', status };
    return { kind: 'running', status };
  }

  async cancel(name: string): Promise<void> {
    await this.client.jobs.beginCancel(
      this.config.AZUREML_RESOURCE_GROUP,
      this.config.AZUREML_WORKSPACE,
      name,
    );
  }

  private async getJob(name: string): Promise<JobBase | null> {
    try {
      return await this.client.jobs.get(
        this.config.AZUREML_RESOURCE_GROUP,
        this.config.AZUREML_WORKSPACE,
        name,
      );
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }
}
