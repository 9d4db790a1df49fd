import { Global, Module } from '@nestjs/common';
import type { DynamicModule, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AppLogger, BaseConfig } from '@app/common';
import { DatabaseModule } from '@app/database';
import { ConsumerHost } from './consumer-host';
import { DatabaseHealthIndicator, HealthController, MetricsController, NatsHealthIndicator } from './health';
import { MessagingMetrics } from './metrics';
import { NatsService } from './nats.service';
import { OutboxRelay } from './outbox';
import { ServiceInfo } from './service-info';

export interface ServiceModuleOptions<C extends BaseConfig> {
  /** Service name: consumer names, outbox source, logs. */
  service: string;
  config: C;
  configClass: Type<C>;
  logger: AppLogger;
}

/**
 * Everything a service shares: its validated config, logger, MikroORM, the NATS connection, the
 * outbox relay, the consumer host that binds `@OnEvent` handlers, the probes (/health/live, /health/ready)
 * and /metrics.
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
      // Terminus logs nothing itself: a failing probe answers 503 with the reason, and the outage is
      // already logged by the NATS connection and the handlers.
      imports: [DiscoveryModule, DatabaseModule.forRoot(), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        ...shared,
        NatsService,
        OutboxRelay,
        ConsumerHost,
        MessagingMetrics,
        NatsHealthIndicator,
        DatabaseHealthIndicator,
      ],
      exports: [...shared.map((p) => p.provide), NatsService, OutboxRelay, ConsumerHost, MessagingMetrics],
    };
  }
}
