import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes a transaction-scoped advisory lock on `key` (hashed to Postgres' lock space), waiting for any
 * other transaction holding it; released at commit or rollback. SQL on purpose: MikroORM has no API
 * for advisory locks. Must run inside a transaction.
 */
export async function advisoryXactLock(em: EntityManager, key: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtext(?))', [key]);
}

/**
 * `advisoryXactLock` on several keys in one statement, taken in the keys' sorted order: two transactions
 * locking overlapping sets wait for each other instead of deadlocking.
 */
export async function advisoryXactLocks(em: EntityManager, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await em.execute(
    `select count(pg_advisory_xact_lock(hashtext(k)))
       from (select k from unnest(cast(? as text[])) as k order by k offset 0) as sorted`,
    [
      `{${[...keys]
        .sort()
        .map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`)
        .join(',')}}`,
    ],
  );
}
