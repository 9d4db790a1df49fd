import { createEnvelope } from '@app/contracts';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { createTenant } from '../integration/support/harness';
import { pollUntil } from '../integration/support/poll';
import { SmtpSink } from '../integration/support/sinks';
import { freePort } from '../../scripts/bench-processes';
import { FaultHarness } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { LockHolder } from './support/pg-locks';
import { ScriptedEndpoint } from './support/scripted-endpoint';

// The notification channels fail: Slack answers 500, then 429 with Retry-After; the SMTP server is down
// (and the notifier restarts meanwhile). Everything is delivered later, exactly once.
describe('faults: notification channels down', () => {
  const h = new FaultHarness();
  const smtp = new SmtpSink();
  const slack = new ScriptedEndpoint([{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }]);
  const tenantId = 'tenant_channels_down';
  const address = 'steward@local101.example.org';
  let since: Date;
  let smtpPort: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    await h.start();
    since = await databaseNow(h);
    smtpPort = await freePort(); // nothing listens there yet: SMTP is down
    env = {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SLACK_WEBHOOKS: JSON.stringify({ alerts: await slack.start() }),
      NOTIFY_TIMEOUT_MS: '2000',
      NOTIFY_RETRY_BASE_MS: '200',
      NOTIFY_MAX_ATTEMPTS: '20',
      NOTIFY_POLL_MS: '50',
    };
    await createTenant(h, tenantId);
    for (const [channel, recipient] of [
      ['email', address],
      ['slack', 'alerts'],
    ])
      await h.query(
        `insert into notification_recipients (tenant_id, name, channel, address, event_kinds) values ($1, $2, $3, $4, '["*"]'::jsonb)`,
        [tenantId, recipient, channel, recipient],
      );
  }, 120_000);
  afterAll(async () => {
    await LockHolder.releaseAll();
    await h.stop();
    await smtp.stop();
    await slack.stop();
  }, 120_000);

  type Row = {
    event_id: string;
    channel: string;
    status: string;
    attempts: number;
    last_error: string | null;
  };
  const rows = () =>
    h.query<Row>(
      `select event_id::text, channel, status, attempts, last_error from ml_retraining_notifications where tenant_id = $1 order by created_at, channel`,
      [tenantId],
    );
  const failed = (reason: string) =>
    createEnvelope(
      'training.failed',
      { modelType: 'churn_risk', code: 'INSUFFICIENT_SAMPLES', reason },
      { tenantId },
    );

  it('delivers to Slack after a 500 and a 429 (honouring Retry-After) and by email once SMTP is back, each exactly once', async () => {
    const notifier = await h.startService(
      'notifier',
      NotifierConfig,
      (c, l) => NotifierModule.forRoot(c, l),
      env,
    );
    const first = failed('insufficient samples: have 412, need 500');
    await h.publish(first);

    // Slack: 500, then 429 with Retry-After: 1, then 200.
    await pollUntil(async () => (await rows()).some((r) => r.channel === 'slack' && r.status === 'sent'), {
      what: 'the Slack delivery',
      timeoutMs: 60_000,
    });
    expect(slack.requests.map((r) => r.status)).toEqual([500, 429, 200]);
    const [a, b, c] = slack.requests.map((r) => r.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(180); // the first backoff, NOTIFY_RETRY_BASE_MS
    expect(c - b).toBeGreaterThanOrEqual(950); // Retry-After: 1 beats the 400 ms backoff

    // Email: the server refuses connections; the delivery waits, with the reason.
    const waiting = await pollUntil(
      async () => (await rows()).find((r) => r.channel === 'email' && r.attempts >= 2),
      { what: 'failed email attempts', timeoutMs: 60_000 },
    );
    expect(waiting).toMatchObject({
      status: 'pending',
      last_error: expect.stringMatching(/^SMTP: E[A-Z]+/) as unknown,
    });

    // The notifier restarts while SMTP is down, and an event arrives while it is stopped.
    await h.stopService(notifier);
    const second = failed('insufficient samples: have 300, need 500');
    await h.publish(second);
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), env);
    await pollUntil(async () => (await rows()).filter((r) => r.event_id === second.id).length === 2, {
      what: 'the deliveries of the event sent while the notifier was down',
    });

    await smtp.start(smtpPort);
    await checkInvariants(h, { tenants: [tenantId], since });
    const final = await rows();
    expect(final.map((r) => [r.event_id, r.channel, r.status])).toEqual([
      [first.id, 'email', 'sent'],
      [first.id, 'slack', 'sent'],
      [second.id, 'email', 'sent'],
      [second.id, 'slack', 'sent'],
    ]);
    expect(final.find((r) => r.event_id === first.id && r.channel === 'slack')!.attempts).toBe(3);
    // Exactly once each: one mail per event, one successful Slack call per event.
    const mails = smtp.mails.filter((m) => m.to.includes(address));
    expect(mails).toHaveLength(2);
    expect(mails.filter((m) => m.raw.includes('have 412'))).toHaveLength(1);
    expect(slack.requests.filter((r) => r.status === 200)).toHaveLength(2);
  }, 180_000);
});
