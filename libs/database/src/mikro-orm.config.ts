import { ormConfig } from './orm-config';

/**
 * The configuration `@mikro-orm/cli` loads (package.json "mikro-orm"), so that `npm run db:migration:create`
 * writes a migration from the entities and `npm run db:migration:check` fails when the entities and the
 * migrations disagree. It connects as whoever DATABASE_URL names: the owner role, which runs migrations.
 * A developer's tool, not a service: the services read their configuration through @app/common.
 */
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl)
  throw new Error('DATABASE_URL is not set: the MikroORM CLI needs the database to compare with');

export default ormConfig({ databaseUrl, poolMax: 2 });
