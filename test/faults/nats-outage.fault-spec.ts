import { DriftMonitorConfig } from '../../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../../apps/drift-monitor/src/drift-monitor.module';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { forcedDriftCheck } from '../integration/support/retrain';
import { PrivateNatsServer } from '../support/nats-server';
import { FaultHarness, seedTenant } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { LockHolder, terminateBackend } from './support/pg-locks';
import { ensureBuilt, ServiceProcess } from './support/service-process';

// NATS goes away while work is in flight: a private nats-server (its own port and JetStream store) is
// stopped and started again under running services; the shared server is never touched.
describe('faults: NATS outage', () => {
  const nats = new PrivateNatsServer();
  let h: FaultHarness;
  let tenantId: string;
  let since: Date;

  beforeAll(async () => {
    await ensureBuilt();
    await nats.start();
    h = new FaultHarness({ natsUrl: nats.url() });
    await h.start();
    since = await databaseNow(h);
    tenantId = await seedTenant(7101);
    // Every consumer of the pipeline, in this process. No scheduler here: the scheduler of the second
    // case runs as a process of its own, and another scheduler's outbox relay would publish its rows.
    await h.startService('drift-monitor', DriftMonitorConfig, (c, l) => DriftMonitorModule.forRoot(c, l));
    await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l));
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l));
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
  }, 120_000);
  afterAll(async () => {
    await ServiceProcess.killAll();
    await LockHolder.releaseAll();
    await h?.stop();
    await nats.dispose();
  }, 120_000);

  it('completes the pipeline once when NATS stops and restarts between drift.detected and model.trained', async () => {
    const check = forcedDriftCheck(tenantId, 'assignment');
    // The trainer stops at saving its candidate's artifact: drift.detected is consumed, model.trained
    // not yet written.
    const artifacts = await LockHolder.hold('lock table model_artifacts in share mode');
    await h.publish(check);
    await artifacts.blocked(h, /insert into "?model_artifacts/i, 'the trainer to save its artifact');
    const [run] = await h.query<{ id: string; trigger_event_id: string; status: string }>(
      `select id, trigger_event_id, status from ml_model_training_runs where correlation_id = $1`,
      [check.correlationId],
    );
    expect(run!.status).toBe('running');

    const back = h.nextReconnect();
    await nats.stop();
    await artifacts.release();
    // The trainer commits its work with NATS down: model.trained waits in the outbox, unpublished, and the
    // relay records why.
    const [pending] = await h.rowsUntil<{ published_at: Date | null; last_error: string | null }>(
      `select published_at, last_error from outbox where subject = 'model.trained' and envelope->>'correlationId' = $1`,
      [check.correlationId],
      {
        until: (rows) => !!rows[0]?.last_error,
        what: 'a failed publish of model.trained',
        timeoutMs: 60_000,
      },
    );
    expect(pending!.published_at).toBeNull();

    await nats.start();
    await back;
    await h.notified(check.correlationId, 'model.deployed');

    const report = await checkInvariants(h, { tenants: [tenantId], since });
    const runs = await h.query<{ id: string; status: string }>(
      `select id, status from ml_model_training_runs where correlation_id = $1`,
      [check.correlationId],
    );
    expect(runs).toEqual([{ id: run!.id, status: 'completed' }]);
    expect(
      await h.query(
        `select from_version, to_version, reason from model_deployments where correlation_id = $1`,
        [check.correlationId],
      ),
    ).toEqual([{ from_version: 1, to_version: 2, reason: 'validated' }]);
    expect(
      await h.query(
        `select model_version from model_metadata where tenant_id = $1 and model_type = 'assignment' and is_active`,
        [tenantId],
      ),
    ).toEqual([{ model_version: 2 }]);
    // Every step of this pipeline reached the stream once.
    const types = report.events
      .filter((e) => e.envelope?.correlationId === check.correlationId)
      .map((e) => e.envelope!.type)
      .sort();
    expect(types).toEqual([
      'drift.check.requested',
      'drift.checked',
      'drift.detected',
      'model.deployed',
      'model.trained',
      'model.validated',
    ]);
  }, 180_000);

  it('publishes, after a crash between the commit and the publish, every outbox row once (Nats-Msg-Id dedupes)', async () => {
    const schedulerEnv = h.childEnv('scheduler', { SCHEDULE_ENABLED: 'false' });
    // The daily run's events in the stream: a drift check per model and the tenant's claim.outcomes.due.
    const daily = new Set([
      h.topology.subject('drift.check.requested'),
      h.topology.subject('claim.outcomes.due'),
    ]);
    const inStream = async () => {
      const info = await h.jsm.streams.info(h.topology.eventsStream, { subjects_filter: '>' });
      return Object.entries(info.state.subjects ?? {})
        .filter(([subject]) => daily.has(subject))
        .reduce((a, [, n]) => a + n, 0);
    };
    const before = await inStream();
    const first = await ServiceProcess.start('scheduler', schedulerEnv);
    // The run commits (scheduled_runs and its outbox rows in one transaction) while NATS is down; then
    // the scheduler dies before anything could be published.
    const back = h.nextReconnect();
    await nats.stop();
    const fired = await fetch(`${first.url}/jobs/daily-drift-check/run?at=2033-03-07T03:00:00Z`, {
      method: 'POST',
    });
    const result = (await fired.json()) as { fired: boolean; events: number };
    expect(result.fired).toBe(true);
    await first.kill('SIGKILL');
    const ids = (
      await h.query<{ id: string }>(
        `select o.id::text from outbox o where o.source = 'scheduler' and o.envelope->'payload'->>'logicalDate' = '2033-03-07'`,
      )
    ).map((r) => r.id);
    expect(ids).toHaveLength(result.events);
    const unpublished = await h.query(
      `select 1 from outbox where id = any($1::uuid[]) and published_at is null`,
      [ids],
    );
    expect(unpublished).toHaveLength(ids.length);
    // Its server process goes with it: the rows its relay held (FOR UPDATE) are free for the next one.
    await h.rowsUntil(`select id from outbox where id = any($1::uuid[]) for update skip locked`, [ids], {
      until: (rows) => rows.length === ids.length,
      what: 'the dead relay to let go of its rows',
    });

    // The next scheduler publishes the rows, then dies before it can mark them published: the marking
    // waits for a table lock of the test's, and the process is killed meanwhile.
    const outbox = await LockHolder.hold('lock table outbox in share mode');
    await nats.start();
    await back;
    const second = await ServiceProcess.start('scheduler', schedulerEnv);
    const marking = await outbox.blocked(
      h,
      /update "?outbox"? set "?published_at/i,
      'the relay to mark its rows',
    );
    // Some (up to a batch) are in the stream, none is marked published.
    expect(await inStream()).toBeGreaterThan(before);
    await second.kill('SIGKILL');
    await terminateBackend(h, marking.pid);
    await outbox.release();
    expect(
      await h.query(`select 1 from outbox where id = any($1::uuid[]) and published_at is null`, [ids]),
    ).toHaveLength(ids.length);

    // A third scheduler publishes every row again; JetStream drops the copies it already holds.
    const third = await ServiceProcess.start('scheduler', schedulerEnv);
    await h.rowsUntil(`select 1 from outbox where id = any($1::uuid[]) and published_at is null`, [ids], {
      until: (rows) => rows.length === 0,
      what: 'the outbox to drain',
      timeoutMs: 60_000,
    });
    const metrics = await (await fetch(`${third.url}/metrics`)).text();
    const republished = [
      ...metrics.matchAll(
        // The daily run's events: a drift check per model and the tenant's claim.outcomes.due.
        /^ue_outbox_published_total\{[^}]*subject="(?:drift\.check\.requested|claim\.outcomes\.due)"[^}]*\} (\d+)$/gm,
      ),
    ]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
    expect(republished).toBe(ids.length);
    expect(await inStream()).toBe(before + ids.length);

    const report = await checkInvariants(h, { tenants: [tenantId], since });
    for (const id of ids) expect(report.copies.get(id)).toBe(1);
    expect(
      await h.query(`select triggered_by from scheduled_runs where logical_date = '2033-03-07'`),
    ).toEqual([{ triggered_by: 'manual' }]);
    await third.kill('SIGTERM');
  }, 180_000);
});
