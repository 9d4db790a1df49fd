import { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase } from './ensure-database';
import { ormConfig } from './orm-config';

export interface MigrateResult {
  databaseCreated: boolean;
  database: string;
  applied: string[];
}

/** Creates the database if missing, then applies pending migrations. Running it twice is harmless. */
export async function migrate(databaseUrl: string): Promise<MigrateResult> {
  const { created, name } = await ensureDatabase(databaseUrl);
  const orm = await MikroORM.init(ormConfig({ databaseUrl, poolMax: 2 }));
  try {
    const applied = await orm.getMigrator().up();
    return { databaseCreated: created, database: name, applied: applied.map((m) => m.name) };
  } finally {
    await orm.close(true);
  }
}
