import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { requireXgboost } from '@app/ml';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ModelCache } from './scoring/model-cache';
import { PredictionsRepository } from './scoring/predictions.repository';
import { ScoringService } from './scoring/scoring.service';
import { ScorerConfig } from './scorer.config';

@Module({})
export class ScorerModule {
  static forRoot(config: ScorerConfig, logger: AppLogger): DynamicModule {
    // Every claim is scored in this process: without XGBoost's library nothing can be.
    logger.info('XGBoost loaded', { version: requireXgboost(config.XGBOOST_LIBRARY) });
    return {
      module: ScorerModule,
      imports: [
        ServiceModule.forRoot({ service: 'scorer', config, configClass: ScorerConfig, logger }),
        OutcomesModule,
      ],
      providers: [ModelCache, PredictionsRepository, ScoringService],
    };
  }
}
