import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inPlatformTransaction, inTenantTransaction, Tenant } from '@app/database';
import { ConsoleError } from '../errors';
import type { ConsoleUser } from './user';

/**
 * Every query of a request runs under the signed-in person's tenant scope: PostgreSQL's row-level
 * security (app.tenant_id) then shows an admin their tenant's rows and no other, whatever the query. The
 * checks here only make the answer clear: another tenant's page is a 404, as a tenant that does not exist.
 */
@Injectable()
export class UserScope {
  constructor(private readonly orm: MikroORM) {}

  /** `work` in one tenant's scope, once the person may see it and it exists (404 otherwise). */
  async tenant<T>(user: ConsoleUser, tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (user.role !== 'operator' && user.tenantId !== tenantId)
      throw new ConsoleError('NOT_FOUND', `no tenant ${tenantId}`);
    return inTenantTransaction(this.orm, tenantId, async (em) => {
      const exists = await em.count(Tenant, { id: tenantId });
      if (exists === 0) throw new ConsoleError('NOT_FOUND', `no tenant ${tenantId}`);
      return work(em);
    });
  }

  /** `work` over everything the person may see: every tenant for an operator, their own for an admin. */
  all<T>(user: ConsoleUser, work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (user.role === 'operator') return inPlatformTransaction(this.orm, work);
    if (!user.tenantId) throw new ConsoleError('FORBIDDEN', 'a tenant admin without a tenant');
    return inTenantTransaction(this.orm, user.tenantId, work);
  }
}
