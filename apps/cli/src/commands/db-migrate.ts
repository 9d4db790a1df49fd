import type { CliIO } from '@app/common';
import { migrate } from '@app/database';
import type { CliConfig } from '../cli.config';
import type { ExitCode } from './types';

/** `db:migrate`: creates the database if missing, applies the migrations, and regenerates the grants. */
export async function dbMigrate(config: CliConfig, { out }: CliIO): Promise<ExitCode> {
  const r = await migrate(config.DATABASE_URL);
  out(
    `database ${r.database}: ${r.databaseCreated ? 'created' : 'exists'}; ${r.applied.length === 0 ? 'schema up to date' : `applied ${r.applied.join(', ')}`}`,
  );
  return 0;
}
