import { stdSerializers } from 'pino';

/**
 * What keeps secrets out of the logs, in three layers, all applied in one walk over each record
 * (`scrubValue`):
 * - keys: the values of known sensitive keys (below) become "[redacted]", at any depth
 *   (`{ db: { password } }`, `{ req: { headers: { authorization } } }`, `err.config.password`). pino's own
 *   `redact` did this with wildcard paths at about 40 µs a line for two levels; the walk is needed for
 *   the strings anyway, and a set lookup per key costs next to nothing;
 * - strings: every string of a record (error messages and stacks included) is scrubbed of credentials
 *   written into it, because a driver's or a library's error message may quote a connection string;
 * - values: exact secret values a service registers (`AppLogger.addSecrets`: the notifier's webhook URLs
 *   and signing keys, which have no telltale shape) become "[secret]" wherever they appear.
 */

export const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear: configuration names and usual field names. */
const SENSITIVE_KEYS = [
  // What the services hold in their configuration (libs/common/src/config.ts and each app's config).
  'DATABASE_URL',
  'NATS_URL',
  'SMTP_URL',
  'SLACK_WEBHOOKS',
  'WEBHOOKS',
  'AZUREML_JOB_DATABASE_URL',
  'AZURE_CLIENT_SECRET',
  // Usual names in option objects, HTTP headers and driver configs (pg, nodemailer, NATS, Azure).
  'password',
  'pass',
  'passwd',
  'secret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'privateKey',
  'signingKey',
  'authorization',
  'Authorization',
  'cookie',
  'connectionString',
  'databaseUrl',
  'webhook',
  'webhookUrl',
];

const SENSITIVE = new Set(SENSITIVE_KEYS);

// scheme://user:password@host -> scheme://user:***@host. The password runs to the last "@" before a
// space or a quote: an unencoded "@" or "/" in it must not let its tail through.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*):[^\s"'<>]*@/gi;
// ?password=...&sslpassword=... in connection strings, sig=... in signed (SAS) URLs.
const QUERY_SECRETS =
  /([?&;](?:password|sslpassword|pass|pwd|secret|token|access_token|api[_-]?key|sig|signature)=)[^&\s"'<>#]*/gi;
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
// A string none of the three patterns can match: most of them (messages, ids, names). Tested first, so
// the common case costs one scan instead of three replaces.
const MAY_HOLD_CREDENTIALS = /:\/\/|=|Bearer|Basic/;

/** `text` without credentials written in it, and without any of `secrets` (exact values). */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = MAY_HOLD_CREDENTIALS.test(text)
    ? text.replace(URL_CREDENTIALS, '$1:***@').replace(QUERY_SECRETS, '$1***').replace(AUTH_HEADER, '$1 ***')
    : text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[secret]');
  return out;
}

// pino's serialized errors have their own prototype (with a hidden `raw`): recognised to walk into them.
const SERIALIZED_ERROR_PROTO: unknown = Object.getPrototypeOf(
  stdSerializers.errWithCause(new Error('probe')),
);
const MAX_DEPTH = 10;

/**
 * A copy of `value` ready to log: Errors serialized by pino (type, message, stack, code and other own
 * fields, `cause` and `AggregateError.errors` as nested errors), every string scrubbed. Plain objects and
 * arrays are walked; other objects (Date, Buffer, class instances) are left for pino to stringify.
 */
export function scrubValue(
  value: unknown,
  secrets: readonly string[] = [],
  depth = 0,
  ancestors: Set<object> = new Set(),
): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) value = stdSerializers.errWithCause(value);
  const v = value as object;
  const proto: unknown = Object.getPrototypeOf(v);
  const walk =
    Array.isArray(v) || proto === Object.prototype || proto === null || proto === SERIALIZED_ERROR_PROTO;
  if (!walk) return v;
  if (ancestors.has(v)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  ancestors.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      out[k] = SENSITIVE.has(k) ? REDACTED : scrubValue(x, secrets, depth + 1, ancestors);
    return out;
  } finally {
    ancestors.delete(v);
  }
}
