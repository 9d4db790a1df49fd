import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { loadConfig } from '@app/common';
import { jobBody, jobCommand, jobNameFor } from '../../apps/trainer/src/backends/azureml.backend';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ensureBuilt, ROOT } from '../support/build';
import { azureTrainerEnv, FakeArm } from './support/fake-arm';
import { FakeKeyVault } from './support/fake-key-vault';
import { PasswordGate } from './support/password-gate';
import { Harness, seedTestDatabase, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';
import { retrainTrigger } from './support/retrain';

// The Azure ML backend against local servers speaking the Azure Resource Manager routes the SDK calls, the
// compute's managed identity endpoint and Key Vault. The job's command runs as the compute runs it: the
// compiled train-job in a shell, from another working directory, with the job's environment only.
describe('Azure ML training backend', () => {
  const h = new Harness();
  const tenantId = 'tenant_61_0';
  const vault = new FakeKeyVault();
  const secretName = 'ue-trainer-db-password';
  // The trainer role's URL as the tests' Postgres knows it, split into what the job may show and the secret.
  const trainerUrl = new URL(serviceDatabaseUrl('trainer'));
  // (A server that trusts local connections may be reached without one; the job still needs a secret.)
  const password = decodeURIComponent(trainerUrl.password) || 'ignored-by-a-trusting-server';
  // Jobs reach Postgres through a gate that demands exactly that password: the local server trusts
  // loopback connections and would not notice a job that connected without it.
  const gate = new PasswordGate(
    { host: trainerUrl.hostname, port: Number(trainerUrl.port || 5432) },
    password,
  );
  const jobDatabaseUrl = () => {
    const u = new URL(trainerUrl);
    u.password = '';
    u.hostname = '127.0.0.1';
    u.port = String(gate.port);
    return u.toString();
  };
  /** What each job printed, by run id. */
  const jobLogs = new Map<string, string>();
  /**
   * Runs a job's command as Azure ML compute does: in a shell, in a working directory that is not the app
   * root, with the job's environment variables and what the compute provides (the identity endpoint; here
   * also the route to the fake vault). Nothing of the test's own environment: its DATABASE_URL has the
   * password.
   */
  const runOnCompute = (command: string, env: Record<string, string>, cwd = tmpdir()) =>
    new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vault.computeEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  const arm = new FakeArm(async (command, env) => {
    const { code, output } = await runOnCompute(command, env);
    jobLogs.set(/--run-id ([0-9a-f-]{36})/.exec(command)?.[1] ?? 'unknown', output);
    return code ?? 1;
  });
  // The poller's timeout counts from submission, so jobs held at the gate and three fits sharing a busy
  // 2-core machine must fit well within it. The hanging job is not waited out: its test moves its start
  // back past the timeout.
  const timeoutSeconds = 600;
  const azureEnv = (): Record<string, string> =>
    azureTrainerEnv(arm, vault, {
      secretName,
      jobDatabaseUrl: jobDatabaseUrl(),
      appRoot: ROOT,
      timeoutSeconds,
    });

  /** The trainer's configuration as the service under test has it (for job bodies built by the test). */
  const config = (overrides: Record<string, string> = {}) =>
    loadConfig(TrainerConfig, { ...process.env, ...azureEnv(), ...overrides });

  beforeAll(async () => {
    // The job's command runs the compiled train-job, as the service image does.
    await ensureBuilt();
    await h.start();
    await arm.start();
    await vault.start();
    await gate.start();
    vault.secrets.set(secretName, password);
    vault.readers.add(vault.userAssigned); // "Key Vault Secrets User" for the compute's user-assigned identity
    await seedTestDatabase(['--seed', '61', '--tenants', '1', '--claims', '3000']);
    await h.query(
      `insert into tenants (id, name, union_local) values ('tenant_azure_tiny', 'Local 998', 'Tiny')`,
    );
    arm.behaviour = (body) => (body.properties.tags?.modelType === 'timeline' ? 'hang' : 'complete');
    await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), azureEnv());
  }, 300_000);
  afterAll(async () => {
    await h.stop();
    await arm.stop();
    await vault.stop();
    await gate.stop();
  });

  const retrain = async (
    modelType: 'claim_outcome' | 'timeline' | 'assignment' | 'churn_risk',
    tenant = tenantId,
    id?: string,
  ) => {
    const e = retrainTrigger(tenant, modelType, 'test', id);
    await h.publish(e);
    return e;
  };
  const outcome = async (correlationId: string, timeoutMs = 30_000) =>
    (
      await h.rowsUntil<{ subject: string; payload: Record<string, unknown> }>(
        `select subject, envelope->'payload' as payload from outbox where envelope->>'correlationId' = $1 and subject in ('model.trained', 'training.failed')`,
        [correlationId],
        { what: 'the training outcome', timeoutMs },
      )
    )[0]!;
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
        command: `node ${ROOT}/dist/apps/trainer/src/train-job.js --run-id ${run.id}`,
        environmentId: expect.stringContaining('/environments/union-eyes/versions/1'),
        computeId: expect.stringContaining('/computes/cpu-cluster'),
        experimentName: 'union-eyes-retraining',
        identity: { identityType: 'Managed' },
        environmentVariables: {
          DATABASE_URL: jobDatabaseUrl(),
          DATABASE_PASSWORD_SECRET_URI: vault.secretUri(secretName),
          AZURE_CLIENT_ID: vault.userAssigned,
          PGSSLMODE: 'disable',
        },
      },
    });
    // Nothing the workspace shows about the job holds the password: no value is it, no URL carries it.
    for (const text of stringsOf(put.body)) {
      expect(text).not.toBe(password);
      expect(text).not.toContain(`:${password}@`);
      for (const [url] of text.matchAll(/postgres(ql)?:\/\/\S+/g)) expect(new URL(url).password).toBe('');
    }
    // The absolute command worked from a working directory that is not the app root...
    expect(jobLogs.get(run.id)).toContain('trained claim_outcome for tenant_61_0: candidate v2');
    // ...with the password it read from Key Vault as the compute's user-assigned identity, and gave Postgres.
    expect(gate.attempts).toContainEqual({ user: trainerUrl.username, ok: true });
    expect(gate.attempts.filter((a) => !a.ok)).toEqual([]);
    expect(vault.requests).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: `/secrets/${secretName}/`,
        identity: vault.userAssigned,
        status: 200,
      }),
    );
    expect(calls.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2); // existence check, then polling
    // The job's model came back in XGBoost JSON, stored by the job itself.
    const [artifact] = await h.query<{ format: string }>(
      `select format from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version = 2`,
      [tenantId],
    );
    expect(artifact!.format).toBe('xgboost-ubj/1.7');
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
    const submitted = await pollUntil(
      async () => {
        const r = await runOf(e.correlationId);
        return r?.status === 'running' && r.external_job_id ? r : false;
      },
      { what: 'the hanging job to be submitted', timeoutMs: 30_000 },
    );
    // The job has been running for longer than the timeout, as far as the poller can tell.
    await h.query(
      `update ml_model_training_runs set training_started_at = now() - make_interval(secs => $2) where id = $1`,
      [submitted.id, timeoutSeconds + 60],
    );
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
    arm.preload(
      jobNameFor(run!.id),
      jobBody(config(), {
        runId: run!.id,
        tenantId,
        modelType: 'assignment',
        correlationId: id,
        halfLifeDays: 60,
      }),
    );
    await retrain('assignment', tenantId, id);
    const result = await outcome(id);
    expect(result.subject).toBe('model.trained');
    expect(
      arm.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(jobNameFor(run!.id))),
    ).toHaveLength(0);
  });

  it('lets each message go once its job is submitted, and follows several jobs in flight at once', async () => {
    // The jobs wait at the gate: the trainer must record and ack all three before any of them ends.
    arm.behaviour = () => 'gated';
    const models = ['claim_outcome', 'assignment', 'churn_risk'] as const;
    const events = await Promise.all(models.map((m) => retrain(m)));
    const durable = h.topology.consumerName('trainer', 'drift.detected');
    const inFlight = await pollUntil(
      async () => {
        // One after the other: the harness has one connection, and pg refuses overlapping queries on it.
        const runs = [];
        for (const e of events) runs.push(await runOf(e.correlationId));
        const info = await h.jsm.consumers.info(h.topology.eventsStream, durable);
        return runs.every((r) => r?.status === 'running' && r.external_job_id) &&
          info.num_ack_pending === 0 &&
          info.num_pending === 0
          ? runs
          : false;
      },
      { what: 'three jobs submitted and their messages acknowledged', timeoutMs: 30_000 },
    );
    // The poller looks at all three (the fake starts a job at its first look): three in flight at once.
    await pollUntil(
      async () => inFlight.every((r) => arm.jobs.get(r.external_job_id)?.status === 'Running'),
      { what: 'the poller to look at the three jobs', timeoutMs: 15_000 },
    );
    // No transaction stays open while the jobs run: none of the trainer's is older than a few seconds.
    await new Promise((r) => setTimeout(r, 3000));
    expect(
      await h.query(
        `select pid, state, query from pg_stat_activity where usename = $1 and xact_start < now() - interval '3 seconds'`,
        [trainerUrl.username],
      ),
    ).toEqual([]);
    arm.openGate();
    for (const e of events) {
      // The whole outcome, so that a failure shows its code and reason.
      expect(await outcome(e.correlationId, 120_000)).toMatchObject({ subject: 'model.trained' });
    }
    for (const e of events) {
      expect(await runOf(e.correlationId)).toMatchObject({ status: 'completed', backend: 'azureml' });
      expect(
        await h.query(`select 1 from outbox where envelope->>'correlationId' = $1`, [e.correlationId]),
      ).toHaveLength(1);
    }
    arm.behaviour = (body) => (body.properties.tags?.modelType === 'timeline' ? 'hang' : 'complete');
  }, 180_000);

  it("fails the job, with the reason in the job's log, when the compute's identity may not read the secret", async () => {
    const id = '33333333-4444-4555-8666-777777777777';
    const [run] = await h.query<{ id: string }>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, backend, lease_expires_at)
       values ($1, 'churn_risk', 'running', 'manual', $2::uuid, $2::text, 'azureml', now() + interval '1 hour') returning id`,
      [tenantId, id],
    );
    // Submitted without a user-assigned identity: the job reads the secret as the compute's system-assigned
    // identity, which was never granted "Key Vault Secrets User".
    const body = jobBody(config({ AZUREML_JOB_IDENTITY_CLIENT_ID: '' }), {
      runId: run!.id,
      tenantId,
      modelType: 'churn_risk',
      correlationId: id,
      halfLifeDays: 60,
    });
    expect(body.properties.environmentVariables).not.toHaveProperty('AZURE_CLIENT_ID');
    arm.preload(jobNameFor(run!.id), body);
    await retrain('churn_risk', tenantId, id);
    const result = await outcome(id);
    expect(result.subject).toBe('training.failed');
    expect(result.payload).toMatchObject({ code: 'AZUREML_JOB_FAILED' });
    expect(jobLogs.get(run!.id)).toMatch(
      /database password unavailable: reading Key Vault secret https:\/\/ue-test\.vault\.azure\.net\/secrets\/ue-trainer-db-password as the compute's managed identity failed: Caller is not authorized/,
    );
    expect(vault.requests).toContainEqual(
      expect.objectContaining({ identity: vault.systemAssigned, status: 403 }),
    );
    expect(arm.jobs.get(jobNameFor(run!.id))!.status).toBe('Failed');
  });

  it("runs the job's command by hand from another directory", async () => {
    // The command and environment the workspace would run, from / this time, with no ARM in between.
    const id = '44444444-5555-4666-8777-888888888888';
    const [run] = await h.query<{ id: string }>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, backend, lease_expires_at)
       values ($1, 'timeline', 'running', 'manual', $2::uuid, $2::text, 'azureml', now() + interval '1 hour') returning id`,
      [tenantId, id],
    );
    const body = jobBody(config(), {
      runId: run!.id,
      tenantId,
      modelType: 'timeline',
      correlationId: id,
      halfLifeDays: 60,
    });
    expect(body.properties.command).toBe(jobCommand(run!.id, ROOT));
    const { command, environmentVariables } = body.properties;
    // A vault holding a stale password: Postgres refuses the job, which connected with what it read.
    vault.secrets.set(secretName, 'rotated-away');
    try {
      expect(await runOnCompute(command, environmentVariables, '/')).toMatchObject({
        code: 1,
        output: expect.stringContaining(`password authentication failed for user "${trainerUrl.username}"`),
      });
    } finally {
      vault.secrets.set(secretName, password);
    }
    expect(await runOnCompute(command, environmentVariables, '/')).toMatchObject({
      code: 0,
      output: expect.stringContaining('trained timeline for tenant_61_0'),
    });
    const [stored] = await h.query<{ candidate_version: number | null }>(
      `select candidate_version from ml_model_training_runs where id = $1`,
      [run!.id],
    );
    expect(stored!.candidate_version).toEqual(expect.any(Number));
  });

  it('refuses to start without its settings, listing each one', async () => {
    await expect(
      h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), {
        TRAINER_BACKEND: 'azureml',
      }),
    ).rejects.toThrow(
      /AZUREML_SUBSCRIPTION_ID: required[\s\S]*AZUREML_WORKSPACE: required[\s\S]*AZUREML_JOB_DATABASE_URL: required[\s\S]*AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: required/,
    );
  });

  it('refuses a job database URL that holds a password, without echoing it', async () => {
    const withPassword = new URL(jobDatabaseUrl());
    withPassword.password = 'hunter2-fixture';
    const err = await h
      .startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), {
        ...azureEnv(),
        AZUREML_JOB_DATABASE_URL: withPassword.toString(),
      })
      .then(
        () => new Error('started'),
        (e: unknown) => e as Error,
      );
    expect(err.message).toMatch(/AZUREML_JOB_DATABASE_URL: must not contain a password/);
    expect(err.message).not.toContain('hunter2');
  });
});

/** Every string in a JSON value, keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}
