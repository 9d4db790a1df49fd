import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { scrubText } from '@app/common';
import type { BaseConfig } from '@app/common';
import { AppLogger, ConfigError, loadConfig, NestLoggerAdapter, PrerequisiteError } from '@app/common';

export interface ServiceApp<C extends BaseConfig> {
  app: INestApplication;
  config: C;
  logger: AppLogger;
  /** Where /health and /metrics answer. */
  url: string;
}

export interface CreateServiceOptions<C extends BaseConfig> {
  service: string;
  configClass: Type<C>;
  /** Builds the app module from the validated config. */
  module: (config: C, logger: AppLogger) => DynamicModule;
  env?: NodeJS.ProcessEnv;
  /** Collects log lines instead of writing them to stdout (tests). */
  logSink?: (line: string) => void;
  /** HTTP set-up before the app listens (middleware, documentation, static files): the console's. */
  configure?: (app: INestApplication, config: C, logger: AppLogger) => void;
}

/** Validates config, builds the Nest app, starts HTTP and the message consumers. Used by main.ts and tests. */
export async function createServiceApp<C extends BaseConfig>(
  opts: CreateServiceOptions<C>,
): Promise<ServiceApp<C>> {
  const config = loadConfig(opts.configClass, opts.env ?? process.env);
  const logger = new AppLogger({
    service: opts.service,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    sink: opts.logSink,
  });
  const app = await NestFactory.create(opts.module(config, logger), {
    logger: new NestLoggerAdapter(logger.child({ context: 'nest' })),
    abortOnError: false,
  });
  try {
    opts.configure?.(app, config, logger);
    await app.listen(config.HTTP_PORT, '0.0.0.0');
  } catch (err) {
    // A failed start (e.g. streams not provisioned) must not leave the database pool and the NATS
    // connection open: in tests the process goes on.
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  logger.info('service started', { http: url });
  return { app, config, logger, url };
}

/**
 * main.ts of every service: a bad configuration stops it with the list of what is wrong. On SIGTERM or
 * SIGINT it stops pulling messages, finishes what it holds (in-flight handlers complete and ack),
 * flushes the outbox relay, closes NATS and Postgres, and exits 0; if that takes longer than the grace
 * period (SHUTDOWN_GRACE_SECONDS, default 25, under Kubernetes' 30), it exits 1 and the unacked messages
 * are redelivered to another replica.
 */
export function runService<C extends BaseConfig>(opts: CreateServiceOptions<C>): void {
  createServiceApp(opts)
    .then(({ app, logger }) => {
      const grace = Number(process.env.SHUTDOWN_GRACE_SECONDS ?? 25) * 1000;
      let closing = false;
      const stop = (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info('shutting down', { signal });
        const timer = setTimeout(() => {
          logger.error(
            'shutdown took longer than the grace period; exiting, unacked messages will be redelivered',
            { graceMs: grace },
          );
          process.exit(1);
        }, grace);
        app
          .close()
          .then(() => {
            clearTimeout(timer);
            logger.info('stopped');
            process.exit(0);
          })
          .catch((err: unknown) => {
            logger.error('error while shutting down', { err });
            process.exit(1);
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((err: unknown) => {
      if (err instanceof ConfigError || err instanceof PrerequisiteError) {
        process.stderr.write(`${opts.service}: ${err.message}\n`);
      } else {
        process.stderr.write(
          // Scrubbed: a driver's message may quote a connection string with its password.
          `${opts.service}: failed to start: ${scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
        );
      }
      process.exit(1);
    });
}
