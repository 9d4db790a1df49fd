import { runService } from '@app/messaging';
import { ScorerConfig } from './scorer.config';
import { ScorerModule } from './scorer.module';

runService({
  service: 'scorer',
  configClass: ScorerConfig,
  module: (config, logger) => ScorerModule.forRoot(config, logger),
});
