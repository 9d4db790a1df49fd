// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import type {
  ActionAccepted,
  AlertPage,
  AlertRow,
  DevUser,
  FleetPage,
  Histograms,
  Me,
  ModelDetail,
  Recipient,
} from '../../apps/console/src/api/types';
import { ConsoleConfig } from '../../apps/console/src/console.config';
import { ConsoleModule } from '../../apps/console/src/console.module';
import { configureConsole } from '../../apps/console/src/configure';
import { deployCopyAsV2, startConsoleStack } from './support/console-stack';
import { Harness } from './support/harness';
import { pollUntil } from './support/poll';

/** A browser's side of the console: its cookie jar (one session) and its CSRF token. */
class Browser {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: string | null } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.getSetCookie();
    for (const c of set) if (c.startsWith('ue_console_session=')) this.cookie = c.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  async signIn(userId: string): Promise<Me> {
    const r = await this.request<Me>('POST', '/auth/dev/login', { userId });
    expect(r.status).toBe(200);
    this.csrf = r.body.csrfToken;
    return r.body;
  }
}

// The operations console's API on real Postgres and NATS (issue 18): development sign-in, sessions and
// CSRF, the fleet and a model's page from real checks, the tenant scope of an admin (row-level
// security), alerts acknowledged through the notifier, a rollback carried out by the validator, a forced
// retrain asked of the drift monitor, recipients, and the live alert stream.
describe('console API', () => {
  const h = new Harness();
  const today = new Date().toISOString().slice(0, 10);
  const steady = 'tenant_93_0';
  const drifted = 'tenant_94_0';
  let base: string;

  beforeAll(async () => {
    await h.start();
    base = (await startConsoleStack(h, { steady: 93, drifted: 94, today })).consoleUrl;
  }, 240_000);
  afterAll(async () => {
    await h.stop();
  });

  async function devUsers(): Promise<DevUser[]> {
    const r = await new Browser(base).request<DevUser[]>('GET', '/auth/dev/users');
    expect(r.status).toBe(200);
    return r.body;
  }
  const adminOf = async (tenantId: string) => (await devUsers()).find((u) => u.tenantId === tenantId)!;

  it('answers 401 without a session, and lists who may sign in for development', async () => {
    const anonymous = new Browser(base);
    for (const path of ['/api/me', '/api/fleet', `/api/tenants/${steady}/models/claim_outcome`])
      expect((await anonymous.request('GET', path)).status).toBe(401);
    expect((await anonymous.request('GET', '/auth/config')).body).toEqual({ oidc: false, devLogin: true });
    const users = await devUsers();
    expect(users[0]).toMatchObject({ role: 'operator', tenantId: null });
    // Other files of the run seed tenants of their own in the same database: these two are among them.
    expect(users.filter((u) => u.role === 'tenant_admin').map((u) => u.tenantId)).toEqual(
      expect.arrayContaining([steady, drifted]),
    );
  });

  it('signs in with an HttpOnly, Secure, SameSite cookie whose token is stored only as a hash', async () => {
    const b = new Browser(base);
    const res = await fetch(`${base}/auth/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'dev-operator' }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ue_console_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const stored = await h.query(
      `select 1 from console_sessions where token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [token],
    );
    expect(stored).toHaveLength(1);
    expect(await h.query(`select 1 from console_sessions where token_hash = $1`, [token])).toHaveLength(0);
    const me = await b.signIn('dev-operator');
    expect(me).toMatchObject({ role: 'operator', tenantId: null, email: 'operator@union-eyes.example.org' });
    // Signing out ends the session on the server, not only in the browser.
    expect((await b.request('POST', '/auth/logout')).status).toBe(204);
    expect((await b.request('GET', '/api/me')).status).toBe(401);
  });

  it('shows an operator the whole fleet, worst first, with states from the real checks', async () => {
    const b = new Browser(base);
    await b.signIn('dev-operator');
    const r = await b.request<FleetPage>('GET', '/api/fleet?pageSize=500');
    expect(r.status).toBe(200);
    // Every tenant of the database (other files of the run seed theirs), four models each.
    const [tenants] = await h.query<{ n: number }>('select count(*)::int as n from tenants');
    expect(r.body.total).toBe(tenants!.n * MODEL_TYPES.length);
    const rowOf = async (t: string, m: ModelType) =>
      (await b.request<FleetPage>('GET', `/api/fleet?q=${t}&model=${m}`)).body.rows.find(
        (x) => x.tenantId === t && x.modelType === m,
      )!;
    // The drifted tenant's claim_outcome: inputs drifted and 7-day accuracy under 85% (the seeded drift).
    const hit = await rowOf(drifted, 'claim_outcome');
    expect(hit.lastCheck).toMatchObject({ logicalDate: today, decision: 'retrain' });
    expect(hit.openEpisode).toMatchObject({ status: 'open', startedOn: today });
    expect(['failing', 'drifting']).toContain(hit.state);
    expect(await rowOf(steady, 'claim_outcome')).toMatchObject({ state: 'healthy', activeVersion: 1 });
    // Worst first.
    const order = ['failing', 'retraining', 'drifting', 'awaiting_labels', 'healthy', 'unknown'];
    const ranks = r.body.rows.map((x) => order.indexOf(x.state));
    expect(ranks).toEqual([...ranks].sort((a, c) => a - c));
    expect(Object.values(r.body.counts).reduce((a, c) => a + c, 0)).toBe(r.body.total);
    // Search, filter and paging.
    const one = await b.request<FleetPage>('GET', `/api/fleet?q=${drifted}&model=timeline`);
    expect(one.body.rows.map((x) => [x.tenantId, x.modelType])).toEqual([[drifted, 'timeline']]);
    const healthy = await b.request<FleetPage>('GET', '/api/fleet?state=healthy&pageSize=2&page=2');
    expect(healthy.body.rows.length).toBeLessThanOrEqual(2);
    expect(healthy.body.rows.every((x) => x.state === 'healthy')).toBe(true);
    expect(healthy.body.total).toBe(r.body.counts.healthy);
    // Bad input: a clear 400, not a guess.
    const bad = await b.request<{ message: string[] }>('GET', '/api/fleet?state=on_fire&pageSize=9999');
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/state/);
  });

  it("draws a model's page from its checks, and a day's histograms from the drift monitor's own counts", async () => {
    const b = new Browser(base);
    await b.signIn('dev-operator');
    const r = await b.request<ModelDetail>('GET', `/api/tenants/${drifted}/models/claim_outcome`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tenantId: drifted,
      modelType: 'claim_outcome',
      activeVersion: 1,
      thresholds: { accuracy: 0.85, psi: 0.25 },
    });
    const [point] = r.body.checks;
    expect(point).toMatchObject({ logicalDate: today, version: 1, decision: 'retrain' });
    const [stored] = await h.query<{ max_psi: number }>(
      `select max_psi from drift_checks where tenant_id = $1 and model_type = 'claim_outcome'`,
      [drifted],
    );
    expect(Math.max(...Object.values(point!.psi))).toBeCloseTo(stored!.max_psi, 9);
    expect(point!.realized?.n).toBeGreaterThan(0);
    expect(r.body.episodes).toHaveLength(1);
    expect(r.body.deployments[0]).toMatchObject({ version: 1, active: true });

    const hist = await b.request<Histograms>(
      'GET',
      `/api/tenants/${drifted}/models/claim_outcome/histograms?date=${today}`,
    );
    expect(hist.status).toBe(200);
    expect(hist.body.version).toBe(1);
    for (const f of hist.body.features) {
      expect(f.psi).toBeCloseTo(point!.psi[f.feature]!, 9);
      expect(f.bins.reduce((s, x) => s + x.window, 0)).toBeCloseTo(1, 1);
    }
    expect(
      (await b.request('GET', `/api/tenants/${drifted}/models/claim_outcome/histograms?date=2001-01-01`))
        .status,
    ).toBe(404);
    expect(
      (await b.request('GET', `/api/tenants/${drifted}/models/claim_outcome/histograms?date=yesterday`))
        .status,
    ).toBe(400);
    expect((await b.request('GET', `/api/tenants/tenant_nobody/models/claim_outcome`)).status).toBe(404);
    expect((await b.request('GET', `/api/tenants/${drifted}/models/not_a_model`)).status).toBe(400);
  });

  it("keeps a tenant admin to their tenant: another tenant's pages, alerts and recipients are 404", async () => {
    const admin = await adminOf(steady);
    const b = new Browser(base);
    const me = await b.signIn(admin.userId);
    expect(me).toMatchObject({ role: 'tenant_admin', tenantId: steady });
    const fleet = await b.request<FleetPage>('GET', '/api/fleet');
    expect(new Set(fleet.body.rows.map((x) => x.tenantId))).toEqual(new Set([steady]));
    // Even a search for the other tenant finds nothing: the rows are not visible to this scope.
    expect((await b.request<FleetPage>('GET', `/api/fleet?q=${drifted}`)).body.total).toBe(0);
    expect((await b.request('GET', `/api/tenants/${drifted}/models/claim_outcome`)).status).toBe(404);
    expect((await b.request('GET', `/api/tenants/${steady}/models/claim_outcome`)).status).toBe(200);
    expect((await b.request('GET', `/api/tenants/${drifted}/recipients`)).status).toBe(404);
    expect((await b.request('GET', `/api/alerts?tenant=${drifted}`)).status).toBe(404);
    const alerts = await b.request<AlertPage>('GET', '/api/alerts?status=all');
    expect(alerts.body.rows.every((a) => a.tenantId === steady)).toBe(true);
    // Actions on another tenant: refused before anything is asked of anyone.
    const consoleOutbox = () =>
      h.query(`select id from outbox where source = 'console' and envelope->>'tenantId' = $1`, [drifted]);
    const outboxBefore = await consoleOutbox();
    expect(
      (await b.request('POST', `/api/tenants/${drifted}/models/claim_outcome/retrain`, { reason: 'tamper' }))
        .status,
    ).toBe(404);
    expect(await consoleOutbox()).toEqual(outboxBefore);
  });

  it("shows a model's shadow trials and a promotion's evidence, to the tenant's people only", async () => {
    // As the validator keeps them (issue 19), with known figures: v2 promoted over v1 (its deployment
    // carries the trial), then v3 on trial beside it. Nothing in this file checks steady's churn_risk again.
    const figures = {
      labelledPairs: 900,
      discordantPairs: 80,
      challengerWins: 55,
      logLikelihoodRatio: 3.12,
      alwaysValidP: 0.044,
      startedOn: '2026-10-01',
      decidedOn: '2026-10-21',
      days: 20,
    };
    const evidence = {
      ...figures,
      reason: 'v2 against v1: the challenger is better on live claims after 20 day(s)',
    };
    await h.query(
      `insert into model_challengers (tenant_id, model_type, challenger_version, champion_version, state, decision, reason,
                                      started_on, decided_on, labelled_pairs, discordant_pairs, challenger_wins,
                                      log_likelihood_ratio, always_valid_p, correlation_id, created_at)
       values ($1, 'churn_risk', 2, 1, 'promoted', 'promoted', $2, '2026-10-01', '2026-10-21', 900, 80, 55, 3.12, 0.044,
               'console-trial', now() - interval '40 days')`,
      [steady, evidence.reason],
    );
    await h.query(
      `insert into model_challengers (tenant_id, model_type, challenger_version, champion_version, state,
                                      started_on, evaluated_on, labelled_pairs, discordant_pairs, challenger_wins,
                                      log_likelihood_ratio, always_valid_p, correlation_id)
       values ($1, 'churn_risk', 3, 2, 'running', $2::date - 5, $2::date, 120, 14, 9, 0.41, 0.66, 'console-trial')`,
      [steady, today],
    );
    await h.query(
      `insert into model_deployments (tenant_id, model_type, from_version, to_version, reason, correlation_id, evidence)
       values ($1, 'churn_risk', 1, 2, 'promoted', 'console-trial', $2)`,
      [steady, JSON.stringify(evidence)],
    );

    const admin = new Browser(base);
    await admin.signIn((await adminOf(steady)).userId);
    const page = await admin.request<ModelDetail>('GET', `/api/tenants/${steady}/models/churn_risk`);
    expect(page.status).toBe(200);
    expect(page.body.shadow).toEqual({ threshold: Math.log(20), maxDays: 240 });
    expect(page.body.challengers).toEqual([
      expect.objectContaining({
        version: 3,
        championVersion: 2,
        state: 'running',
        decision: null,
        days: 5,
        labelledPairs: 120,
        discordantPairs: 14,
        challengerWins: 9,
        logLikelihoodRatio: 0.41,
      }),
      expect.objectContaining({
        version: 2,
        state: 'promoted',
        decision: 'promoted',
        decidedOn: '2026-10-21',
        days: 20,
        reason: evidence.reason,
      }),
    ]);
    expect(page.body.deployments.find((d) => d.reason === 'promoted')).toMatchObject({
      version: 2,
      fromVersion: 1,
      evidence: figures,
    });
    expect(page.body.deployments.filter((d) => d.reason !== 'promoted').map((d) => d.evidence)).toEqual(
      page.body.deployments.filter((d) => d.reason !== 'promoted').map(() => null),
    );
    const fleet = await admin.request<FleetPage>('GET', '/api/fleet?model=churn_risk');
    expect(fleet.body.rows.map((r) => [r.tenantId, r.challengerVersion])).toEqual([[steady, 3]]);

    // Another tenant's admin: the page is 404, and no fleet row it sees shows the challenger.
    const other = new Browser(base);
    await other.signIn((await adminOf(drifted)).userId);
    expect((await other.request('GET', `/api/tenants/${steady}/models/churn_risk`)).status).toBe(404);
    const theirs = await other.request<FleetPage>('GET', '/api/fleet?pageSize=500');
    expect(theirs.body.rows.every((r) => r.tenantId === drifted && r.challengerVersion === null)).toBe(true);
  });

  it('acknowledges an alert (every delivery of its message) through the notifier, once, and refuses a change without the CSRF token', async () => {
    // The drifted tenant's episodes opened today: their digest went out at once (DIGEST_HOLD_SECONDS 0),
    // one delivery per recipient and channel, one alert.
    const [alert] = await h.rowsUntil<{ id: string; deliveries: number }>(
      `select event_id as id, count(*)::int as deliveries from ml_retraining_notifications
        where tenant_id = $1 and severity in ('warning', 'failure') group by event_id order by min(created_at) limit 1`,
      [drifted],
      { what: "the drifted tenant's alert", timeoutMs: 30_000 },
    );
    expect(alert!.deliveries).toBeGreaterThan(1);
    const acksOf = () =>
      h.query<{ acknowledged_by: string; note: string }>(
        `select a.acknowledged_by, a.note from ml_alert_acknowledgments a
           join ml_retraining_notifications n on n.id = a.notification_id where n.event_id = $1`,
        [alert!.id],
      );
    const admin = await adminOf(drifted);
    const b = new Browser(base);
    await b.signIn(admin.userId);
    const page = await b.request<AlertPage>('GET', '/api/alerts');
    const row = page.body.rows.find((a) => a.id === alert!.id)!;
    expect(row.deliveries).toHaveLength(alert!.deliveries);
    // A tenant's four checks of a day commit together (issue 20), and with no hold the digest may go out
    // before all their items are in: the first digest lists some of the drifted models, whichever.
    expect(row.models.length).toBeGreaterThan(0);
    expect(page.body.unacknowledged).toBeGreaterThan(0);
    // The fleet counts the digest for every model it lists.
    const fleet = await b.request<FleetPage>('GET', `/api/fleet?q=${drifted}&model=${row.models[0]}`);
    expect(fleet.body.rows[0]!.unacknowledgedAlerts).toBeGreaterThan(0);

    const path = `/api/alerts/${alert!.id}/ack`;
    expect((await b.request('POST', path, { note: 'x' }, { csrf: null })).status).toBe(403);
    expect((await b.request('POST', path, { note: 'x' }, { csrf: 'forged' })).status).toBe(403);
    expect(await acksOf()).toHaveLength(0);

    const acked = await b.request<AlertRow>('POST', path, { note: 'looking into it' });
    expect(acked.status).toBe(200);
    expect(acked.body.acknowledged).toMatchObject({ by: admin.email, note: 'looking into it' });
    const again = await b.request<AlertRow>('POST', path, { note: 'second' });
    expect(again.body.acknowledged).toMatchObject({ by: admin.email, note: 'looking into it' });
    const acks = await acksOf();
    expect(acks).toHaveLength(alert!.deliveries);
    expect(new Set(acks.map((a) => `${a.acknowledged_by}/${a.note}`))).toEqual(
      new Set([`${admin.email}/looking into it`]),
    );
    // Another tenant's admin cannot acknowledge it (nor learn it exists).
    const other = new Browser(base);
    await other.signIn((await adminOf(steady)).userId);
    expect((await other.request('POST', path, {})).status).toBe(404);
    expect((await b.request('POST', '/api/alerts/not-a-uuid/ack', {})).status).toBe(400);
  });

  it('rolls a model back through the validator, recording who asked and why; refuses what the rules refuse', async () => {
    await deployCopyAsV2(h, drifted, 'timeline', 'console-test');
    const b = new Browser(base);
    await b.signIn('dev-operator');
    const url = `/api/tenants/${drifted}/models/timeline/rollback`;
    expect((await b.request('POST', url, { toVersion: 2, reason: 'already there' })).status).toBe(409);
    expect((await b.request('POST', url, { toVersion: 99, reason: 'no such version' })).status).toBe(404);
    expect((await b.request('POST', url, { toVersion: 'one', reason: 'x' })).status).toBe(400);
    expect((await b.request('POST', url, { toVersion: 1 })).status).toBe(400);
    expect(
      await h.query(
        `select id from outbox where source = 'console' and subject = 'model.rollback.requested' and envelope->>'tenantId' = $1`,
        [drifted],
      ),
    ).toHaveLength(0);

    const r = await b.request<ActionAccepted>('POST', url, { toVersion: 1, reason: 'v2 misbehaves' });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: true, action: 'rollback' });
    await pollUntil(
      async () =>
        (
          await h.query<{ model_version: number }>(
            `select model_version from model_metadata where tenant_id = $1 and model_type = 'timeline' and is_active`,
            [drifted],
          )
        )[0]?.model_version === 1,
      { what: 'v1 active again' },
    );
    const [deployment] = await h.query(
      `select from_version, to_version, reason, correlation_id from model_deployments where tenant_id = $1 and model_type = 'timeline' order by deployed_at desc limit 1`,
      [drifted],
    );
    expect(deployment).toEqual({
      from_version: 2,
      to_version: 1,
      reason: 'rollback',
      correlation_id: r.body.correlationId,
    });
    const [request] = await h.query<{ by: string; reason: string }>(
      `select envelope->'payload'->>'requestedBy' as by, envelope->'payload'->>'reason' as reason from outbox where id = $1`,
      [r.body.correlationId],
    );
    expect(request).toEqual({ by: 'console:operator@union-eyes.example.org', reason: 'v2 misbehaves' });
    // The model's page shows the deployment history, the rollback first.
    const page = await b.request<ModelDetail>('GET', `/api/tenants/${drifted}/models/timeline`);
    expect(page.body.deployments.slice(0, 2)).toEqual([
      expect.objectContaining({ version: 1, fromVersion: 2, reason: 'rollback', active: true }),
      expect.objectContaining({ version: 2, fromVersion: 1, reason: 'validated', active: false }),
    ]);
  });

  it('asks the drift monitor for a forced retrain of one model', async () => {
    const b = new Browser(base);
    await b.signIn((await adminOf(steady)).userId);
    const r = await b.request<ActionAccepted>('POST', `/api/tenants/${steady}/models/assignment/retrain`, {
      reason: 'new union contract',
    });
    expect(r.status).toBe(202);
    // The drift monitor answers the forced check (a retrain, said to be forced by the console).
    const [check] = await h.rowsUntil<{ decision: string; reasons: string[] }>(
      `select decision, reasons from drift_checks where correlation_id = $1`,
      [r.body.correlationId],
      { what: 'the forced check' },
    );
    expect(check!.decision).toBe('retrain');
    expect(check!.reasons).toContain('retraining forced by console');
  });

  it('manages recipients through the notifier, in the tenant of the signed-in admin', async () => {
    const b = new Browser(base);
    await b.signIn((await adminOf(steady)).userId);
    const path = `/api/tenants/${steady}/recipients`;
    const added = await b.request<Recipient>('POST', path, {
      name: 'On call',
      channel: 'email',
      address: 'oncall@local-93.example.org',
      eventKinds: ['failures'],
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: 'On call',
      channel: 'email',
      eventKinds: ['failures'],
      active: true,
    });
    const list = await b.request<Recipient[]>('GET', path);
    expect(list.body.find((x) => x.id === added.body.id)).toMatchObject({ name: 'On call', active: true });
    const url = await b.request<{ message: string }>('POST', path, {
      name: 'Hook',
      channel: 'slack',
      address: 'https://hooks.example.org/x',
      eventKinds: ['failures'],
    });
    expect(url.status).toBe(400);
    // The other tenant's admin cannot remove it.
    const other = new Browser(base);
    await other.signIn((await adminOf(drifted)).userId);
    expect(
      (await other.request('DELETE', `/api/tenants/${drifted}/recipients/${added.body.id}`)).status,
    ).toBe(404);
    expect((await b.request('DELETE', `${path}/${added.body.id}`)).status).toBe(204);
    expect((await b.request<Recipient[]>('GET', path)).body.map((x) => x.id)).not.toContain(added.body.id);
  });

  it('streams new alerts of the signed-in scope as server-sent events', async () => {
    const b = new Browser(base);
    await b.signIn((await adminOf(drifted)).userId);
    const me = await b.request<Me>('GET', '/api/me');
    expect(me.status).toBe(200);
    const cookie = b.cookie;
    const controller = new AbortController();
    const res = await fetch(`${base}/api/alerts/stream`, { headers: { cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    // A new failure for the drifted tenant (as the notifier stores one), and one for the other tenant.
    const insert = (tenantId: string, subject: string) =>
      h.query(
        `insert into ml_retraining_notifications (tenant_id, event_id, event_type, model_type, severity, channel, recipient, subject, body, status, correlation_id)
         values ($1, gen_random_uuid(), 'training.failed', 'timeline', 'failure', 'in_app', 'someone', $2, 'body', 'sent', 'console-stream')`,
        [tenantId, subject],
      );
    await new Promise((r) => setTimeout(r, 300));
    await insert(steady, 'not yours');
    await insert(drifted, 'training failed for timeline');
    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!text.includes('training failed for timeline') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: alert/);
    expect(text).toContain('training failed for timeline');
    expect(text).not.toContain('not yours');
  });

  it('ends its live streams when it shuts down, so that a connected browser does not hold it up', async () => {
    const second = await h.startService(
      'console',
      ConsoleConfig,
      (c, l) => ConsoleModule.forRoot(c, l),
      { CONSOLE_DEV_LOGIN: 'true' },
      configureConsole,
    );
    const b = new Browser(second.url);
    await b.signIn('dev-operator');
    const res = await fetch(`${second.url}/api/alerts/stream`, { headers: { cookie: b.cookie } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const started = Date.now();
    await h.stopService(second);
    // Without ending the streams, closing waits for the browser (the process's grace period, 25 s).
    expect(Date.now() - started).toBeLessThan(2000);
    // The stream has ended for the browser too (an EventSource would reconnect).
    let done = false;
    while (!done) done = (await reader.read()).done;
  });

  it('serves its OpenAPI document', async () => {
    const r = await fetch(`${base}/api/docs/json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/fleet',
        '/api/alerts/{id}/ack',
        '/api/tenants/{tenantId}/models/{modelType}/rollback',
      ]),
    );
  });
});
