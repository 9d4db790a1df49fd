import { MODEL_TYPES } from '@app/domain';
import { SchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { SchedulerModule } from '../../apps/scheduler/src/scheduler.module';
import { DAILY_JOB, SchedulerService } from '../../apps/scheduler/src/scheduler.service';
import { logicalDate } from '../../apps/scheduler/src/logical-date';
import { Harness, createTenant } from './support/harness';

// The daily job fires exactly once per logical date, whatever the number of replicas and restarts.
describe('scheduler', () => {
  const h = new Harness();
  const start = (env: Record<string, string> = {}) =>
    h.startService('scheduler', SchedulerConfig, (c, l) => SchedulerModule.forRoot(c, l), {
      SCHEDULE_ENABLED: 'false',
      ...env,
    });

  beforeAll(async () => {
    await h.start();
    await createTenant(h, 'tenant_sched_a');
    await createTenant(h, 'tenant_sched_b');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('fires once when two replicas fire at the same moment, and not again after a restart', async () => {
    const a = await start();
    const b = await start();
    const at = new Date('2031-05-04T06:00:00Z');
    const results = await Promise.all([
      a.app.get(SchedulerService).fire(at, 'cron'),
      b.app.get(SchedulerService).fire(at, 'cron'),
    ]);
    expect(results.filter((r) => r.fired)).toHaveLength(1);
    const tenants = (await h.query<{ n: number }>('select count(*)::int as n from tenants'))[0]!.n;
    // Per tenant: one drift check per model and one claim.outcomes.due.
    const perRun = tenants * (MODEL_TYPES.length + 1);
    expect(results.find((r) => r.fired)).toMatchObject({
      events: perRun,
      driftChecks: tenants * MODEL_TYPES.length,
      outcomesDue: tenants,
    });

    await h.stopService(a);
    const restarted = await start();
    expect(await restarted.app.get(SchedulerService).fire(at, 'cron')).toEqual({
      logicalDate: '2031-05-04',
      fired: false,
      events: 0,
      driftChecks: 0,
      outcomesDue: 0,
    });
    const runs = await h.query(
      `select job_name, triggered_by, events_published from scheduled_runs where logical_date = '2031-05-04'`,
    );
    expect(runs).toEqual([{ job_name: DAILY_JOB, triggered_by: 'cron', events_published: perRun }]);
    // Every event of the run reached the stream exactly once (ids derive from the run, Nats-Msg-Id dedupes).
    const info = await h.streamHolds(h.topology.eventsStream, perRun, {
      what: 'the run events in the stream',
    });
    expect(info.state.messages).toBe(perRun);
    const due = await h.query<{ tenant: string; date: string }>(
      `select envelope->>'tenantId' as tenant, envelope->'payload'->>'logicalDate' as date
         from outbox where subject = 'claim.outcomes.due' and envelope->'payload'->>'logicalDate' = '2031-05-04'
        order by 1`,
    );
    const ids = await h.query<{ id: string }>('select id from tenants order by id');
    expect(due).toEqual(ids.map((t) => ({ tenant: t.id, date: '2031-05-04' })));
  });

  it("runs the daily job by hand over HTTP: that day's checks (requestedBy schedule), forced on request, bad values refused", async () => {
    const s = await start();
    const run = (query: string) =>
      fetch(`${s.url}/jobs/${DAILY_JOB}/run?${query}`, { method: 'POST' }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { fired?: boolean; message?: string },
      }));
    expect(await run('at=2031-06-01T06:00:00Z&force=maybe')).toMatchObject({
      status: 400,
      body: { message: '"force" must be true or false, got maybe' },
    });
    expect(await run('at=yesterday')).toMatchObject({ status: 400 });
    expect(await run('at=2031-06-01T06:00:00Z')).toMatchObject({ status: 200, body: { fired: true } });
    expect(await run('at=2031-06-02T06:00:00Z&force=true')).toMatchObject({
      status: 200,
      body: { fired: true },
    });
    const checks = await h.query<{ date: string; requested_by: string; force: string | null }>(
      `select distinct envelope->'payload'->>'logicalDate' as date, envelope->'payload'->>'requestedBy' as requested_by,
              envelope->'payload'->>'force' as force
         from outbox where subject = 'drift.check.requested'
          and envelope->'payload'->>'logicalDate' in ('2031-06-01', '2031-06-02') order by 1`,
    );
    expect(checks).toEqual([
      { date: '2031-06-01', requested_by: 'schedule', force: null },
      { date: '2031-06-02', requested_by: 'schedule', force: 'true' },
    ]);
    await h.stopService(s);
  });

  it('catches up a missed run at start-up, once', async () => {
    // "0 0 * * *": today's run was due at midnight, before this scheduler started.
    const today = logicalDate(new Date(), 'UTC');
    await h.query(`delete from scheduled_runs where logical_date = $1`, [today]);
    await start({ SCHEDULE_ENABLED: 'true', SCHEDULE_CRON: '0 0 * * *', SCHEDULE_TIMEZONE: 'UTC' });
    const [run] = await h.rowsUntil(
      `select triggered_by from scheduled_runs where logical_date = $1`,
      [today],
      {
        what: 'the catch-up run',
      },
    );
    expect(run).toEqual({ triggered_by: 'catch_up' });
    const second = await start({
      SCHEDULE_ENABLED: 'true',
      SCHEDULE_CRON: '0 0 * * *',
      SCHEDULE_TIMEZONE: 'UTC',
    });
    expect(await second.app.get(SchedulerService).catchUp(new Date())).toMatchObject({ fired: false });
    expect(await h.query(`select 1 from scheduled_runs where logical_date = $1`, [today])).toHaveLength(1);
  });

  it('refuses a bad schedule configuration with the list of problems', async () => {
    await expect(start({ SCHEDULE_CRON: 'every day', SCHEDULE_TIMEZONE: 'Mars/Olympus' })).rejects.toThrow(
      /SCHEDULE_CRON must be a cron expression[\s\S]*SCHEDULE_TIMEZONE/,
    );
  });
});
