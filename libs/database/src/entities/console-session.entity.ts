import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';

/**
 * A signed-in person's session in the console (apps/console). The cookie carries a random token; only its
 * SHA-256 is stored, so a copy of this table signs nobody in. Who the person is and what they may see is
 * fixed at sign-in (role, tenant), and the CSRF token every change must echo lives here too.
 */
@Entity({ tableName: 'console_sessions' })
@Index({ properties: ['expiresAt'] })
export class ConsoleSession {
  /** SHA-256 of the cookie's token, hex. */
  @PrimaryKey({ type: 'text' })
  tokenHash: string;

  @Property({ type: 'text' })
  userId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  email: string;

  /** `operator` (every tenant) or `tenant_admin` (tenantId only). */
  @Property({ type: 'text' })
  role: 'operator' | 'tenant_admin';

  @Property({ type: 'text', nullable: true })
  tenantId: string | null = null;

  /** How the person signed in: `oidc` or `dev`. */
  @Property({ type: 'text' })
  method: 'oidc' | 'dev';

  @Property({ type: 'text' })
  csrfToken: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime' })
  expiresAt: Date;
}
