import { runService } from '@app/messaging';
import { NotifierConfig } from './notifier.config';
import { NotifierModule } from './notifier.module';

runService({
  service: 'notifier',
  configClass: NotifierConfig,
  module: (config, logger) => NotifierModule.forRoot(config, logger),
});
