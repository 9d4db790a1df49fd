// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { ConfigError } from '@app/common';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { SchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { SchedulerModule } from '../../apps/scheduler/src/scheduler.module';
import { DAILY_JOB } from '../../apps/scheduler/src/scheduler.service';
import { createTenant, Harness } from './support/harness';

const TOKEN = 'a-service-token-for-the-tests-0123456789';

// The services' HTTP actions are for holders of the service token, and /health and /metrics can answer on
// a port of their own (issue 18): what a network policy or an Ingress needs to open one and not the other.
describe('HTTP actions and the ops port', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start();
    await createTenant(h, 'tenant_ports_a');
  });
  afterAll(async () => {
    await h.stop();
  });

  const status = async (url: string, init: RequestInit = {}) => (await fetch(url, init)).status;

  it("keeps the notifier's actions to the token's holders and its probes and metrics to the ops port", async () => {
    const n = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
      SERVICE_TOKEN: TOKEN,
      OPS_PORT: '0',
    });
    expect(n.opsUrl).not.toBe(n.url);
    // Probes and Prometheus: on the ops port only.
    expect(await status(`${n.opsUrl}/health/ready`)).toBe(200);
    expect(await status(`${n.opsUrl}/health/live`)).toBe(200);
    expect(await status(`${n.opsUrl}/metrics`)).toBe(200);
    expect(await status(`${n.url}/health/ready`)).toBe(404);
    expect(await status(`${n.url}/metrics`)).toBe(404);
    // Actions: on the service's port only, and only with the token.
    const list = `/recipients?tenant=tenant_ports_a`;
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
    expect(await status(`${n.url}${list}`)).toBe(401);
    expect(await status(`${n.url}${list}`, bearer('not-the-token'))).toBe(401);
    expect(await status(`${n.url}${list}`, bearer(TOKEN))).toBe(200);
    expect(await status(`${n.opsUrl}${list}`, bearer(TOKEN))).toBe(404);
    const ack = `${n.url}/alerts/00000000-0000-4000-8000-000000000000/ack`;
    const post = (headers: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ by: 'someone' }),
    });
    expect(await status(ack, post({}))).toBe(401);
    // Past the guard: the notification does not exist.
    expect(await status(ack, post({ authorization: `Bearer ${TOKEN}` }))).toBe(404);
    await h.stopService(n);
    // Closed with the service: nothing answers on the ops port any more.
    await expect(fetch(`${n.opsUrl}/health/live`)).rejects.toThrow();
  });

  it("keeps the scheduler's manual run to the token's holders", async () => {
    const s = await h.startService('scheduler', SchedulerConfig, (c, l) => SchedulerModule.forRoot(c, l), {
      SCHEDULE_ENABLED: 'false',
      SERVICE_TOKEN: TOKEN,
    });
    const run = `${s.url}/jobs/${DAILY_JOB}/run?at=2031-07-01T06:00:00Z`;
    expect(await status(run, { method: 'POST' })).toBe(401);
    expect(await h.query(`select 1 from scheduled_runs where logical_date = '2031-07-01'`)).toHaveLength(0);
    expect(await status(run, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).toBe(200);
    expect(await h.query(`select 1 from scheduled_runs where logical_date = '2031-07-01'`)).toHaveLength(1);
    // Without OPS_PORT, the probes answer on the service's port as before.
    expect(s.opsUrl).toBe(s.url);
    expect(await status(`${s.url}/health/ready`)).toBe(200);
  });

  it('refuses to start in production without a token, or with the ops port on the service port', async () => {
    const start = (env: Record<string, string>) =>
      h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), env);
    await expect(start({ NODE_ENV: 'production' })).rejects.toThrow(ConfigError);
    await expect(start({ NODE_ENV: 'production' })).rejects.toThrow(/SERVICE_TOKEN: at least 24 characters/);
    await expect(start({ HTTP_PORT: '39123', OPS_PORT: '39123' })).rejects.toThrow(/OPS_PORT: must differ/);
  });
});
