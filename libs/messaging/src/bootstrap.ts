import 'reflect-metadata';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { scrubText } from '@app/common';
import type { BaseConfig } from '@app/common';
import { AppLogger, ConfigError, loadConfig, NestLoggerAdapter, PrerequisiteError } from '@app/common';

export interface ServiceApp<C extends BaseConfig> {
  app: INestApplication;
  config: C;
  logger: AppLogger;
  /** Where the service's HTTP answers (and /health and /metrics, unless OPS_PORT gives them their own). */
  url: string;
  /** Where /health and /metrics answer: `url`, or OPS_PORT's listener. */
  opsUrl: string;
}

/** What the ops port serves, and nothing else does when it is on. */
const OPS_PATHS = /^\/(health|metrics)(\/|$)/;

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
  if (config.OPS_PORT > 0 && config.OPS_PORT === config.HTTP_PORT)
    throw new ConfigError([
      `OPS_PORT: must differ from HTTP_PORT (${config.HTTP_PORT}), or be -1 to share it`,
    ]);
  const app = await NestFactory.create(opts.module(config, logger), {
    logger: new NestLoggerAdapter(logger.child({ context: 'nest' })),
    abortOnError: false,
  });
  // With OPS_PORT, one Express app answers on two listeners, and each request is kept to its own: probes
  // and Prometheus on the ops port, the service's actions on HTTP_PORT (so that a network policy or an
  // Ingress can open one without the other).
  let opsPort = -2;
  if (config.OPS_PORT >= 0)
    app.use((req: Request, res: Response, next: NextFunction) => {
      const onOps = req.socket.localPort === opsPort;
      if (onOps === OPS_PATHS.test(req.path)) return next();
      res.status(404).json({
        statusCode: 404,
        message: onOps
          ? 'this port serves /health and /metrics only'
          : '/health and /metrics answer on OPS_PORT',
      });
    });
  let ops: Server | undefined;
  try {
    opts.configure?.(app, config, logger);
    await app.listen(config.HTTP_PORT, '0.0.0.0');
    if (config.OPS_PORT >= 0) {
      const server = createServer(app.getHttpAdapter().getInstance() as Parameters<typeof createServer>[1]);
      ops = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.OPS_PORT, '0.0.0.0', () => resolve());
      });
      opsPort = (server.address() as { port: number }).port;
      // Closed with the service's own listener (app.close()).
      app.getHttpServer().once('close', () => {
        server.close();
        server.closeAllConnections();
      });
    }
  } catch (err) {
    // A failed start (e.g. streams not provisioned) must not leave the database pool and the NATS
    // connection open: in tests the process goes on.
    ops?.close();
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const opsUrl = opsPort >= 0 ? `http://127.0.0.1:${opsPort}` : url;
  logger.info('service started', { http: url, ...(opsUrl === url ? {} : { ops: opsUrl }) });
  return { app, config, logger, url, opsUrl };
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
