import 'reflect-metadata';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import type { ValidationError } from 'class-validator';

/**
 * Settings every service shares. Each app extends it with its own and loads it once, at start-up, with
 * `loadConfig`; nothing else reads `process.env`. Property names are the environment variable names.
 */
export class BaseConfig {
  /** PostgreSQL connection string. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes';

  /** NATS server(s), comma-separated. */
  @Matches(/^(nats|tls):\/\/[^,\s]+(,(nats|tls):\/\/[^,\s]+)*$/, {
    message: 'NATS_URL must be nats://host:port[,...]',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prepended to every subject and stream name; empty in production, unique per test run. */
  @Matches(/^([a-z0-9_-]+\.)*$/, {
    message: 'SUBJECT_PREFIX must be empty or like "t123." (lowercase tokens, each ending with a dot)',
  })
  SUBJECT_PREFIX = '';

  /** Port of the service's HTTP endpoints (/health, /metrics); 0 picks a free port. */
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 0;

  /** How long /health/ready waits for PostgreSQL and for NATS before it answers 503. */
  @IsInt()
  @Min(100)
  @Max(30_000)
  HEALTH_TIMEOUT_MS = 2000;

  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  /** json, pretty, or auto (pretty on a terminal, json otherwise). */
  @IsIn(['json', 'pretty', 'auto'])
  LOG_FORMAT: 'json' | 'pretty' | 'auto' = 'auto';

  /** Deliveries of one message before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(100)
  MAX_DELIVER = 5;

  /** Seconds the server waits for an ack before redelivering (handlers send heartbeats meanwhile). */
  @IsInt()
  @Min(1)
  @Max(3600)
  ACK_WAIT_SECONDS = 30;

  /** Connections in the service's Postgres pool (each message in flight holds one for its transaction). */
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_MAX = 10;

  /** A handler still running after this long stops sending heartbeats: its message goes back to the stream. */
  @IsInt()
  @Min(1)
  @Max(86_400)
  HANDLER_TIMEOUT_SECONDS = 1800;

  /** Messages each consumer handles at once (1 keeps a subject's events in order). */
  @IsInt()
  @Min(1)
  @Max(256)
  CONSUMER_CONCURRENCY = 1;

  /** First retry delay after a failed delivery, in ms; later ones grow 4x each (capped at 5 min). */
  @IsInt()
  @Min(10)
  @Max(600_000)
  RETRY_BASE_MS = 1000;

  @IsOptional()
  @IsString()
  NODE_ENV = 'development';

  /**
   * The bearer token a service's HTTP actions require (`Authorization: Bearer <token>`): the notifier's
   * acknowledgements and recipients, the scheduler's manual run. Empty: they are open, which those services
   * refuse with NODE_ENV=production. Never logged.
   */
  @IsString()
  SERVICE_TOKEN = '';

  /**
   * Where /health and /metrics answer: -1 on HTTP_PORT with everything else (development, tests); a port
   * (0 picks a free one) to serve them there only, so that the actions' port can be closed to probes and
   * Prometheus, and the probes' port to everyone else.
   */
  @IsInt()
  @Min(-1)
  @Max(65535)
  OPS_PORT = -1;
}

/**
 * Services with HTTP actions call it at start-up: in production their actions must not be open. Throws
 * ConfigError.
 */
export function requireServiceToken(c: BaseConfig, service: string): void {
  if (c.NODE_ENV === 'production' && c.SERVICE_TOKEN.length < 24)
    throw new ConfigError([
      `SERVICE_TOKEN: at least 24 characters with NODE_ENV=production: the ${service}'s HTTP actions would be open to anyone who reaches them (value not shown)`,
    ]);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const name = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map(
      // URLs and keys may carry credentials: their values are never echoed.
      (m) =>
        `${name}: ${m} (${/URL|SECRET|PASSWORD|WEBHOOK|KEY|TOKEN/.test(name) ? 'value not shown' : `got ${JSON.stringify(e.value)}`})`,
    );
    return [...own, ...flatten(e.children ?? [], name)];
  });
}

/**
 * Builds a config object from the environment. Unset or empty variables keep the class defaults;
 * numbers and booleans are converted. Throws ConfigError listing every problem at once.
 */
export function loadConfig<T extends BaseConfig>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls();
  const values: Record<string, unknown> = { ...(defaults as object) };
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value === undefined || (value === '' && key !== 'SUBJECT_PREFIX')) continue;
    // Convert by the default's type; what cannot be converted stays a string and fails validation.
    const fallback: unknown = (defaults as Record<string, unknown>)[key];
    if (typeof fallback === 'number')
      values[key] = /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    else if (typeof fallback === 'boolean')
      values[key] = value === 'true' ? true : value === 'false' ? false : value;
    else values[key] = value;
  }
  const instance = Object.assign(new cls(), values);
  const problems = flatten(validateSync(instance, { forbidUnknownValues: false }));
  if (problems.length > 0) throw new ConfigError(problems);
  return instance;
}
