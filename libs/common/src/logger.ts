import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  format?: 'json' | 'pretty' | 'auto';
  /** Where lines go; stdout by default. Tests pass a collector. */
  sink?: (line: string) => void;
}

/**
 * Structured logger: one JSON object per line when not on a terminal, a readable line on one.
 * Lines about a message carry `tenantId` and `correlationId` (use `child`), so one pipeline can be
 * followed across services with a single filter.
 */
export class AppLogger {
  private readonly json: boolean;
  private readonly min: number;
  private readonly sink: (line: string) => void;

  constructor(
    private readonly options: LoggerOptions,
    private readonly fields: LogFields = {},
  ) {
    const format = options.format ?? 'auto';
    this.json = format === 'json' || (format === 'auto' && !process.stdout.isTTY);
    this.min = LEVELS[options.level ?? 'info'];
    this.sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
  }

  child(fields: LogFields): AppLogger {
    return new AppLogger(this.options, { ...this.fields, ...fields });
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
    if (LEVELS[level] < this.min) return;
    const record: LogFields = {
      time: new Date().toISOString(),
      level,
      service: this.options.service,
      msg,
      ...this.fields,
      ...extra,
    };
    if (record.err instanceof Error)
      record.err = {
        name: record.err.name,
        message: record.err.message,
        code: (record.err as { code?: unknown }).code,
      };
    if (this.json) {
      this.sink(JSON.stringify(record));
      return;
    }
    const { time, level: lv, service, msg: m, ...rest } = record;
    const tail = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    this.sink(
      `${String(time).slice(11, 23)} ${String(lv).toUpperCase().padEnd(5)} [${String(service)}] ${String(m)}${tail}`,
    );
  }
}

/** Routes NestJS's own log lines through the structured logger. */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: AppLogger) {}
  log(message: unknown, context?: string): void {
    this.logger.info(String(message), context ? { context } : undefined);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error(String(message), { context, trace });
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn(String(message), context ? { context } : undefined);
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug(String(message), context ? { context } : undefined);
  }
  verbose(message: unknown, context?: string): void {
    this.logger.debug(String(message), context ? { context } : undefined);
  }
}
