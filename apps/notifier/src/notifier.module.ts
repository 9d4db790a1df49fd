import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { InAppRepository } from './in-app.repository';
import { NotificationService } from './notification.service';
import { NotifierConfig } from './notifier.config';

@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig, logger: AppLogger): DynamicModule {
    return {
      module: NotifierModule,
      imports: [ServiceModule.forRoot({ service: 'notifier', config, configClass: NotifierConfig, logger })],
      providers: [InAppRepository, NotificationService],
    };
  }
}
