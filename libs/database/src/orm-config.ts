import path from 'node:path';
import { defineConfig } from '@mikro-orm/postgresql';
import type { Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ReflectMetadataProvider } from '@mikro-orm/core';
import { ALL_ENTITIES } from './entities/all';

export interface OrmConfigInput {
  databaseUrl: string;
  debug?: boolean;
  /** Connections in the pool of this process. */
  poolMax?: number;
}

// Compiled migrations live beside this file in dist/, sources in libs/; pick whichever is running.
const runningFromTs = __filename.endsWith('.ts');

/** The one MikroORM configuration, used by every service, the CLI and the tests. */
export function ormConfig(input: OrmConfigInput): Options {
  return defineConfig({
    clientUrl: input.databaseUrl,
    entities: ALL_ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    debug: input.debug ?? false,
    allowGlobalContext: false,
    pool: { min: 0, max: input.poolMax ?? 10 },
    // TCP keep-alive: a connection whose peer vanished (a partition, a killed server without a reset) is
    // found dead and leaves the pool, instead of holding its query for ever.
    driverOptions: { connection: { keepAlive: true } },
    migrations: {
      path: path.join(__dirname, 'migrations'),
      pathTs: path.join(__dirname, 'migrations'),
      glob: runningFromTs ? '!(*.d).ts' : '*.js',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  });
}
