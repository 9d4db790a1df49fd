import { ConfigError, loadConfig } from '@app/common';
import { TrainerConfig } from '../trainer.config';
import { jobBody, jobCommand, validateAzureMlConfig } from './azureml.backend';

// Fixed fixtures: a complete Azure ML configuration, and one setting changed per case.
const WORKSPACE =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1';
const VALID = {
  TRAINER_BACKEND: 'azureml',
  NODE_ENV: 'production',
  AZUREML_SUBSCRIPTION_ID: 'sub-1',
  AZUREML_RESOURCE_GROUP: 'rg-1',
  AZUREML_WORKSPACE: 'ws-1',
  AZUREML_COMPUTE: `${WORKSPACE}/computes/cpu-cluster`,
  AZUREML_ENVIRONMENT: `${WORKSPACE}/environments/union-eyes-ml/versions/3`,
  AZUREML_JOB_DATABASE_URL: 'postgresql://ue_trainer@pg-ue.postgres.database.azure.com:5432/union_eyes',
  AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI:
    'https://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password',
  AZUREML_JOB_IDENTITY_CLIENT_ID: '6f1c2a57-93d4-4b6e-8a0f-2c9d7e1b4a35',
};
const SECRET_PASSWORD = 'S3cr3t-Fixture-Pa55';

const config = (overrides: Record<string, string> = {}) =>
  loadConfig(TrainerConfig, { ...VALID, ...overrides });

/** The problems validateAzureMlConfig lists for a configuration, [] when it accepts it. */
function problems(overrides: Record<string, string>): string[] {
  try {
    validateAzureMlConfig(config(overrides));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('Azure ML settings', () => {
  it('accepts a complete configuration with a password-less URL and a Key Vault reference', () => {
    expect(problems({})).toEqual([]);
  });

  it('refuses a job database URL with a password, without echoing it', () => {
    const found = problems({
      AZUREML_JOB_DATABASE_URL: `postgresql://ue_trainer:${SECRET_PASSWORD}@pg-ue.postgres.database.azure.com:5432/union_eyes`,
    });
    expect(found).toEqual([expect.stringMatching(/^AZUREML_JOB_DATABASE_URL: must not contain a password/)]);
    expect(found[0]).toContain('AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI');
    expect(found.join('\n')).not.toContain(SECRET_PASSWORD);
  });

  it('refuses a password given as a query parameter too', () => {
    expect(
      problems({
        AZUREML_JOB_DATABASE_URL: `postgresql://ue_trainer@pg:5432/union_eyes?password=${SECRET_PASSWORD}`,
      }),
    ).toEqual([expect.stringMatching(/^AZUREML_JOB_DATABASE_URL: must not contain a password/)]);
  });

  it('refuses a URL without a user, or not a PostgreSQL one', () => {
    expect(problems({ AZUREML_JOB_DATABASE_URL: 'postgresql://pg:5432/union_eyes' })).toEqual([
      expect.stringMatching(/^AZUREML_JOB_DATABASE_URL: must name the database user/),
    ]);
    expect(problems({ AZUREML_JOB_DATABASE_URL: 'mysql://ue_trainer@pg/union_eyes' })).toEqual([
      'AZUREML_JOB_DATABASE_URL: must be a postgresql:// URL (value not shown)',
    ]);
  });

  it('requires the Key Vault reference', () => {
    // Empty means unset (loadConfig keeps the default), as when the variable is missing.
    expect(problems({ AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: '' })).toEqual([
      'AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: required when TRAINER_BACKEND=azureml',
    ]);
  });

  it.each([
    ['http, not https', 'http://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password'],
    ['a key, not a secret', 'https://kv-ue-prod.vault.azure.net/keys/ue-trainer-db-password'],
    ['no secret name', 'https://kv-ue-prod.vault.azure.net/secrets/'],
    ['the password itself', SECRET_PASSWORD],
  ])('refuses a Key Vault reference that is %s', (_, uri) => {
    expect(problems({ AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: uri })).toEqual([
      expect.stringMatching(
        /^AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: must be a Key Vault secret identifier/,
      ),
    ]);
  });

  it('refuses an identity that is not a client id, and plain TCP to Postgres in production', () => {
    expect(
      problems({ AZUREML_JOB_IDENTITY_CLIENT_ID: 'ue-trainer-identity', AZUREML_JOB_PGSSLMODE: 'disable' }),
    ).toEqual([
      "AZUREML_JOB_IDENTITY_CLIENT_ID: must be the identity's client id (a GUID)",
      expect.stringMatching(/^AZUREML_JOB_PGSSLMODE: disable is refused with NODE_ENV=production/),
    ]);
    expect(problems({ NODE_ENV: 'development', AZUREML_JOB_PGSSLMODE: 'disable' })).toEqual([]);
  });

  it('refuses a relative app root at load', () => {
    expect(() => config({ AZUREML_JOB_APP_ROOT: 'app' })).toThrow(
      /AZUREML_JOB_APP_ROOT must be an absolute path/,
    );
  });
});

describe('the Azure ML job', () => {
  const request = {
    runId: '0b6f4b0e-3c1d-4f55-9a4e-6f8d2b7c9e10',
    tenantId: 'tenant_8_0',
    modelType: 'claim_outcome' as const,
    correlationId: 'c0ffee00-0000-4000-8000-000000000001',
    halfLifeDays: 20,
  };

  it('runs train-job by its absolute path under the image app root', () => {
    expect(jobCommand(request.runId, '/app')).toBe(
      'node /app/dist/apps/trainer/src/train-job.js --run-id 0b6f4b0e-3c1d-4f55-9a4e-6f8d2b7c9e10',
    );
    expect(jobBody(config(), request).properties.command).toBe(jobCommand(request.runId, '/app'));
  });

  it('carries the URL without a password and the Key Vault reference, never the password', () => {
    const body = jobBody(config(), request);
    expect(body.properties.identity).toEqual({ identityType: 'Managed' });
    expect(body.properties.environmentVariables).toEqual({
      DATABASE_URL: VALID.AZUREML_JOB_DATABASE_URL,
      DATABASE_PASSWORD_SECRET_URI: VALID.AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI,
      PGSSLMODE: 'verify-full',
      AZURE_CLIENT_ID: VALID.AZUREML_JOB_IDENTITY_CLIENT_ID,
      XGB_ROUNDS: '100',
      XGB_EARLY_STOPPING_ROUNDS: '10',
      XGB_THREADS: '2',
      TRAINING_HALF_LIFE_DAYS: '20',
      UE_CORRELATION_ID: request.correlationId,
    });
    expect(JSON.stringify(body)).not.toMatch(/:[^/@:"]+@/); // no user:password@ anywhere
  });

  it('leaves AZURE_CLIENT_ID out for the compute default identity', () => {
    const body = jobBody(config({ AZUREML_JOB_IDENTITY_CLIENT_ID: '' }), request);
    expect(body.properties.environmentVariables).not.toHaveProperty('AZURE_CLIENT_ID');
  });
});
