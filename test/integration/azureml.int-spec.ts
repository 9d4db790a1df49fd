import { createEnvelope } from '@app/contracts';
import { runSeedCommand } from '../../apps/seeder/src/command';
import { jobNameFor } from '../../apps/trainer/src/backends/azureml.backend';
import { runTrainJob } from '../../apps/trainer/src/train-job';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { FakeArm } from './support/fake-arm';
import { Harness, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';

// The Azure ML backend against a local server speaking the Azure Resource Manager routes the SDK calls.
describe('Azure ML training backend', () => {
  const h = new Harness();
  const tenantId = 'tenant_61_0';
  const arm = new FakeArm(async (command, env) => {
    const runId = /--run-id ([0-9a-f-]{36})/.exec(command)![1]!;
    return runTrainJob(['--run-id', runId], { ...process.env, ...env }, () => undefined);
  });
  const azureEnv = () => ({
    TRAINER_BACKEND: 'azureml',
    AZUREML_SUBSCRIPTION_ID: 'sub-1',
    AZUREML_RESOURCE_GROUP: 'rg-1',
    AZUREML_WORKSPACE: 'ws-1',
    AZUREML_COMPUTE:
      '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/computes/cpu-cluster',
    AZUREML_ENVIRONMENT:
      '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/environments/union-eyes/versions/1',
    AZUREML_ENDPOINT: arm.url,
    AZUREML_ALLOW_INSECURE: 'true',
    AZUREML_POLL_SECONDS: '1',
    // Long enough for a real training job on a busy 2-core machine; the hanging job waits it out.
    AZUREML_TIMEOUT_SECONDS: '15',
    AZUREML_JOB_DATABASE_URL: serviceDatabaseUrl('trainer'),
  });

  beforeAll(async () => {
    await h.start();
    await arm.start();
    expect(
      await runSeedCommand(
        ['--seed', '61', '--tenants', '1', '--claims', '3000'],
        () => undefined,
        process.env,
      ),
    ).toBe(0);
    await h.query(
      `insert into tenants (id, name, union_local) values ('tenant_azure_tiny', 'Local 998', 'Tiny')`,
    );
    arm.behaviour = (body) => (body.properties.tags?.modelType === 'timeline' ? 'hang' : 'complete');
    await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), azureEnv());
  });
  afterAll(async () => {
    await h.stop();
    await arm.stop();
  });

  const retrain = async (
    modelType: 'claim_outcome' | 'timeline' | 'assignment' | 'churn_risk',
    tenant = tenantId,
    id?: string,
  ) => {
    const e = createEnvelope(
      'retrain.requested',
      { modelType, requestedBy: 'test', reason: 'test' },
      { tenantId: tenant, id },
    );
    await h.publish(e);
    return e;
  };
  const outcome = (correlationId: string) =>
    pollUntil(
      async () =>
        (
          await h.query<{ subject: string; payload: Record<string, unknown> }>(
            `select subject, envelope->'payload' as payload from outbox where envelope->>'correlationId' = $1 and subject in ('model.trained', 'training.failed')`,
            [correlationId],
          )
        )[0],
      { what: 'the training outcome', timeoutMs: 30_000 },
    );
  const runOf = async (correlationId: string) =>
    (
      await h.query<{
        id: string;
        status: string;
        backend: string;
        external_job_id: string;
        candidate_version: number;
        error: string;
      }>(
        `select id, status, backend, external_job_id, candidate_version, error from ml_model_training_runs where correlation_id = $1`,
        [correlationId],
      )
    )[0]!;

  it('submits a command job named after the run, polls it to completion and publishes model.trained', async () => {
    const e = await retrain('claim_outcome');
    const result = await outcome(e.correlationId);
    const run = await runOf(e.correlationId);
    expect(result.subject).toBe('model.trained');
    expect(run).toMatchObject({
      status: 'completed',
      backend: 'azureml',
      external_job_id: jobNameFor(run.id),
      candidate_version: 2,
    });
    const jobPath = `/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/${jobNameFor(run.id)}`;
    const calls = arm.requests.filter((r) => r.path === jobPath);
    const put = calls.find((r) => r.method === 'PUT')!;
    expect(put.apiVersion).toBe('2022-10-01');
    expect(put.body).toMatchObject({
      properties: {
        jobType: 'Command',
        command: `node dist/apps/trainer/src/train-job.js --run-id ${run.id}`,
        environmentId: expect.stringContaining('/environments/union-eyes/versions/1'),
        computeId: expect.stringContaining('/computes/cpu-cluster'),
        experimentName: 'union-eyes-retraining',
        environmentVariables: { DATABASE_URL: serviceDatabaseUrl('trainer') },
      },
    });
    expect(calls.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2); // existence check, then polling
    // The job's model came back in XGBoost JSON, stored by the job itself.
    const [artifact] = await h.query<{ format: string }>(
      `select format from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version = 2`,
      [tenantId],
    );
    expect(artifact!.format).toBe('xgboost-json/1.7');
  });

  it('maps a failed job to training.failed with the job reason', async () => {
    const e = await retrain('claim_outcome', 'tenant_azure_tiny');
    const result = await outcome(e.correlationId);
    expect(result.subject).toBe('training.failed');
    expect(result.payload).toMatchObject({
      code: 'INSUFFICIENT_SAMPLES',
      reason: expect.stringContaining('have 0, need 1000'),
    });
    expect((await runOf(e.correlationId)).status).toBe('failed');
  });

  it('cancels a job that runs past the timeout', async () => {
    const e = await retrain('timeline');
    const result = await outcome(e.correlationId);
    const run = await runOf(e.correlationId);
    expect(result.payload).toMatchObject({ code: 'AZUREML_TIMEOUT' });
    expect(
      arm.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/jobs/${jobNameFor(run.id)}/cancel`)),
    ).toBe(true);
    expect(arm.jobs.get(jobNameFor(run.id))!.status).toBe('Canceled');
  });

  it('follows the existing job when the event is redelivered, never submitting a second one', async () => {
    const id = '22222222-3333-4444-8555-666666666666';
    const [run] = await h.query<{ id: string }>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, backend, lease_expires_at)
       values ($1, 'assignment', 'running', 'manual', $2::uuid, $2::text, 'azureml', now() + interval '1 hour') returning id`,
      [tenantId, id],
    );
    arm.preload(jobNameFor(run!.id), {
      properties: {
        command: `train-job --run-id ${run!.id}`,
        environmentVariables: { DATABASE_URL: serviceDatabaseUrl('trainer') },
        tags: { modelType: 'assignment' },
      },
    });
    await retrain('assignment', tenantId, id);
    const result = await outcome(id);
    expect(result.subject).toBe('model.trained');
    expect(
      arm.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(jobNameFor(run!.id))),
    ).toHaveLength(0);
  });

  it('refuses to start without its settings, listing each one', async () => {
    await expect(
      h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), {
        TRAINER_BACKEND: 'azureml',
      }),
    ).rejects.toThrow(
      /AZUREML_SUBSCRIPTION_ID: required[\s\S]*AZUREML_WORKSPACE: required[\s\S]*AZUREML_JOB_DATABASE_URL: required/,
    );
  });
});
