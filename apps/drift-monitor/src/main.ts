import { runService } from '@app/messaging';
import { DriftMonitorConfig } from './drift-monitor.config';
import { DriftMonitorModule } from './drift-monitor.module';

runService({
  service: 'drift-monitor',
  configClass: DriftMonitorConfig,
  module: (config, logger) => DriftMonitorModule.forRoot(config, logger),
});
