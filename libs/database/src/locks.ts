import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes a transaction-scoped advisory lock on `key` (hashed to Postgres' lock space), waiting for any
 * other transaction holding it; released at commit or rollback. SQL on purpose: MikroORM has no API
 * for advisory locks. Must run inside a transaction.
 */
export async function advisoryXactLock(em: EntityManager, key: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtext(?))', [key]);
}
