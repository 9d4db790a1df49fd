import type { ModelType } from '@app/domain';
import { HDR } from '@app/messaging';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { pollRows, pollUntil } from '../integration/support/poll';
import { FaultHarness, seedTenant } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import type { ExpectedDeadLetter } from './support/invariants';
import { LockHolder, terminateBackend } from './support/pg-locks';
import { ensureBuilt, ServiceProcess } from './support/service-process';
import { retrainTrigger } from '../integration/support/retrain';

// A trainer process is killed (SIGKILL) in the middle of its handler: training is done, its
// transaction is open and blocked on a lock of the test's while it saves the artifact, so the kill
// always lands there.
describe('faults: a trainer killed in the middle of a handler', () => {
  const h = new FaultHarness();
  let tenantId: string;
  let since: Date;
  /** Dead letters the cases of this file expect, in order. */
  const parked: ExpectedDeadLetter[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    await h.start();
    since = await databaseNow(h);
    tenantId = await seedTenant(7301);
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l));
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
  }, 120_000);
  afterAll(async () => {
    await LockHolder.releaseAll();
    await ServiceProcess.killAll();
    await h.stop();
  }, 120_000);

  const runsOf = (correlationId: string) =>
    h.query<{ id: string; status: string; error: string | null }>(
      `select id, status, error from ml_model_training_runs where correlation_id = $1 order by created_at`,
      [correlationId],
    );

  /** The run of this correlation id once it has failed (its lease expired and another replica swept it). */
  const failedRuns = (correlationId: string) =>
    pollRows(async () => (await runsOf(correlationId)).filter((r) => r.status === 'failed'), {
      what: 'the lease to expire',
      timeoutMs: 60_000,
    });

  const startReplica = (env: Record<string, string>) =>
    h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), env);

  /** Publishes a retrain and kills `trainer` once it is saving the candidate; returns the run it left. */
  const killMidHandler = async (
    trainer: ServiceProcess,
    modelType: ModelType,
    beforeKill = async () => {},
  ) => {
    const artifacts = await LockHolder.hold('lock table model_artifacts in share mode');
    const retrain = retrainTrigger(tenantId, modelType, 'fault: process killed');
    await h.publish(retrain);
    const saving = await artifacts.blocked(
      h,
      /insert into "?model_artifacts/i,
      'the trainer to save its artifact',
    );
    await beforeKill();
    const exit = await trainer.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    // Its server process lives on, waiting for the lock; it goes with the connection's owner.
    await terminateBackend(h, saving.pid);
    await artifacts.release();
    const [run] = await runsOf(retrain.correlationId);
    return { retrain, run: run! };
  };

  it('redelivers the message to a new process, which takes over the run and handles it once', async () => {
    const first = await ServiceProcess.start('trainer', h.childEnv('trainer'));
    const { retrain, run } = await killMidHandler(first, 'assignment');
    // The dead process left its run in progress (lease still valid) and nothing else.
    expect(run.status).toBe('running');
    expect(
      await h.query(
        `select 1 from outbox where envelope->>'correlationId' = $1 and subject = 'model.trained'`,
        [retrain.correlationId],
      ),
    ).toEqual([]);

    const second = await ServiceProcess.start('trainer', h.childEnv('trainer'));
    const takeover = await second.waitFor(
      (l) =>
        l.msg === 'taking over the run left by an earlier delivery of this event' && l.eventId === retrain.id,
      'the new trainer to take the run over',
    );
    expect(takeover.runId).toBe(run.id);
    await second.waitFor((l) => l.msg === 'candidate trained' && l.eventId === retrain.id, 'the candidate');
    await h.rowsUntil(`select 1 from model_deployments where correlation_id = $1`, [retrain.correlationId], {
      what: 'the deployment',
      timeoutMs: 60_000,
    });
    expect((await second.kill('SIGTERM')).code).toBe(0);

    await checkInvariants(h, { tenants: [tenantId], since });
    expect(await runsOf(retrain.correlationId)).toEqual([{ id: run.id, status: 'completed', error: null }]);
    expect(
      await h.query(`select from_version, to_version from model_deployments where correlation_id = $1`, [
        retrain.correlationId,
      ]),
    ).toEqual([{ from_version: 1, to_version: 2 }]);
  }, 180_000);

  it('fails a run that never finishes when its lease expires, tells people, and frees the model', async () => {
    // One delivery only: the killed trainer's message is not redelivered (as after the last of its
    // deliveries), so nobody takes the run over; its lease is all that can end it.
    const env = { MAX_DELIVER: '1', TRAINING_LEASE_SECONDS: '5', LEASE_SWEEP_SECONDS: '1' };
    const doomed = await ServiceProcess.start('trainer', h.childEnv('trainer', env));
    let replica: Awaited<ReturnType<typeof startReplica>> | undefined;
    const { retrain, run } = await killMidHandler(doomed, 'timeline', async () => {
      // A second replica is up before the crash (its sweeper ends the run, its watcher parks the message).
      replica = await startReplica(env);
    });
    expect(run.status).toBe('running');

    const [failed] = await failedRuns(retrain.correlationId);
    expect(failed!.id).toBe(run.id);
    expect(failed!.error).toMatch(/^abandoned: no heartbeat since .* \(lease expired\)$/);
    // People are told, on every channel of the tenant's list.
    const told = await h.notified(retrain.correlationId, 'training.failed');
    expect(new Set(told.map((t) => t.channel))).toEqual(new Set(['email', 'in_app', 'slack', 'webhook']));
    expect(told.every((t) => t.severity === 'failure' && t.body.includes(run.id))).toBe(true);
    // The message itself is parked with the reason, not lost.
    const { state } = await h.streamHolds(h.topology.deadLetterStream, 1, { what: 'the dead letter' });
    const dead = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq: state.last_seq });
    expect(dead!.header.get(HDR.dlqReason)).toMatch(/no acknowledgment after 1 deliveries/);

    // The model is free: a new retrain starts a run of its own and finishes it.
    const again = retrainTrigger(tenantId, 'timeline', 'after the abandoned run');
    await h.publish(again);
    await pollUntil(async () => (await runsOf(again.correlationId)).some((r) => r.status === 'completed'), {
      what: 'the new run',
      timeoutMs: 60_000,
    });

    parked.push({ eventId: retrain.id, consumer: 'trainer__drift_detected', code: 'MAX_DELIVERIES' });
    await checkInvariants(h, { tenants: [tenantId], since, deadLetters: parked });
    expect((await runsOf(again.correlationId)).map((r) => r.status)).toEqual(['completed']);
    expect((await runsOf(retrain.correlationId)).map((r) => r.status)).toEqual(['failed']);
    await h.stopService(replica!);
  }, 180_000);

  it('does not let a trainer frozen past its lease complete the run that was failed meanwhile', async () => {
    // A trainer freezes (SIGSTOP: a stalled VM, a long pause) mid-handler, its lease expires and the run is
    // failed by another replica, then it wakes up (SIGCONT).
    const env = { MAX_DELIVER: '1', TRAINING_LEASE_SECONDS: '5', LEASE_SWEEP_SECONDS: '1' };
    const frozen = await ServiceProcess.start('trainer', h.childEnv('trainer', env));
    const artifacts = await LockHolder.hold('lock table model_artifacts in share mode');
    const retrain = retrainTrigger(tenantId, 'claim_outcome', 'fault: process frozen');
    await h.publish(retrain);
    await artifacts.blocked(h, /insert into "?model_artifacts/i, 'the trainer to save its artifact');
    frozen.child.kill('SIGSTOP');
    // A replica that sweeps expired leases; the message stays with the frozen process.
    const replica = await startReplica(env);
    const [abandoned] = await failedRuns(retrain.correlationId);
    await h.notified(retrain.correlationId, 'training.failed');
    const dlq = await h.streamHolds(h.topology.deadLetterStream, parked.length + 1, {
      what: 'the message to run out of deliveries',
    });
    expect(dlq.state.messages).toBe(parked.length + 1);

    frozen.child.kill('SIGCONT');
    await artifacts.release();
    // It finishes its handler, and must find the run no longer its own.
    const gaveUp = await frozen.waitFor(
      (l) => l.msg === 'message dead-lettered' && l.correlationId === retrain.correlationId,
      'the woken trainer to give the message up',
    );
    expect(gaveUp.code).toBe('LEASE_LOST');
    expect((await frozen.kill('SIGTERM')).code).toBe(0);
    await h.stopService(replica);

    // Parked once: the copy the replica made when the message ran out of deliveries.
    parked.push({ eventId: retrain.id, consumer: 'trainer__drift_detected', code: 'MAX_DELIVERIES' });
    await checkInvariants(h, { tenants: [tenantId], since, deadLetters: parked });
    // The run stays failed as abandoned; nothing of the woken handler was kept or announced.
    expect(await runsOf(retrain.correlationId)).toEqual([abandoned]);
    expect(
      await h.query(`select subject from outbox where envelope->>'correlationId' = $1`, [
        retrain.correlationId,
      ]),
    ).toEqual([{ subject: 'training.failed' }]);
    expect(
      // (Version 1's artifact is the seeder's.)
      await h.query(
        `select 1 from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version > 1`,
        [tenantId],
      ),
    ).toEqual([]);
  }, 180_000);
});
