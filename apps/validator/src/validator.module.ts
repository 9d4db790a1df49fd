import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { requireXgboost } from '@app/ml';
import { ChallengerRepository } from './challenger.repository';
import { ModelRegistryRepository } from './model-registry.repository';
import { ValidatorConfig } from './validator.config';
import { ValidatorService } from './validator.service';

@Module({})
export class ValidatorModule {
  static forRoot(config: ValidatorConfig, logger: AppLogger): DynamicModule {
    // Candidates and champions are scored in this process: without XGBoost's library every validation fails.
    logger.info('XGBoost loaded', { version: requireXgboost(config.XGBOOST_LIBRARY) });
    return {
      module: ValidatorModule,
      imports: [
        ServiceModule.forRoot({ service: 'validator', config, configClass: ValidatorConfig, logger }),
      ],
      providers: [ModelRegistryRepository, ChallengerRepository, ValidatorService],
    };
  }
}
