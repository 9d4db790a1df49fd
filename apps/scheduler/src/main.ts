import { runService } from '@app/messaging';
import { SchedulerConfig } from './scheduler.config';
import { SchedulerModule } from './scheduler.module';

runService({
  service: 'scheduler',
  configClass: SchedulerConfig,
  module: (config, logger) => SchedulerModule.forRoot(config, logger),
});
