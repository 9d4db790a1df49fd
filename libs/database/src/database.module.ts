import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { BaseConfig } from '@app/common';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';

/**
 * MikroORM for a service (MikroORM's core module is global, so MikroORM is injectable everywhere). Services never use the global EntityManager: every message and every cron
 * tick forks its own (see libs/messaging).
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRootAsync({
          // Registers the driver's own MikroORM and EntityManager classes as providers too.
          driver: PostgreSqlDriver,
          inject: [BaseConfig],
          useFactory: (config: BaseConfig) => ({
            ...ormConfig({ databaseUrl: config.DATABASE_URL, poolMax: config.DB_POOL_MAX }),
            registerRequestContext: false,
          }),
        }),
      ],
    };
  }
}
