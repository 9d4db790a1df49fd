import { Client } from 'pg';

/** Creates the database named in `databaseUrl` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean; name: string }> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing database name ${JSON.stringify(name)}`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    // The cluster's catalog, before any MikroORM can connect: a literal (escaped by pg, on a name checked
    // above) rather than a second placeholder dialect.
    const found = await client.query(
      `select 1 from pg_database where datname = ${client.escapeLiteral(name)}`,
    );
    if (found.rowCount) return { created: false, name };
    try {
      await client.query(`create database "${name}"`);
    } catch (err) {
      // Two processes migrating at once: the other one created it first.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return { created: false, name };
    }
    return { created: true, name };
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
