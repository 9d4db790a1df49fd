import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { ROOT } from '../support/build';
import { azureTrainerEnv, FakeArm } from '../integration/support/fake-arm';
import { FakeKeyVault } from '../integration/support/fake-key-vault';
import { serviceDatabaseUrl } from '../integration/support/harness';
import { pollUntil } from '../integration/support/poll';
import { retrainTrigger } from '../integration/support/retrain';
import { FaultHarness, seedTenant } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { ensureBuilt, ServiceProcess } from './support/service-process';

// A trainer process is killed (SIGKILL) while the Azure ML job of its run is in flight: the message was
// acknowledged when the job was submitted, so nothing is redelivered. A new trainer's poller finds the run,
// follows the job, and records its result once.
describe('faults: a trainer killed while its Azure ML job runs', () => {
  const h = new FaultHarness();
  const vault = new FakeKeyVault();
  const secretName = 'ue-trainer-db-password';
  let tenantId: string;
  let since: Date;
  /** The job runs the compiled train-job in a shell, as the compute does, in this (the test's) process. */
  const arm = new FakeArm(
    (command, env) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], {
          cwd: tmpdir(),
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vault.computeEnv(), ...env },
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? 1));
      }),
  );
  const azureEnv = (): Record<string, string> => {
    const jobUrl = new URL(serviceDatabaseUrl('trainer'));
    jobUrl.password = '';
    return azureTrainerEnv(arm, vault, { secretName, jobDatabaseUrl: jobUrl.toString(), appRoot: ROOT });
  };

  beforeAll(async () => {
    await ensureBuilt();
    await h.start();
    await arm.start();
    await vault.start();
    // The tests' Postgres trusts local connections: the secret only has to be readable.
    vault.secrets.set(secretName, decodeURIComponent(new URL(serviceDatabaseUrl('trainer')).password) || 'x');
    vault.readers.add(vault.userAssigned);
    since = await databaseNow(h);
    tenantId = await seedTenant(7401);
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l));
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
  }, 180_000);
  afterAll(async () => {
    arm.openGate();
    await ServiceProcess.killAll();
    await h.stop();
    await arm.stop();
    await vault.stop();
  }, 120_000);

  it('records the job result exactly once, by a new trainer process', async () => {
    arm.behaviour = () => 'gated'; // the job waits until the first trainer is dead
    const first = await ServiceProcess.start('trainer', h.childEnv('trainer', azureEnv()));
    const retrain = retrainTrigger(tenantId, 'claim_outcome', 'fault: trainer killed during Azure ML job');
    await h.publish(retrain);
    const [run] = await pollUntil(
      async () => {
        const rows = await h.query<{ id: string; status: string; external_job_id: string | null }>(
          `select id, status, external_job_id from ml_model_training_runs where correlation_id = $1`,
          [retrain.correlationId],
        );
        return rows[0]?.external_job_id ? rows : false;
      },
      { what: 'the job to be submitted and recorded on the run', timeoutMs: 60_000 },
    );
    // The message is let go once the job is recorded; the job is in flight when the trainer dies.
    await first.waitFor(
      (l) => l.msg === 'Azure ML job submitted; the poller records its result' && l.runId === run!.id,
      'the submission',
    );
    await pollUntil(async () => arm.jobs.get(run!.external_job_id!)?.status === 'Running', {
      what: 'the job to run',
    });
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    arm.openGate();
    await pollUntil(async () => arm.jobs.get(run!.external_job_id!)?.status === 'Completed', {
      what: 'the job to complete while no trainer runs',
      timeoutMs: 120_000,
    });
    expect(await h.query(`select status from ml_model_training_runs where id = $1`, [run!.id])).toEqual([
      { status: 'running' },
    ]);

    const second = await ServiceProcess.start('trainer', h.childEnv('trainer', azureEnv()));
    await second.waitFor(
      (l) => l.msg === 'candidate trained' && l.runId === run!.id,
      'the new trainer to record the result',
    );
    await h.published(retrain.correlationId, 'model.trained');
    // The validator has taken the candidate (what it decides is its own business here).
    await pollUntil(
      async () =>
        (
          await h.query(
            `select 1 from processed_events where consumer = 'validator__model_trained' and event_id = (select id from outbox where subject = 'model.trained' and envelope->>'correlationId' = $1)`,
            [retrain.correlationId],
          )
        ).length > 0,
      { what: 'the validator to handle model.trained', timeoutMs: 60_000 },
    );
    expect((await second.kill('SIGTERM')).code).toBe(0);

    await checkInvariants(h, { tenants: [tenantId], since });
    expect(
      await h.query(
        `select subject from outbox where envelope->>'correlationId' = $1 and subject in ('model.trained', 'training.failed')`,
        [retrain.correlationId],
      ),
    ).toEqual([{ subject: 'model.trained' }]);
    expect(
      await h.query(
        `select status, backend, external_job_id, candidate_version from ml_model_training_runs where correlation_id = $1`,
        [retrain.correlationId],
      ),
    ).toEqual([
      {
        status: 'completed',
        backend: 'azureml',
        external_job_id: run!.external_job_id,
        candidate_version: 2,
      },
    ]);
    expect(
      await h.query(
        `select model_version from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version > 1`,
        [tenantId],
      ),
    ).toEqual([{ model_version: 2 }]);
  }, 300_000);
});
