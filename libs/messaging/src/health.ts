import { Controller, Get, Injectable, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { BaseConfig } from '@app/common';
import { MessagingMetrics } from './metrics';
import { NatsService } from './nats.service';

/** `work`'s answer, or `false` once `ms` have passed (the work itself goes on). */
async function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * PostgreSQL is ready when `select 1` answers within the timeout. One ping at a time: against a server
 * that hangs, a ping holds its pool connection until the server answers or the connection dies, so
 * probes every few seconds must not each pin another one of the service's connections.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private ping: Promise<boolean> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    this.ping ??= this.orm.em
      .fork()
      .execute('select 1')
      .then(
        () => true,
        () => false,
      )
      .finally(() => {
        this.ping = null;
      });
    const session = this.indicator.check(key);
    return (await within(this.ping, timeoutMs))
      ? session.up()
      : session.down({ message: `no answer within ${timeoutMs} ms` });
  }
}

/** NATS is ready when the connection is open and the server answers a round trip within the timeout. */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly nats: NatsService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    return (await within(this.nats.healthy(), timeoutMs))
      ? session.up()
      : session.down({ message: `no answer within ${timeoutMs} ms` });
  }
}

/**
 * Probes the way Kubernetes means them:
 * - `GET /health/live`: the process answers (its event loop runs). It does not look at PostgreSQL or
 *   NATS: during their outage every pod would otherwise be restarted, which helps nobody (the consumers
 *   wait, the connections reconnect by themselves).
 * - `GET /health/ready`: PostgreSQL answers `select 1` and NATS a round trip, each within
 *   HEALTH_TIMEOUT_MS; 503 otherwise, so the pod is taken out of its Service until they are back.
 * - `GET /health`: the same as ready (what earlier releases and scripts ask).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly config: BaseConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const timeout = this.config.HEALTH_TIMEOUT_MS;
    return this.health.check([
      () => this.database.check('database', timeout),
      () => this.nats.check('nats', timeout),
    ]);
  }

  @Get()
  @HealthCheck()
  readyAlias(): Promise<HealthCheckResult> {
    return this.ready();
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MessagingMetrics) {}

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
