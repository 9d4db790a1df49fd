import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConsoleSession } from '@app/database';
import type { ConsoleUser, Identity } from './user';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The console's own table: sessions, keyed by the hash of the cookie's token. */
@Injectable()
export class SessionsRepository {
  /** A new session; answers the cookie's token (never stored) and the session. */
  async create(
    em: EntityManager,
    who: Identity,
    method: 'oidc' | 'dev',
    ttlSeconds: number,
  ): Promise<{ token: string; user: ConsoleUser; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const key = tokenHash(token);
    await em.insert(ConsoleSession, {
      tokenHash: key,
      userId: who.userId,
      name: who.name,
      email: who.email,
      role: who.role,
      tenantId: who.tenantId,
      method,
      csrfToken,
      expiresAt,
    });
    return { token, user: { ...who, csrfToken, sessionKey: key }, expiresAt };
  }

  /** The live session of a cookie's token, or null (unknown or expired). */
  async find(em: EntityManager, token: string): Promise<ConsoleUser | null> {
    const s = await em.findOne(
      ConsoleSession,
      { tokenHash: tokenHash(token), expiresAt: { $gt: new Date() } },
      { disableIdentityMap: true },
    );
    return s
      ? {
          userId: s.userId,
          name: s.name,
          email: s.email,
          role: s.role,
          tenantId: s.tenantId,
          csrfToken: s.csrfToken,
          sessionKey: s.tokenHash,
        }
      : null;
  }

  async delete(em: EntityManager, sessionKey: string): Promise<void> {
    await em.nativeDelete(ConsoleSession, { tokenHash: sessionKey });
  }

  /** Sessions past their end: nobody can use them; they go at each sign-in. */
  async purgeExpired(em: EntityManager): Promise<number> {
    return em.nativeDelete(ConsoleSession, { expiresAt: { $lte: new Date() } });
  }
}
