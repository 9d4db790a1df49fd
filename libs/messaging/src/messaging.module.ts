import { Controller, Get, Global, Module, Res } from '@nestjs/common';
import type { DynamicModule, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { AppLogger, BaseConfig } from '@app/common';
import { DatabaseModule } from '@app/database';
import { ConsumerHost } from './consumer-host';
import { MessagingMetrics } from './metrics';
import { NatsService } from './nats.service';
import { OutboxRelay } from './outbox';
import { ServiceInfo } from './service-info';

@Controller()
export class HealthController {
  constructor(
    private readonly orm: MikroORM,
    private readonly nats: NatsService,
    private readonly service: ServiceInfo,
    private readonly metrics: MessagingMetrics,
  ) {}

  /** 200 when Postgres answers and NATS is connected; 503 otherwise (readiness and liveness probes). */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const [database, nats] = await Promise.all([
      this.orm.em
        .fork()
        .execute('select 1')
        .then(() => true)
        .catch(() => false),
      this.nats.healthy(),
    ]);
    const ok = database && nats;
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ok' : 'unavailable', service: this.service.name, database, nats });
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}

export interface ServiceModuleOptions<C extends BaseConfig> {
  /** Service name: consumer names, outbox source, logs. */
  service: string;
  config: C;
  configClass: Type<C>;
  logger: AppLogger;
}

/**
 * Everything a service shares: its validated config, logger, MikroORM, the NATS connection, the
 * outbox relay, the consumer host that binds `@OnEvent` handlers, and /health and /metrics.
 */
@Global()
@Module({})
export class ServiceModule {
  static forRoot<C extends BaseConfig>(opts: ServiceModuleOptions<C>): DynamicModule {
    const shared = [
      { provide: opts.configClass, useValue: opts.config },
      { provide: BaseConfig, useValue: opts.config },
      { provide: AppLogger, useValue: opts.logger },
      { provide: ServiceInfo, useValue: new ServiceInfo(opts.service) },
    ];
    return {
      module: ServiceModule,
      global: true,
      imports: [DiscoveryModule, DatabaseModule.forRoot()],
      controllers: [HealthController],
      providers: [...shared, NatsService, OutboxRelay, ConsumerHost, MessagingMetrics],
      exports: [...shared.map((p) => p.provide), NatsService, OutboxRelay, ConsumerHost, MessagingMetrics],
    };
  }
}
