import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ScorerConfig } from './scorer.config';

@Module({})
export class ScorerModule {
  static forRoot(config: ScorerConfig, logger: AppLogger): DynamicModule {
    return {
      module: ScorerModule,
      imports: [
        ServiceModule.forRoot({ service: 'scorer', config, configClass: ScorerConfig, logger }),
        OutcomesModule,
      ],
    };
  }
}
