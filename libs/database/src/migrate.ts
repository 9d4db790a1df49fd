import { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase } from './ensure-database';
import { ormConfig } from './orm-config';
import { grantStatements } from './ownership';
import { connectsAsSuperuser, OWNER_ROLE, provisionDatabase, urlForRole } from './roles';

export interface MigrateResult {
  databaseCreated: boolean;
  database: string;
  applied: string[];
  /** The role the migrations ran as. */
  ranAs: string;
}

/**
 * Creates the database if missing, then applies pending migrations as the owner role. Given a superuser
 * URL (development, tests, the demo), it first provisions the roles and hands the database to ue_owner,
 * then migrates as ue_owner; given any other URL (production: the owner's), it migrates as that user.
 * Then it makes the service roles' table grants equal the ownership map. Running it twice is harmless.
 */
export async function migrate(databaseUrl: string): Promise<MigrateResult> {
  const { created, name } = await ensureDatabase(databaseUrl);
  let ownerUrl = databaseUrl;
  if (await connectsAsSuperuser(databaseUrl)) {
    await provisionDatabase(databaseUrl);
    ownerUrl = urlForRole(databaseUrl, OWNER_ROLE);
  }
  const orm = await MikroORM.init(ormConfig({ databaseUrl: ownerUrl, poolMax: 2 }));
  try {
    const applied = await orm.getMigrator().up();
    // The grants follow the ownership map, whatever the migrations granted before it existed.
    await orm.em.fork().transactional(async (em) => {
      for (const statement of grantStatements()) await em.execute(statement);
    });
    return {
      databaseCreated: created,
      database: name,
      applied: applied.map((m) => m.name),
      ranAs: decodeURIComponent(new URL(ownerUrl).username),
    };
  } finally {
    await orm.close(true);
  }
}
