import { runService } from '@app/messaging';
import { ConsoleConfig } from './console.config';
import { ConsoleModule } from './console.module';
import { configureConsole } from './configure';

runService({
  service: 'console',
  configClass: ConsoleConfig,
  module: (config, logger) => ConsoleModule.forRoot(config, logger),
  configure: configureConsole,
});
