import { runService } from '@app/messaging';
import { ValidatorConfig } from './validator.config';
import { ValidatorModule } from './validator.module';

runService({
  service: 'validator',
  configClass: ValidatorConfig,
  module: (config, logger) => ValidatorModule.forRoot(config, logger),
});
