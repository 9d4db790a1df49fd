import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { errorMessage } from '@app/common';
import { ormConfig } from '@app/database';

/** The database could not be reached: the command cannot do anything (exit 1, one line). */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`cannot connect to the database: ${errorMessage(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Runs `work` with an EntityManager of its own on a small pool, and always closes the pool: a CLI run
 * opens the database once, reads through the read models of libs/database, and exits.
 */
export async function withDatabase<T>(url: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormConfig({ databaseUrl: url, poolMax: 2 }));
  } catch (error) {
    throw new DatabaseUnavailableError(error);
  }
  try {
    return await work(orm.em.fork());
  } finally {
    await orm.close(true);
  }
}
