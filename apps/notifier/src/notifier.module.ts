import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { requireServiceToken } from '@app/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { AlertItemsRepository } from './alert-items.repository';
import { AlertsController } from './alerts.controller';
import { DigestService } from './digests';
import { DeliveriesRepository, RecipientsRepository } from './deliveries.repository';
import { Dispatcher } from './dispatcher';
import { NotificationService } from './notification.service';
import { NotifierConfig } from './notifier.config';
import { NotifierSecrets } from './notifier.secrets';

@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig, logger: AppLogger): DynamicModule {
    requireServiceToken(config, 'notifier');
    // Parsed before anything connects: bad endpoint settings stop the notifier with the list of problems.
    const secrets = new NotifierSecrets(config);
    // Webhook URLs and signing keys have no telltale shape: every line the notifier writes (its own,
    // Nest's, an error from an HTTP or SMTP client) is scrubbed of their values.
    logger.addSecrets(secrets.values);
    return {
      module: NotifierModule,
      imports: [ServiceModule.forRoot({ service: 'notifier', config, configClass: NotifierConfig, logger })],
      controllers: [AlertsController],
      providers: [
        { provide: NotifierSecrets, useValue: secrets },
        DeliveriesRepository,
        RecipientsRepository,
        AlertItemsRepository,
        DigestService,
        NotificationService,
        Dispatcher,
      ],
    };
  }
}
