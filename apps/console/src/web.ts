import { existsSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { AppLogger } from '@app/common';

/** Paths the server answers itself; everything else a browser asks for is the web UI. */
const SERVER_PATHS = /^\/(api|auth|health|metrics)(\/|$)/;

/**
 * Serves the built web UI (npm run build:web): its files as they are (hashed assets cached for a year),
 * and index.html for any other page path, so that /tenants/x/models/y works on reload. Without a build,
 * the API still runs and pages answer 503 saying how to build them.
 */
export function serveWebUi(app: INestApplication, dir: string, log: AppLogger): void {
  const index = path.join(dir, 'index.html');
  const built = existsSync(index);
  if (!built) log.warn('web UI not built: pages answer 503 (npm run build:web)', { dir });
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.use(
    '/assets',
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  http.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || SERVER_PATHS.test(req.path)) return next();
    if (!built) {
      res.status(503).type('text/plain').send('The console web UI is not built: run npm run build:web');
      return;
    }
    if (path.extname(req.path) !== '') {
      express.static(dir, { fallthrough: true, index: false })(req, res, next);
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
}
