import { runService } from '@app/messaging';
import { TrainerConfig } from './trainer.config';
import { TrainerModule } from './trainer.module';

runService({
  service: 'trainer',
  configClass: TrainerConfig,
  module: (config, logger) => TrainerModule.forRoot(config, logger),
});
