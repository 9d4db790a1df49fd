import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { requireXgboost } from '@app/ml';
import { SeederConfig } from './seeder.config';
import { SeederService } from './seeder.service';

@Module({})
export class SeederModule {
  static forRoot(config: SeederConfig, logger: AppLogger): DynamicModule {
    // Version 1 of every model is trained while seeding: without XGBoost's library every seed fails.
    logger.info('XGBoost loaded', { version: requireXgboost(config.XGBOOST_LIBRARY) });
    return {
      module: SeederModule,
      imports: [ServiceModule.forRoot({ service: 'seeder', config, configClass: SeederConfig, logger })],
      providers: [SeederService],
    };
  }
}
