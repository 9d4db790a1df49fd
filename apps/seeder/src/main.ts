import { runService } from '@app/messaging';
import { SeederConfig } from './seeder.config';
import { SeederModule } from './seeder.module';

runService({
  service: 'seeder',
  configClass: SeederConfig,
  module: (config, logger) => SeederModule.forRoot(config, logger),
});
