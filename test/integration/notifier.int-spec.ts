import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import {
  acknowledgmentOf,
  inPlatformTransaction,
  notificationById,
  notificationsOfCorrelation,
  unacknowledgedAlertCounts,
  unacknowledgedAlerts,
} from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { runCli } from '../../apps/cli/src/main';
import { Channels, signature } from '../../apps/notifier/src/channels';
import type { RenderedMessage } from '../../apps/notifier/src/channels';
import type { Delivery } from '../../apps/notifier/src/deliveries.repository';
import { Dispatcher } from '../../apps/notifier/src/dispatcher';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { Harness } from './support/harness';
import { pollRows, pollUntil } from './support/poll';
import { HttpSink, SmtpSink } from './support/sinks';

// Notifications delivered to a real SMTP server and a real HTTP endpoint.
describe('notifier', () => {
  const h = new Harness();
  const smtp = new SmtpSink();
  const web = new HttpSink();
  const SMTP_PASSWORD = 'smtp-pa55word-do-not-log';
  const SIGNING_KEY = 'webhook-signing-key-do-not-log';
  let notifier: Awaited<ReturnType<Harness['startService']>>;
  let slackPaths: Record<string, string>;

  beforeAll(async () => {
    await h.start();
    await smtp.start();
    await web.start();
    slackPaths = Object.fromEntries(
      ['ok', 'flaky', 'limited', 'gone', 'hang'].map((k) => [
        k,
        `${web.url}/slack/${k}/T000-secret-path-${k}`,
      ]),
    );
    notifier = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
      SMTP_URL: `smtp://ml-alerts:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
      SLACK_WEBHOOKS: JSON.stringify(slackPaths),
      WEBHOOKS: JSON.stringify({ ops: { url: `${web.url}/hook/ok`, secret: SIGNING_KEY } }),
      NOTIFY_TIMEOUT_MS: '500',
      NOTIFY_RETRY_BASE_MS: '100',
      NOTIFY_POLL_MS: '50',
      REMINDER_AFTER_SECONDS: '1',
      REMINDER_SWEEP_SECONDS: '3600',
      // The digest of a day that has come goes out a second after its first item (days to come never do).
      DIGEST_HOLD_SECONDS: '1',
      DIGEST_SWEEP_MS: '200',
    });
  });
  afterAll(async () => {
    await h.stop();
    await smtp.stop();
    await web.stop();
  });

  const addRecipients = async (tenantId: string, rows: [string, string, string[]][]) => {
    await h.query(`insert into tenants (id, name, union_local) values ($1, $1, $1) on conflict do nothing`, [
      tenantId,
    ]);
    for (const [channel, address, kinds] of rows) {
      await h.query(
        `insert into notification_recipients (tenant_id, name, channel, address, event_kinds) values ($1, $2, $3, $4, $5::jsonb)`,
        [tenantId, address, channel, address, JSON.stringify(kinds)],
      );
    }
  };
  type Row = {
    id: string;
    channel: string;
    recipient: string;
    status: string;
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
    subject: string;
    body: string;
    is_reminder: boolean;
  };
  const rowsOf = (correlationId: string) =>
    h.query<Row>(
      `select id, channel, recipient, status, attempts, last_error, sent_at, subject, body, is_reminder from ml_retraining_notifications where correlation_id = $1 order by channel, recipient`,
      [correlationId],
    );
  const settled = (correlationId: string, n: number, timeoutMs = 15_000) =>
    pollRows(() => rowsOf(correlationId), {
      until: (rows) => rows.length === n && rows.every((r) => r.status !== 'pending'),
      what: `${n} settled deliveries`,
      timeoutMs,
    });
  const ackOverHttp = (notificationId: string, body: string) =>
    fetch(`${notifier.url}/alerts/${notificationId}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  const failed = (tenantId: string): Envelope<'training.failed'> =>
    createEnvelope(
      'training.failed',
      {
        modelType: 'churn_risk',
        code: 'INSUFFICIENT_SAMPLES',
        reason: 'insufficient samples: have 412, need 500',
      },
      { tenantId },
    );

  /** A training failure told to these recipients of a new tenant; returns the event and its settled deliveries. */
  const failureTo = async (tenantId: string, recipients: [string, string, string[]][]) => {
    await addRecipients(tenantId, recipients);
    const e = failed(tenantId);
    await h.publish(e);
    return { e, rows: await settled(e.correlationId, recipients.length) };
  };
  const inApp = (...users: string[]) => users.map((u): [string, string, string[]] => ['in_app', u, ['*']]);

  it('sends each event by email (text and HTML), Slack (Block Kit), in-app and a signed webhook, saying what, why and how to acknowledge', async () => {
    const t = 'tenant_n1';
    await addRecipients(t, [
      ['email', 'steward@local101.example.org', ['*']],
      ['slack', 'ok', ['*']],
      ['in_app', 'mock_user_admin_1', ['*']],
      ['webhook', 'ops', ['failure']],
    ]);
    const drift = createEnvelope(
      'drift.detected',
      {
        checkId: '5b0c3f7e-1111-4222-8333-444455556666',
        modelType: 'claim_outcome',
        activeVersion: 1,
        driftedFeatures: [
          { feature: 'member_age', psi: 0.412, band: 'significant', baselineSize: 4000, currentSize: 300 },
        ],
        accuracy: { value: 0.55, low: 0.42, high: 0.68, labelled: 40, threshold: 0.85 },
        reasons: ['member_age PSI 0.412 > 0.25 (significant drift)'],
      },
      { tenantId: t },
    );
    const fail = failed(t);
    await h.publish(drift);
    await h.publish(fail);
    const driftRows = await settled(drift.correlationId, 3);
    const failRows = await settled(fail.correlationId, 4);
    expect(driftRows.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'sent'],
      ['in_app', 'sent'],
      ['slack', 'sent'],
    ]);
    expect(failRows.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'sent'],
      ['in_app', 'sent'],
      ['slack', 'sent'],
      ['webhook', 'sent'],
    ]);

    const driftMail = smtp.mails.find((m) => m.raw.includes('Drift detected: Claim Outcome Prediction'))!;
    const decoded = driftMail.raw.replace(/=\r?\n/g, ''); // quoted-printable soft line breaks
    expect(driftMail.to).toEqual(['steward@local101.example.org']);
    expect(decoded).toContain('member_age: PSI 0.412 (significant)');
    expect(decoded).toContain('7-day accuracy 55.0%');
    expect(decoded).toContain('Content-Type: text/html');
    expect(decoded).toContain(`npm run ml:ack -- --notification ${driftRows[0]!.id}`);

    const slack = JSON.parse(
      web.hitsOf('/slack/ok').find((x) => x.body.includes('Drift detected'))!.body,
    ) as { blocks: { type: string }[] };
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section']);

    // This tenant's hit: the run's other test files share its subjects, so this notifier may also deliver
    // their tenants' events (a pipeline test's rejection reached this sink first once).
    const hook = web
      .hitsOf('/hook/ok')
      .find((x) => (JSON.parse(x.body) as { tenantId?: string }).tenantId === t)!;
    expect(hook.headers['x-ue-signature']).toBe(
      signature(SIGNING_KEY, String(hook.headers['x-ue-timestamp']), hook.body),
    );
    expect(JSON.parse(hook.body)).toMatchObject({
      eventType: 'training.failed',
      severity: 'failure',
      tenantId: t,
    });
    expect(failRows.find((r) => r.channel === 'in_app')!.body).toContain('have 412, need 500');
  });

  it('sends nothing twice when the same event is delivered twice', async () => {
    const t = 'tenant_n2';
    await addRecipients(t, [
      ['email', 'once@local101.example.org', ['*']],
      ['slack', 'ok', ['*']],
    ]);
    const e = failed(t);
    await h.publish(e, `a-${e.id}`);
    await h.publish(e, `b-${e.id}`);
    await settled(e.correlationId, 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => m.to.includes('once@local101.example.org'))).toHaveLength(1);
    expect(await rowsOf(e.correlationId)).toHaveLength(2);
  });

  it('retries transient failures with backoff, honours Retry-After, and fails permanent ones at once', async () => {
    const { rows } = await failureTo('tenant_n3', [
      ['slack', 'flaky', ['*']],
      ['slack', 'limited', ['*']],
      ['slack', 'gone', ['*']],
      ['email', 'nobody@nowhere.example.org', ['*']],
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.recipient, r]));
    expect(by.flaky).toMatchObject({ status: 'sent', attempts: 3 });
    const flakyHits = web.hitsOf('/slack/flaky');
    expect(flakyHits).toHaveLength(3);
    expect(flakyHits[2]!.at - flakyHits[1]!.at).toBeGreaterThanOrEqual(180); // 100 ms, then 200 ms
    expect(by.limited).toMatchObject({ status: 'sent', attempts: 2 });
    const limitedHits = web.hitsOf('/slack/limited');
    expect(limitedHits[1]!.at - limitedHits[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(by.gone).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 404: refused' });
    expect(by['nobody@nowhere.example.org']).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'SMTP 550: rejected',
    });
    // Deliveries given up on are counted (the UnionEyesMLNotificationsFailing alert reads them).
    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^ue_notification_attempts_total\{[^}]*channel="slack"[^}]*result="failed"[^}]*\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^ue_notification_attempts_total\{[^}]*channel="email"[^}]*result="failed"[^}]*\} [1-9]/m,
    );
  });

  it('delivers on the other channels while one hangs', async () => {
    const t = 'tenant_n4';
    await addRecipients(t, [
      ['slack', 'hang', ['*']],
      ['email', 'fast@local101.example.org', ['*']],
    ]);
    const e = failed(t);
    const sent = Date.now();
    await h.publish(e);
    await pollUntil(async () => smtp.mails.some((m) => m.to.includes('fast@local101.example.org')), {
      what: 'the email',
    });
    expect(Date.now() - sent).toBeLessThan(2000);
    const [hang] = await pollRows(
      async () => (await rowsOf(e.correlationId)).filter((r) => r.channel === 'slack' && r.attempts >= 1),
      { what: 'the hanging attempt to time out' },
    );
    expect(hang!.last_error).toBe('network: no answer within 500 ms');
  });

  /** The notifier's channels on their own, with this SMTP URL and a 400 ms timeout. */
  const channelsFor = (smtpUrl: string) =>
    new Channels(Object.assign(new NotifierConfig(), { SMTP_URL: smtpUrl, NOTIFY_TIMEOUT_MS: 400 }), {
      slack: {},
      webhooks: {},
    });
  const emailTo = (recipient: string) => ({ channel: 'email', recipient }) as Delivery;
  const message: RenderedMessage = { subject: 's', text: 't', html: '<p>t</p>', slack: {}, json: {} };

  it('sends a burst of emails over a pool of connections when SMTP_URL asks for one', async () => {
    const sink = new SmtpSink();
    await sink.start();
    const channels = channelsFor(`smtp://ml-alerts:x@127.0.0.1:${sink.port}?pool=true&maxConnections=4`);
    try {
      for (let i = 0; i < 5; i++)
        expect(await channels.send(emailTo(`one-${i}@local101.example.org`), message)).toEqual({ ok: true });
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          channels.send(emailTo(`burst-${i}@local101.example.org`), message),
        ),
      );
      expect(burst.every((r) => r.ok)).toBe(true);
      expect(sink.mails).toHaveLength(17);
      // One connection for the five sent one after the other, at most four (maxConnections) for the burst.
      expect(sink.connections).toBeLessThanOrEqual(4);
    } finally {
      channels.close();
      await sink.stop();
    }
  });

  it('gives up an email attempt after NOTIFY_TIMEOUT_MS when the SMTP server never greets', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const channels = channelsFor(`smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    try {
      const started = Date.now();
      const result = await channels.send(emailTo('waiting@local101.example.org'), message);
      expect(result).toMatchObject({
        ok: false,
        permanent: false,
        error: expect.stringMatching(/^SMTP: /) as unknown,
      });
      // nodemailer's own greeting timeout is 30 s: the notifier's bound applies.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      channels.close();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('delivers email later, once, when the SMTP server was down', async () => {
    const t = 'tenant_n5';
    await addRecipients(t, [['email', 'later@local101.example.org', ['*']]]);
    const port = smtp.port;
    await smtp.stop();
    const e = failed(t);
    await h.publish(e);
    await pollUntil(async () => ((await rowsOf(e.correlationId))[0]?.attempts ?? 0) >= 2, {
      what: 'failed attempts while SMTP is down',
    });
    expect((await rowsOf(e.correlationId))[0]).toMatchObject({
      status: 'pending',
      last_error: expect.stringMatching(/^SMTP: E[A-Z]+/) as unknown,
    });
    await smtp.start(port);
    await settled(e.correlationId, 1);
    expect(smtp.mails.filter((m) => m.to.includes('later@local101.example.org'))).toHaveLength(1);
  });

  it('records acknowledgments over HTTP and from the CLI, harmlessly twice, and reminds once about the others', async () => {
    const {
      e,
      rows: [a, b],
    } = await failureTo('tenant_n6', inApp('admin_a', 'admin_b'));
    const first = await ackOverHttp(a!.id, JSON.stringify({ by: 'rosa', note: 'looking into it' }));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      acknowledged: true,
      alreadyAcknowledged: false,
      acknowledgedBy: 'rosa',
    });
    const out: string[] = [];
    expect(
      await runCli(['ack', '--notification', a!.id, '--by', 'sam'], (l) => out.push(l), {
        ...process.env,
        NOTIFIER_URL: notifier.url,
      }),
    ).toBe(0);
    expect(out.join('\n')).toContain('already acknowledged by rosa');
    expect((await ackOverHttp('00000000-0000-4000-8000-000000000000', '{"by":"x"}')).status).toBe(404);

    await new Promise((r) => setTimeout(r, 1100)); // REMINDER_AFTER_SECONDS = 1
    const dispatcher = notifier.app.get(Dispatcher);
    expect(await dispatcher.remind()).toBeGreaterThanOrEqual(1);
    await dispatcher.remind();
    const reminders = (await rowsOf(e.correlationId)).filter((r) => r.is_reminder);
    expect(reminders.map((r) => r.recipient)).toEqual([b!.recipient]); // the acknowledged one is not reminded; once only
    expect(reminders[0]!.subject).toMatch(/^\[Reminder\] /);
  });

  /** A daily check of `modelType` for `day` that opens (or closes, or just sees) an episode. */
  const check = (
    tenantId: string,
    modelType: ModelType,
    day: string,
    episode?: { opened?: boolean; closedOn?: string },
  ): Envelope<'drift.checked'> =>
    createEnvelope(
      'drift.checked',
      {
        checkId: randomUUID(),
        modelType,
        activeVersion: 1,
        decision: episode?.opened ? 'retrain' : 'no_action',
        features: [],
        reasons: [episode?.opened ? 'member_age PSI 0.412 > 0.25 (significant drift)' : 'largest PSI 0.020'],
        logicalDate: day,
        ...(episode
          ? {
              episode: {
                id: randomUUID(),
                condition: 'drift' as const,
                startedOn: day,
                days: 1,
                retrains: episode.opened ? 1 : 0,
                opened: episode.opened ?? false,
                ...(episode.closedOn ? { closedOn: episode.closedOn } : {}),
              },
            }
          : {}),
      },
      { tenantId },
    );
  const digestRows = (tenantId: string) =>
    h.query<{ id: string; day: string; items: number; models: string[]; severity: string }>(
      `select id, day::text, items, models, severity from alert_digests where tenant_id = $1 order by day`,
      [tenantId],
    );
  const deliveriesOf = (eventId: string) =>
    h.query<Row>(
      `select id, channel, recipient, status, attempts, last_error, sent_at, subject, body, is_reminder from ml_retraining_notifications where event_id = $1 order by channel, recipient`,
      [eventId],
    );

  it("sends one message a day per tenant: four models' episodes and a retrain's outcome, when the next day's check arrives", async () => {
    const t = 'tenant_n10';
    await addRecipients(t, [
      ['email', 'digest@local101.example.org', ['drift.detected', 'model.deployed']],
      ['in_app', 'deploys_only', ['model.deployed']],
    ]);
    // Days to come: the hold never sends them; only the next day's check does.
    const opened = MODEL_TYPES.map((m) => check(t, m, '2099-05-01', { opened: true }));
    for (const e of opened) await h.publish(e);
    const deployed = createEnvelope(
      'model.deployed',
      { modelType: 'timeline', version: 2, previousVersion: 1, reason: 'validated', accuracy: 0.91 },
      { tenantId: t, correlationId: opened[1]!.correlationId },
    );
    await pollUntil(
      async () => (await h.query(`select 1 from alert_items where tenant_id = $1`, [t])).length === 4,
      {
        what: 'four items',
      },
    );
    await h.publish(deployed);
    await pollUntil(
      async () => (await h.query(`select 1 from alert_items where tenant_id = $1`, [t])).length === 5,
      {
        what: "the retrain's outcome",
      },
    );
    // Nothing is sent while the day lasts.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await digestRows(t)).toEqual([]);

    await h.publish(check(t, 'claim_outcome', '2099-05-02'));
    const [digest] = await pollRows(() => digestRows(t), { what: 'the digest of 2099-05-01' });
    expect(digest).toMatchObject({ day: '2099-05-01', items: 5, severity: 'warning' });
    expect(digest!.models.sort()).toEqual([...MODEL_TYPES].sort());
    const rows = await pollRows(() => deliveriesOf(digest!.id), {
      until: (r) => r.length === 2 && r.every((x) => x.status === 'sent'),
      what: 'two settled deliveries',
    });
    // Each recipient gets one message, with the items they subscribed to.
    const email = rows.find((r) => r.channel === 'email')!;
    expect(email.subject).toBe(
      '[Union Eyes ML] 2099-05-01: Claim Outcome Prediction, Timeline Forecasting, Churn Risk Prediction, Smart Assignment',
    );
    expect(email.body.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(5);
    expect(email.body).toContain(
      '- Timeline Forecasting: version 2 deployed (was 1), hold-out accuracy 91.0%',
    );
    const inAppRow = rows.find((r) => r.channel === 'in_app')!;
    expect(inAppRow.body.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- Timeline Forecasting: version 2 deployed (was 1), hold-out accuracy 91.0%',
    ]);
    expect(smtp.mails.filter((m) => m.to.includes('digest@local101.example.org'))).toHaveLength(1);
    // The pipeline's read model finds the digest that told of it.
    const orm = notifier.app.get<MikroORM>(MikroORM);
    const flow = await inPlatformTransaction(orm, (em) =>
      notificationsOfCorrelation(em, opened[1]!.correlationId),
    );
    expect(flow.map((n) => n.eventId)).toEqual([digest!.id, digest!.id]);

    // A late outcome (its day already told) and the next day's closing join the next digest: never two a day.
    const late = createEnvelope(
      'training.failed',
      { modelType: 'churn_risk', code: 'INSUFFICIENT_SAMPLES', reason: 'have 12, need 500' },
      { tenantId: t, correlationId: opened[2]!.correlationId },
    );
    await h.publish(late);
    await h.publish(check(t, 'assignment', '2099-05-02', { closedOn: '2099-05-02' }));
    await h.publish(check(t, 'assignment', '2099-05-03'));
    const two = await pollRows(() => digestRows(t), {
      until: (d) => d.length === 2,
      what: 'the second digest',
    });
    expect(two[1]).toMatchObject({ day: '2099-05-02', items: 2, severity: 'failure' });
  });

  it('sends a day that has come on its own, DIGEST_HOLD_SECONDS after its first item, once', async () => {
    const t = 'tenant_n11';
    await addRecipients(t, inApp('admin_e'));
    const opened = check(t, 'churn_risk', '2026-01-07', { opened: true });
    await h.publish(opened);
    await h.publish(opened, `again-${opened.id}`);
    const [digest] = await pollRows(() => digestRows(t), { what: 'the held digest' });
    expect(digest).toMatchObject({ day: '2026-01-07', items: 1 });
    await settled(digest!.id, 1);
    await new Promise((r) => setTimeout(r, 600));
    expect(await digestRows(t)).toHaveLength(1);
  });

  it("reads the log through the read models: a flow's deliveries, unacknowledged alerts and their counts", async () => {
    const t = 'tenant_n8';
    const {
      e,
      rows: [c, d],
    } = await failureTo(t, inApp('admin_c', 'admin_d'));
    expect((await ackOverHttp(c!.id, JSON.stringify({ by: 'noor', note: 'on it' }))).status).toBe(200);
    const orm = notifier.app.get<MikroORM>(MikroORM);
    const read = await inPlatformTransaction(orm, async (em) => ({
      flow: await notificationsOfCorrelation(em, e.correlationId),
      one: await notificationById(em, d!.id),
      open: await unacknowledgedAlerts(em, t),
      openOther: await unacknowledgedAlerts(em, t, 'claim_outcome'),
      counts: await unacknowledgedAlertCounts(em, t),
      acked: await acknowledgmentOf(em, c!.id),
      notAcked: await acknowledgmentOf(em, d!.id),
    }));
    expect(read.flow.map((n) => [n.channel, n.recipient, n.status, n.severity, n.modelType])).toEqual([
      ['in_app', 'admin_c', 'sent', 'failure', 'churn_risk'],
      ['in_app', 'admin_d', 'sent', 'failure', 'churn_risk'],
    ]);
    expect(read.flow[0]).toMatchObject({
      tenantId: t,
      eventId: e.id,
      eventType: 'training.failed',
      correlationId: e.correlationId,
      isReminder: false,
      lastError: null,
    });
    expect(read.one).toEqual(read.flow[1]);
    expect(read.open.map((n) => n.id)).toEqual([d!.id]);
    expect(read.openOther).toEqual([]);
    expect(read.counts).toEqual([{ tenantId: t, modelType: 'churn_risk', count: 1 }]);
    expect(read.acked).toMatchObject({ acknowledgedBy: 'noor', note: 'on it' });
    expect(read.notAcked).toBeNull();
  });

  it('edits the stakeholder list from the CLI, refusing URLs as addresses', async () => {
    const env = { ...process.env, NOTIFIER_URL: notifier.url };
    const out: string[] = [];
    const cli = (...argv: string[]) => runCli(argv, (l) => out.push(l), env);
    await h.query(
      `insert into tenants (id, name, union_local) values ('tenant_n7', 'x', 'x') on conflict do nothing`,
    );
    expect(
      await cli(
        'recipients',
        'add',
        '--tenant',
        'tenant_n7',
        '--channel',
        'email',
        '--address',
        'chair@local7.example.org',
        '--events',
        'failure,drift.detected',
      ),
    ).toBe(0);
    const id = /recipient ([0-9a-f-]{36}) added/.exec(out.join('\n'))![1]!;
    expect(
      await cli(
        'recipients',
        'add',
        '--tenant',
        'tenant_n7',
        '--channel',
        'slack',
        '--address',
        'https://hooks.example.org/T0/B0/secret',
      ),
    ).toBe(2);
    out.length = 0;
    expect(await cli('recipients', 'list', '--tenant', 'tenant_n7')).toBe(0);
    expect(out.join('\n')).toMatch(/email\s+chair@local7\.example\.org\s+failure,drift\.detected/);
    expect(await cli('recipients', 'remove', '--id', id)).toBe(0);
    const [row] = await h.query<{ is_active: boolean }>(
      `select is_active from notification_recipients where id = $1`,
      [id],
    );
    expect(row!.is_active).toBe(false);
    expect(await cli('recipients', 'remove')).toBe(2);
  });

  it('keeps secrets out of logs and the database', async () => {
    const logs = h.logs.join('\n');
    const rows = await h.query<{ t: string }>(
      `select string_agg(coalesce(last_error, '') || body || recipient, ' ') as t from ml_retraining_notifications`,
    );
    for (const secret of [
      SMTP_PASSWORD,
      SIGNING_KEY,
      ...Object.values(slackPaths).map((u) => new URL(u).pathname),
    ]) {
      expect(logs).not.toContain(secret);
      expect(rows[0]!.t).not.toContain(secret);
    }
    expect(logs).toContain('notification sent');
  });
});
