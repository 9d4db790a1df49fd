import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { publishEnvelope } from '@app/messaging';
import { SchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { SchedulerModule } from '../../apps/scheduler/src/scheduler.module';
import { SchedulerService } from '../../apps/scheduler/src/scheduler.service';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { pollUntil } from '../integration/support/poll';
import { startAllServices } from '../integration/support/services';
import { FaultHarness, seedTenant } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { LockHolder, terminateBackend } from './support/pg-locks';
import { retrainTrigger } from '../integration/support/retrain';

// Messages that come twice, late or out of order: redeliveries, a publisher's retries, two schedulers.
describe('faults: duplicate, late and out-of-order messages', () => {
  const h = new FaultHarness();
  let tenantId: string;
  let since: Date;
  let services: Awaited<ReturnType<typeof startAllServices>>;

  beforeAll(async () => {
    await h.start();
    since = await databaseNow(h);
    tenantId = await seedTenant(7501);
    services = await startAllServices(h);
  }, 120_000);
  afterAll(async () => {
    await LockHolder.releaseAll();
    await h.stop();
  }, 120_000);

  const retrain = (modelType: 'assignment' | 'timeline') =>
    retrainTrigger(tenantId, modelType, 'fault: duplicates');
  const deployments = (correlationId: string) =>
    h.query(`select from_version, to_version from model_deployments where correlation_id = $1`, [
      correlationId,
    ]);

  it('trains, deploys and notifies once when the same event is delivered twice', async () => {
    const e = retrain('assignment');
    // Two Nats-Msg-Ids: JetStream stores both, so every consumer really receives the event twice.
    await h.publish(e, `first-${e.id}`);
    await h.publish(e, `second-${e.id}`);
    await pollUntil(
      async () =>
        (await deployments(e.correlationId)).length > 0 &&
        h.logLine('duplicate event ignored (already processed)', e.id),
      { what: 'the deployment and the second delivery ignored', timeoutMs: 60_000 },
    );
    const report = await checkInvariants(h, { tenants: [tenantId], since });
    expect(report.copies.get(e.id)).toBe(2);
    expect(
      await h.query(`select status from ml_model_training_runs where trigger_event_id = $1`, [e.id]),
    ).toEqual([{ status: 'completed' }]);
    expect(await deployments(e.correlationId)).toEqual([{ from_version: 1, to_version: 2 }]);
  }, 180_000);

  it('stores a publisher retry with the same Nats-Msg-Id once, and handles it once', async () => {
    const check = createEnvelope(
      'drift.check.requested',
      { modelType: 'churn_risk', logicalDate: '2034-01-02', requestedBy: 'test' },
      { tenantId },
    );
    // A publisher whose first attempt's answer was lost retries within the 2-minute window.
    const first = await publishEnvelope(h.js, h.topology, check);
    const retry = await publishEnvelope(h.js, h.topology, check);
    expect(first.duplicate).toBe(false);
    expect(retry).toMatchObject({ duplicate: true, seq: first.seq });
    const report = await checkInvariants(h, { tenants: [tenantId], since });
    expect(report.copies.get(check.id)).toBe(1);
    expect(
      await h.query(`select 1 from drift_checks where correlation_id = $1`, [check.correlationId]),
    ).toHaveLength(1);
  }, 180_000);

  it('never deploys a stale candidate that arrives after a newer one', async () => {
    // Two candidates of one model, v2 then v3, wait for a validator that is down.
    await h.stopService(services.validator);
    const older = retrain('timeline');
    const newer = retrain('timeline');
    await h.publish(older);
    const v2 = await h.published(older.correlationId, 'model.trained');
    await h.publish(newer);
    const v3 = await h.published(newer.correlationId, 'model.trained');
    expect([v2.payload.candidateVersion, v3.payload.candidateVersion]).toEqual([2, 3]);

    // The validator comes back and takes v2 first; its connection dies while it waits for the deployment
    // lock, so v2 goes back to the stream (retried 5 s later) and v3 overtakes it.
    const lock = await LockHolder.hold(
      `select pg_advisory_xact_lock(hashtext('deploy:' || $1 || ':' || 'timeline'))`,
      [tenantId],
    );
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l), {
      RETRY_BASE_MS: '5000',
    });
    const waiting = await lock.blocked(
      h,
      /pg_advisory_xact_lock/,
      'the validator to wait for the deployment lock',
    );
    await terminateBackend(h, waiting.pid);
    await pollUntil(async () => h.logLine('handler failed; will retry', v2.id), {
      what: 'v2 to be given back',
    });
    await lock.release();
    await pollUntil(async () => h.logLine('stale candidate ignored', v2.id), {
      what: 'the late v2 to be judged',
      timeoutMs: 60_000,
    });

    await checkInvariants(h, { tenants: [tenantId], since });
    expect(
      await h.query(
        `select model_version, is_active from model_metadata where tenant_id = $1 and model_type = 'timeline' order by model_version`,
        [tenantId],
      ),
    ).toEqual([
      { model_version: 1, is_active: false },
      { model_version: 3, is_active: true },
    ]);
    expect(await deployments(newer.correlationId)).toEqual([{ from_version: 1, to_version: 3 }]);
    expect(await deployments(older.correlationId)).toEqual([]);
    const [stale] = await h.query<{
      result: { passed: boolean; gates: { name: string; passed: boolean }[] };
    }>(`select result from model_validations where training_run_id = $1`, [v2.payload.runId]);
    expect(stale!.result).toMatchObject({
      passed: false,
      gates: [{ name: 'newer_than_active', passed: false }],
    });
    // People are told the late candidate was rejected and why.
    const [rejection] = await h.query<{ severity: string; body: string }>(
      `select severity, body from ml_retraining_notifications where correlation_id = $1 and event_type = 'model.validated' limit 1`,
      [older.correlationId],
    );
    expect(rejection!.severity).toBe('failure');
    expect(rejection!.body).toContain('candidate v2 is not newer than active v3');
  }, 180_000);

  it('fires the daily check once when two schedulers fire at the same moment, again and again', async () => {
    const second = await h.startService(
      'scheduler',
      SchedulerConfig,
      (c, l) => SchedulerModule.forRoot(c, l),
      {
        SCHEDULE_ENABLED: 'false',
      },
    );
    const at = new Date('2034-02-03T02:00:00Z');
    const results = await Promise.all(
      [services.scheduler, second, services.scheduler, second].map((s) =>
        s.app.get(SchedulerService).fire(at, 'cron'),
      ),
    );
    expect(results.filter((r) => r.fired)).toHaveLength(1);
    // One drift check per tenant and model (the run also publishes one claim.outcomes.due per tenant).
    const { driftChecks: events } = results.find((r) => r.fired)!;
    const [{ n }] = (await h.query<{ n: number }>('select count(*)::int as n from tenants')) as [
      { n: number },
    ];
    expect(events).toBe(n * 4);
    expect(
      await h.query(`select triggered_by from scheduled_runs where logical_date = '2034-02-03'`),
    ).toEqual([{ triggered_by: 'cron' }]);
    const report = await checkInvariants(h, { tenants: [tenantId], since });
    const fired = report.events.filter(
      (e) =>
        e.envelope?.type === 'drift.check.requested' &&
        (e.envelope as Envelope<'drift.check.requested'>).payload.logicalDate === '2034-02-03',
    );
    expect(fired).toHaveLength(events);
    expect(await h.query(`select 1 from drift_checks where logical_date = '2034-02-03'`)).toHaveLength(
      events,
    );
  }, 180_000);
});
