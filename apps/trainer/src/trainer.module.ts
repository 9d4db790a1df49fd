import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { LeaseSweeper } from './lease-sweeper';
import { TrainerConfig } from './trainer.config';
import { TrainerService } from './trainer.service';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

@Module({})
export class TrainerModule {
  static forRoot(config: TrainerConfig, logger: AppLogger): DynamicModule {
    return {
      module: TrainerModule,
      imports: [ServiceModule.forRoot({ service: 'trainer', config, configClass: TrainerConfig, logger })],
      providers: [TrainingDataRepository, TrainingRunRepository, TrainerService, LeaseSweeper],
    };
  }
}
