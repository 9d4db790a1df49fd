import { IsInt, IsString, Max, Min } from 'class-validator';
import { BaseConfig, ConfigError } from '@app/common';

/**
 * Secrets (SMTP_URL with its password, SLACK_WEBHOOKS and WEBHOOKS with URLs and signing keys) come from
 * the environment only: recipients refer to Slack and webhook endpoints by name, and neither logs nor
 * the database ever hold the values.
 */
export class NotifierConfig extends BaseConfig {
  override HTTP_PORT = 3105;

  /** SMTP server, e.g. smtps://user:password@smtp.example.org:465 (empty: email deliveries fail, permanently). */
  @IsString()
  SMTP_URL = '';

  @IsString()
  SMTP_FROM = 'Union Eyes ML <ml-alerts@union-eyes.example.org>';

  /** JSON object: Slack endpoint name -> incoming webhook URL. */
  @IsString()
  SLACK_WEBHOOKS = '{}';

  /** JSON object: webhook name -> { "url": ..., "secret": ... } (HMAC-SHA256 signing key). */
  @IsString()
  WEBHOOKS = '{}';

  /** Per attempt, for SMTP and HTTP alike. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  NOTIFY_TIMEOUT_MS = 5000;

  @IsInt()
  @Min(1)
  @Max(50)
  NOTIFY_MAX_ATTEMPTS = 6;

  /** First retry delay; each later one doubles (a 429's Retry-After wins when longer). */
  @IsInt()
  @Min(10)
  NOTIFY_RETRY_BASE_MS = 2000;

  @IsInt()
  @Min(10)
  NOTIFY_POLL_MS = 250;

  /** An unacknowledged failure alert is sent again, once, after this long. */
  @IsInt()
  @Min(1)
  REMINDER_AFTER_SECONDS = 3600;

  @IsInt()
  @Min(1)
  REMINDER_SWEEP_SECONDS = 60;

  /**
   * A tenant's daily digest goes out when the next day's check arrives, or this long after its first item
   * (once its day has come), whichever is first: long enough for the day's retrains to end and join it.
   */
  @IsInt()
  @Min(0)
  DIGEST_HOLD_SECONDS = 1800;

  /** How often the digest timer looks for tenants whose items waited DIGEST_HOLD_SECONDS. */
  @IsInt()
  @Min(50)
  DIGEST_SWEEP_MS = 10_000;
}

export interface Endpoints {
  slack: Record<string, string>;
  webhooks: Record<string, { url: string; secret: string }>;
}

/** Parses the endpoint maps once, at start-up; a malformed one stops the notifier (without echoing the value). */
export function parseEndpoints(c: NotifierConfig): Endpoints {
  const problems: string[] = [];
  const parse = (name: string, raw: string): unknown => {
    try {
      return JSON.parse(raw);
    } catch {
      problems.push(`${name}: not valid JSON (value not shown: it holds secrets)`);
      return {};
    }
  };
  const slack = parse('SLACK_WEBHOOKS', c.SLACK_WEBHOOKS) as Record<string, unknown>;
  const webhooks = parse('WEBHOOKS', c.WEBHOOKS) as Record<string, unknown>;
  for (const [k, v] of Object.entries(slack))
    if (typeof v !== 'string' || !/^https?:\/\//.test(v))
      problems.push(`SLACK_WEBHOOKS.${k}: must be an http(s) URL`);
  for (const [k, v] of Object.entries(webhooks)) {
    const w = v as { url?: unknown; secret?: unknown };
    if (typeof w.url !== 'string' || !/^https?:\/\//.test(w.url))
      problems.push(`WEBHOOKS.${k}.url: must be an http(s) URL`);
    if (typeof w.secret !== 'string' || w.secret.length < 16)
      problems.push(`WEBHOOKS.${k}.secret: must be a string of at least 16 characters`);
  }
  if (c.SMTP_URL && !/^smtps?:\/\//.test(c.SMTP_URL))
    problems.push('SMTP_URL: must start with smtp:// or smtps://');
  if (problems.length > 0) throw new ConfigError(problems);
  return { slack: slack as Record<string, string>, webhooks: webhooks as Endpoints['webhooks'] };
}

/** Every secret value, so that error texts can be scrubbed before they are logged or stored. */
export function secretsOf(c: NotifierConfig, e: Endpoints): string[] {
  const out = [...Object.values(e.slack), ...Object.values(e.webhooks).flatMap((w) => [w.url, w.secret])];
  if (c.SMTP_URL) {
    const u = new URL(c.SMTP_URL);
    if (u.password) out.push(decodeURIComponent(u.password), u.password);
    out.push(c.SMTP_URL);
  }
  return out.filter((s) => s.length >= 6);
}
