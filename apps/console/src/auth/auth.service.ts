import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inPlatformTransaction, tenantAdmins } from '@app/database';
import { AppLogger } from '@app/common';
import type { DevUser } from '../api/types';
import { ConsoleConfig, operatorEmails } from '../console.config';
import { ConsoleError } from '../errors';
import { SessionsRepository } from './sessions.repository';
import type { ConsoleUser, Identity } from './user';

/** The development sign-in's operator: not a row anywhere, a name from config. */
const DEV_OPERATOR_ID = 'dev-operator';

/**
 * Who may sign in and as what: platform operators (by email, CONSOLE_OPERATORS; in development the one
 * CONSOLE_DEV_OPERATOR) and each tenant's admins (the seeded profiles with role admin, their tenant only).
 * Sessions are the console's own table.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly orm: MikroORM,
    private readonly c: ConsoleConfig,
    private readonly sessions: SessionsRepository,
    private readonly log: AppLogger,
  ) {}

  /** The people the development sign-in lists: the operator first, then every tenant's admins. */
  async devUsers(): Promise<DevUser[]> {
    const admins = await inPlatformTransaction(this.orm, (em) => tenantAdmins(em));
    return [
      {
        userId: DEV_OPERATOR_ID,
        name: 'Platform operator',
        email: this.c.CONSOLE_DEV_OPERATOR,
        role: 'operator',
        tenantId: null,
        tenantName: null,
      },
      ...admins.map((a) => ({
        userId: a.userId,
        name: a.name,
        email: a.email,
        role: 'tenant_admin' as const,
        tenantId: a.tenantId,
        tenantName: a.tenantName,
      })),
    ];
  }

  /** Development sign-in as one of `devUsers`. */
  async devSignIn(userId: string): Promise<{ token: string; user: ConsoleUser; expiresAt: Date }> {
    const who = (await this.devUsers()).find((u) => u.userId === userId);
    if (!who) throw new ConsoleError('NOT_FOUND', `no such development user: ${userId}`);
    const identity: Identity = {
      userId: who.userId,
      name: who.name,
      email: who.email,
      role: who.role,
      tenantId: who.tenantId,
    };
    return this.open(identity, 'dev');
  }

  /** After OIDC: an operator by email, else the tenant admin with that email, else refused. */
  async oidcSignIn(claims: { email: string; name: string }): Promise<{
    token: string;
    user: ConsoleUser;
    expiresAt: Date;
  }> {
    const email = claims.email.toLowerCase();
    if (operatorEmails(this.c).has(email))
      return this.open(
        { userId: `oidc:${email}`, name: claims.name, email, role: 'operator', tenantId: null },
        'oidc',
      );
    const admins = await inPlatformTransaction(this.orm, (em) => tenantAdmins(em, { email }));
    if (admins.length !== 1) {
      this.log.warn('sign-in refused: not an operator nor exactly one tenant admin', {
        email,
        matches: admins.length,
      });
      throw new ConsoleError(
        'NOT_A_CONSOLE_USER',
        admins.length === 0
          ? `${email} is neither a platform operator nor a union local's admin`
          : `${email} is an admin of ${admins.length} tenants: ask an operator to sort out the profiles`,
      );
    }
    const a = admins[0]!;
    return this.open(
      { userId: a.userId, name: a.name, email: a.email, role: 'tenant_admin', tenantId: a.tenantId },
      'oidc',
    );
  }

  async session(token: string): Promise<ConsoleUser | null> {
    return this.orm.em.fork().transactional((em) => this.sessions.find(em, token));
  }

  async signOut(user: ConsoleUser): Promise<void> {
    await this.orm.em.fork().transactional((em) => this.sessions.delete(em, user.sessionKey));
  }

  private async open(
    who: Identity,
    method: 'oidc' | 'dev',
  ): Promise<{ token: string; user: ConsoleUser; expiresAt: Date }> {
    const opened = await this.orm.em.fork().transactional(async (em: EntityManager) => {
      await this.sessions.purgeExpired(em);
      return this.sessions.create(em, who, method, this.c.CONSOLE_SESSION_SECONDS);
    });
    this.log.info('signed in', {
      userId: who.userId,
      role: who.role,
      tenantId: who.tenantId ?? undefined,
      method,
    });
    return opened;
  }
}
