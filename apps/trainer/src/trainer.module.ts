import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { requireXgboost } from '@app/ml';
import { AzureMlBackend, validateAzureMlConfig } from './backends/azureml.backend';
import { LocalBackend } from './backends/local.backend';
import { TRAINING_BACKEND } from './backends/training-backend';
import type { TrainingBackend } from './backends/training-backend';
import { AzureMlPoller } from './azureml-poller';
import { LeaseSweeper } from './lease-sweeper';
import { RunOutcomes } from './run-outcomes';
import { TrainerConfig } from './trainer.config';
import { TrainerService } from './trainer.service';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

@Module({})
export class TrainerModule {
  static forRoot(config: TrainerConfig, logger: AppLogger): DynamicModule {
    // Checked before anything connects: a misconfigured backend stops the trainer with the list of problems.
    if (config.TRAINER_BACKEND === 'azureml') validateAzureMlConfig(config);
    // The local backend trains in this process: without XGBoost's library it could only fail every run.
    else logger.info('XGBoost loaded', { version: requireXgboost(config.XGBOOST_LIBRARY) });
    return {
      module: TrainerModule,
      imports: [ServiceModule.forRoot({ service: 'trainer', config, configClass: TrainerConfig, logger })],
      providers: [
        TrainingDataRepository,
        TrainingRunRepository,
        RunOutcomes,
        {
          provide: TRAINING_BACKEND,
          useFactory: (): TrainingBackend =>
            config.TRAINER_BACKEND === 'azureml' ? new AzureMlBackend(config) : new LocalBackend(config),
        },
        TrainerService,
        LeaseSweeper,
        AzureMlPoller,
      ],
    };
  }
}
