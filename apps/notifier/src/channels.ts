import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Delivery } from './deliveries.repository';
import type { Endpoints, NotifierConfig } from './notifier.config';

/** What happened to one attempt: sent, worth retrying (maybe after a given delay), or never going to work. */
export type SendResult =
  { ok: true } | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  slack: Record<string, unknown>;
  json: Record<string, unknown>;
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function postJson(
  url: string,
  body: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<SendResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true };
    if (res.status === 429)
      return {
        ok: false,
        permanent: false,
        error: 'HTTP 429 Too Many Requests',
        retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      };
    if (res.status >= 500) return { ok: false, permanent: false, error: `HTTP ${res.status}` };
    return { ok: false, permanent: true, error: `HTTP ${res.status}: refused` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const what =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, permanent: false, error: `network: ${what}` };
  }
}

/**
 * The SMTP URL nodemailer is given: each attempt bounded by NOTIFY_TIMEOUT_MS (connection, greeting, socket).
 * nodemailer reads transport options from the URL's query, and ignores options passed beside a URL (they
 * are taken as message defaults, which is where they went before: the timeouts were nodemailer's 2
 * minutes, 30 s and 10 minutes). What the operator's URL already says is kept: `?pool=true&maxConnections=4`
 * reuses connections (measured in docs/benchmarks.md: fewer handshakes, but a burst queues behind the pool).
 */
export function smtpTransportUrl(smtpUrl: string, timeoutMs: number): string {
  const url = new URL(smtpUrl);
  const defaults: Record<string, string> = {
    connectionTimeout: String(timeoutMs),
    greetingTimeout: String(timeoutMs),
    socketTimeout: String(timeoutMs),
  };
  for (const [k, v] of Object.entries(defaults)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  return url.toString();
}

/** Sends a delivery on its channel. Secrets come from the parsed configuration, looked up by name. */
export class Channels {
  private readonly mailer: Transporter | null;

  constructor(
    private readonly config: NotifierConfig,
    private readonly endpoints: Endpoints,
  ) {
    this.mailer = config.SMTP_URL
      ? nodemailer.createTransport(smtpTransportUrl(config.SMTP_URL, config.NOTIFY_TIMEOUT_MS))
      : null;
  }

  async send(d: Delivery, m: RenderedMessage): Promise<SendResult> {
    switch (d.channel) {
      case 'email':
        return this.email(d.recipient, m);
      case 'slack': {
        const url = this.endpoints.slack[d.recipient];
        if (!url)
          return {
            ok: false,
            permanent: true,
            error: `no Slack endpoint named "${d.recipient}" in SLACK_WEBHOOKS`,
          };
        return postJson(url, JSON.stringify(m.slack), this.config.NOTIFY_TIMEOUT_MS);
      }
      case 'webhook': {
        const hook = this.endpoints.webhooks[d.recipient];
        if (!hook)
          return { ok: false, permanent: true, error: `no webhook named "${d.recipient}" in WEBHOOKS` };
        const body = JSON.stringify(m.json);
        const timestamp = String(Math.floor(Date.now() / 1000));
        return postJson(hook.url, body, this.config.NOTIFY_TIMEOUT_MS, {
          'x-ue-timestamp': timestamp,
          'x-ue-signature': signature(hook.secret, timestamp, body),
        });
      }
      case 'in_app':
        return { ok: true };
    }
  }

  private async email(to: string, m: RenderedMessage): Promise<SendResult> {
    if (!this.mailer) return { ok: false, permanent: true, error: 'email is not configured (SMTP_URL)' };
    try {
      await this.mailer.sendMail({
        from: this.config.SMTP_FROM,
        to,
        subject: m.subject,
        text: m.text,
        html: m.html,
      });
      return { ok: true };
    } catch (err) {
      const e = err as Error & { responseCode?: number; code?: string };
      // 5xx from the server (e.g. 550 mailbox unavailable) will not change: the address is rejected.
      if (e.responseCode && e.responseCode >= 500)
        return { ok: false, permanent: true, error: `SMTP ${e.responseCode}: rejected` };
      return {
        ok: false,
        permanent: false,
        error: `SMTP: ${e.responseCode ? `${e.responseCode}` : (e.code ?? 'error')}`,
      };
    }
  }

  close(): void {
    this.mailer?.close();
  }
}

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the receiver recomputes it to trust the call. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
