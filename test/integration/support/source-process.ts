import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { serviceDatabaseUrl } from './harness';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * A service as its own process, run from the TypeScript sources (no build needed), as its own Postgres
 * role, with JSON logs on its piped stdout and stderr. `env` adds to or overrides the test's environment.
 */
export function spawnServiceFromSource(
  app: string,
  env: Record<string, string>,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', `apps/${app}/src/main.ts`],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: serviceDatabaseUrl(app),
        HTTP_PORT: '0',
        LOG_FORMAT: 'json',
        TS_NODE_PROJECT: 'tsconfig.json',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
