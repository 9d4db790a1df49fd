import { createEnvelope } from '@app/contracts';
import { MODEL_TYPES } from '@app/domain';
import { Harness, seedTestDatabase, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';
import { HttpSink, SmtpSink } from './support/sinks';
import { startAllServices } from './support/services';

/** `url` with a password added (trust authentication ignores it; the services still hold it as a secret). */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

/** Credentials written into a URL (scheme://user:password@host), whatever they are. */
const CREDENTIALS_IN_URL = /[a-z]+:\/\/[^\s/:@"]+:[^\s/@"]+@/i;

// A full run (seed, daily check, 4 retrainings, validation, deployment, notifications on every channel
// with failures and retries) with a secret in every place a service holds one, then every log line of
// every service is scanned for them.
describe('no secret in the logs of a full run', () => {
  const h = new Harness();
  const smtp = new SmtpSink();
  const web = new HttpSink();
  const today = new Date().toISOString().slice(0, 10);
  const tenantId = 'tenant_83_0';
  const secrets = {
    smtp: 'smtp-pa55-full-run-do-not-log',
    signing: 'signing-key-full-run-do-not-log',
    slackPath: '/slack/flaky/T0FULLRUN/B0SECRET/xoxbDoNotLog',
    hookPath: '/hook/limited/hook-secret-path-do-not-log',
    natsPassword: 'nats-pa55-full-run-do-not-log',
  };
  const dbPasswords: string[] = [];

  beforeAll(async () => {
    await h.start();
    await smtp.start();
    await web.start();
    await seedTestDatabase([
      '--seed',
      '83',
      '--tenants',
      '1',
      '--claims',
      '6000',
      '--scenario',
      'drift',
      '--now',
      today,
    ]);
    const env = (service: string): Record<string, string> => {
      const pw = `pg-pa55-${service}-do-not-log`;
      dbPasswords.push(pw);
      const nats = new URL(h.natsUrl);
      // The shared test server has no authorization configured and ignores credentials; the services
      // still parse and hold them, which is what this test is about.
      nats.username = `ue-${service}`;
      nats.password = secrets.natsPassword;
      return { DATABASE_URL: withPassword(serviceDatabaseUrl(service), pw), NATS_URL: nats.toString() };
    };
    await startAllServices(h, {
      env,
      notifier: {
        SMTP_URL: `smtp://ml-alerts:${secrets.smtp}@127.0.0.1:${smtp.port}`,
        SLACK_WEBHOOKS: JSON.stringify({ 'ml-alerts': `${web.url}${secrets.slackPath}` }),
        WEBHOOKS: JSON.stringify({ ops: { url: `${web.url}${secrets.hookPath}`, secret: secrets.signing } }),
        NOTIFY_RETRY_BASE_MS: '100',
        NOTIFY_POLL_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    await smtp.stop();
    await web.stop();
  });

  it('runs the pipeline to deployment and notifications, and no log line holds a secret', async () => {
    for (const modelType of MODEL_TYPES)
      await h.publish(
        createEnvelope(
          'drift.check.requested',
          // Forced: each event is told on its own at once (a daily check's would wait for the next day's digest).
          { modelType, logicalDate: today, requestedBy: 'test', force: true },
          { tenantId },
        ),
      );
    // Every model retrained and validated (most deployed), every notification delivered after the failures.
    await pollUntil(
      async () => {
        const [r] = await h.query<{ validated: number; pending: number; sent: number }>(
          `select (select count(*)::int from outbox where subject = 'model.validated' and envelope->>'tenantId' = $1) as validated,
                  (select count(*)::int from ml_retraining_notifications where tenant_id = $1 and status = 'pending') as pending,
                  (select count(*)::int from ml_retraining_notifications where tenant_id = $1 and status = 'sent') as sent`,
          [tenantId],
        );
        return r!.validated === 4 && r!.pending === 0 && r!.sent > 0 ? r : false;
      },
      { what: 'four validations and every notification delivered', timeoutMs: 120_000 },
    );
    expect(smtp.mails.length).toBeGreaterThan(0);
    expect(web.hitsOf('/slack/flaky').length).toBeGreaterThan(2); // two 500s, then delivered

    const lines = h.logs;
    expect(lines.length).toBeGreaterThan(100);
    const all = [...Object.values(secrets), ...dbPasswords];
    for (const secret of all) {
      const leaking = lines.filter((l) => l.includes(secret));
      expect({ secret, leaking }).toEqual({ secret, leaking: [] });
    }
    expect(lines.filter((l) => CREDENTIALS_IN_URL.test(l))).toEqual([]);
    // Nor in what the notifier stored.
    const [stored] = await h.query<{ t: string }>(
      `select string_agg(coalesce(last_error, '') || body || recipient, ' ') as t from ml_retraining_notifications`,
    );
    for (const secret of all) expect(stored!.t).not.toContain(secret);
  });
});
