import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { ActionsService } from './api/actions.service';
import { AlertsController } from './api/alerts.controller';
import { FleetController } from './api/fleet.controller';
import { ModelsController } from './api/models.controller';
import { ModelsService } from './api/models.service';
import { RecipientsController } from './api/recipients.controller';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { OidcService } from './auth/oidc';
import { UserScope } from './auth/scope';
import { SessionGuard } from './auth/session.guard';
import { SessionsRepository } from './auth/sessions.repository';
import { checkConsoleConfig, ConsoleConfig } from './console.config';
import { ConsoleErrorFilter } from './errors';

@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig, logger: AppLogger): DynamicModule {
    checkConsoleConfig(config);
    return {
      module: ConsoleModule,
      imports: [ServiceModule.forRoot({ service: 'console', config, configClass: ConsoleConfig, logger })],
      controllers: [
        AuthController,
        FleetController,
        ModelsController,
        AlertsController,
        RecipientsController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ConsoleErrorFilter },
        AuthService,
        OidcService,
        SessionsRepository,
        SessionGuard,
        UserScope,
        ModelsService,
        ActionsService,
      ],
    };
  }
}
