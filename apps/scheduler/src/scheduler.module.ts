import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { requireServiceToken } from '@app/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { SchedulerConfig } from './scheduler.config';
import { SchedulerController } from './scheduler.controller';
import { SchedulerService } from './scheduler.service';
import { ScheduledRunsRepository } from './scheduled-runs.repository';

@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig, logger: AppLogger): DynamicModule {
    requireServiceToken(config, 'scheduler');
    return {
      module: SchedulerModule,
      imports: [
        ServiceModule.forRoot({ service: 'scheduler', config, configClass: SchedulerConfig, logger }),
        ScheduleModule.forRoot(),
      ],
      controllers: [SchedulerController],
      providers: [SchedulerService, ScheduledRunsRepository],
      exports: [SchedulerService],
    };
  }
}
