import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/**
 * Tenant isolation is enforced by PostgreSQL row-level security (migration RolesAndRowLevelSecurity):
 * a service role sees and writes only the rows whose tenant_id equals the transaction's `app.tenant_id`.
 * Unset (a query outside a scoped transaction) means no rows at all, so a forgotten scope fails closed.
 * The message edge (libs/messaging ConsumerHost) scopes every handler's transaction to its event's
 * tenant; the few sweeps that act for every tenant say so with `scopeToAllTenants`, which PostgreSQL
 * honours only for the roles granted ue_platform_scope (scheduler, trainer, notifier).
 */
export const TENANT_SETTING = 'app.tenant_id';
export const ALL_TENANTS = '*';

/** Scopes the current transaction to one tenant. Must run inside a transaction (`set_config(..., true)`). */
export async function scopeToTenant(em: EntityManager, tenantId: string): Promise<void> {
  if (tenantId === ALL_TENANTS || tenantId.length === 0) throw new Error(`not a tenant id: "${tenantId}"`);
  await em.execute('select set_config(?, ?, true)', [TENANT_SETTING, tenantId]);
}

/** Scopes the current transaction to every tenant (platform-wide sweeps). Must run inside a transaction. */
export async function scopeToAllTenants(em: EntityManager): Promise<void> {
  await em.execute('select set_config(?, ?, true)', [TENANT_SETTING, ALL_TENANTS]);
}

/** A transaction on a fresh EntityManager, scoped to one tenant. */
export function inTenantTransaction<T>(
  orm: MikroORM,
  tenantId: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return orm.em.fork().transactional(async (em) => {
    await scopeToTenant(em, tenantId);
    return work(em);
  });
}

/** A transaction on a fresh EntityManager, scoped to every tenant (only platform-scoped roles see rows). */
export function inPlatformTransaction<T>(orm: MikroORM, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return orm.em.fork().transactional(async (em) => {
    await scopeToAllTenants(em);
    return work(em);
  });
}
