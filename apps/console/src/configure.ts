import type { INestApplication } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppLogger } from '@app/common';
import { SESSION_COOKIE } from './auth/session.guard';
import type { ConsoleConfig } from './console.config';
import { webDir } from './console.config';
import { serveWebUi } from './web';

/** The console's HTTP set-up before it listens: cookies, the OpenAPI document at /api/docs, the web UI. */
export function configureConsole(app: INestApplication, config: ConsoleConfig, logger: AppLogger): void {
  app.use(cookieParser());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Union Eyes ML console API')
      .setDescription(
        'The operations console: the fleet, a model over time, alerts, and the actions on them. Signed in ' +
          'with a session cookie; every POST and DELETE needs X-CSRF-Token (GET /api/me).',
      )
      .setVersion('1')
      .addCookieAuth(SESSION_COOKIE)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json' });
  serveWebUi(app, webDir(config), logger);
}
