import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { DriftCheckRepository } from './drift-check.repository';
import { DriftMonitorConfig } from './drift-monitor.config';
import { DriftMonitorService } from './drift-monitor.service';

@Module({})
export class DriftMonitorModule {
  static forRoot(config: DriftMonitorConfig, logger: AppLogger): DynamicModule {
    return {
      module: DriftMonitorModule,
      imports: [
        ServiceModule.forRoot({ service: 'drift-monitor', config, configClass: DriftMonitorConfig, logger }),
      ],
      providers: [DriftCheckRepository, DriftMonitorService],
    };
  }
}
