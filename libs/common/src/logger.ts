import type { LoggerService } from '@nestjs/common';
import { destination, pino, stdTimeFunctions } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { scrubText, scrubValue } from './log-redaction';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  format?: 'json' | 'pretty' | 'auto';
  /** Where lines go (without their newline); stdout by default. Tests pass a collector. */
  sink?: (line: string) => void;
}

/** What a logger and all its children share: the pino instance and the secret values to scrub. */
export class LoggerCore {
  readonly pino: Logger;
  /** Exact values never to be written (longest first, so a value containing another goes first). */
  secrets: string[] = [];

  constructor(options: LoggerOptions) {
    const format = options.format ?? 'auto';
    const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
    this.pino = pino(
      {
        level: options.level ?? 'info',
        // Only the service: pid and hostname say nothing a Kubernetes log collector does not already add.
        base: { service: options.service },
        timestamp: stdTimeFunctions.isoTime,
        formatters: {
          level: (label) => ({ level: label }),
          // Runs before serializers, on everything a call passes (child fields included): errors
          // serialized, sensitive keys redacted, credentials scrubbed out of every string.
          log: (record) => scrubValue(record, this.secrets) as Record<string, unknown>,
        },
        // `log` above has already serialized (and scrubbed) errors, sensitive keys included; this covers
        // `logger.pino.error(err)` used directly, without walking an already scrubbed error again.
        serializers: { err: (err: unknown) => (err instanceof Error ? scrubValue(err, this.secrets) : err) },
      },
      output(options, pretty),
    );
  }
}

/**
 * JSON lines as they are, or one readable line each (pino-pretty, synchronously: nothing is lost when
 * the process exits right after a log call). An error's stack follows its line, indented, in pretty mode.
 */
function output(options: LoggerOptions, pretty: boolean): DestinationStream {
  const { sink } = options;
  const write: (chunk: string) => void = sink
    ? (chunk) => sink(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk)
    : (() => {
        const stdout = destination({ dest: 1, sync: true });
        return (chunk: string) => stdout.write(chunk);
      })();
  if (!pretty) return { write };
  const prettify = prettyFactory({
    colorize: !sink && process.stdout.isTTY === true,
    singleLine: true,
    translateTime: 'UTC:HH:MM:ss.l',
    ignore: 'service',
    messageFormat: '[{service}] {msg}',
  });
  return { write: (chunk: string) => write(prettify(chunk)) };
}

/**
 * Structured logger: one JSON object per line when not on a terminal, a readable line on one. Lines
 * about a message carry `tenantId` and `correlationId` (use `child`), so one pipeline can be followed
 * across services with a single filter. Pass an exception as `err` (the Error itself, not its message):
 * its type, message, stack, code and cause are logged, scrubbed of credentials.
 *
 * A thin facade over pino. `child` merges fields here rather than with pino's own child loggers, so that
 * a field given again at the call replaces the child's (one key in the JSON, not two) and the child's
 * fields go through the same scrubbing as the call's.
 */
export class AppLogger {
  private readonly core: LoggerCore;

  constructor(
    options: LoggerOptions | LoggerCore,
    private readonly fields: LogFields = {},
  ) {
    this.core = options instanceof LoggerCore ? options : new LoggerCore(options);
  }

  /** The pino instance behind this logger (and all its children). */
  get pino(): Logger {
    return this.core.pino;
  }

  child(fields: LogFields): AppLogger {
    return new AppLogger(this.core, { ...this.fields, ...fields });
  }

  /**
   * Values this logger and its children must never write as they are (e.g. webhook URLs and signing keys
   * parsed from the configuration): wherever they appear in a line, they become "[secret]".
   */
  addSecrets(values: readonly string[]): void {
    const all = new Set([...this.core.secrets, ...values.filter((v) => v.length >= 6)]);
    this.core.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, extra?: LogFields): void {
    const log = this.core.pino;
    if (!log.isLevelEnabled(level)) return;
    log[level]({ ...this.fields, ...extra }, scrubText(msg, this.core.secrets));
  }
}

// A string that looks like a stack trace ("Error: x\n    at f (file:1:2)"): how Nest passes one.
const STACK = /\n\s+at .+/;

/**
 * Routes NestJS's own log lines through the structured logger. Nest passes the context as the last
 * argument and, for errors, an Error or a stack string; both end up in `err` with their stack.
 */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.logger.info(...this.line(message, params));
  }
  error(message: unknown, ...params: unknown[]): void {
    const context = this.contextOf(params);
    const stack = params.find((p): p is string => typeof p === 'string' && STACK.test(p));
    const [msg, fields] = this.line(message, params);
    if (stack && !(fields.err instanceof Error)) {
      const err = new Error(msg);
      err.stack = stack;
      fields.err = err;
    }
    this.logger.error(msg, { ...fields, ...(context ? { context } : {}) });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(...this.line(message, params));
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...this.line(message, params));
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...this.line(message, params));
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.error(message, ...params);
  }

  private line(message: unknown, params: unknown[]): [string, LogFields] {
    const context = this.contextOf(params);
    const fields: LogFields = context ? { context } : {};
    if (message instanceof Error) return [message.message, { ...fields, err: message }];
    if (typeof message === 'object' && message !== null) return ['', { ...fields, data: message }];
    return [String(message), fields];
  }

  /** The last argument when it is a string and not a stack (Nest's Logger always appends its context). */
  private contextOf(params: unknown[]): string | undefined {
    const last = params[params.length - 1];
    return typeof last === 'string' && !STACK.test(last) ? last : undefined;
  }
}
