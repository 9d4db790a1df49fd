// First: class-transformer's decorators in libs/contracts need it when they load (libs/contracts does not import it).
import 'reflect-metadata';
import { runService } from '@app/messaging';
import { TrainerConfig } from './trainer.config';
import { TrainerModule } from './trainer.module';

runService({
  service: 'trainer',
  configClass: TrainerConfig,
  module: (config, logger) => TrainerModule.forRoot(config, logger),
});
