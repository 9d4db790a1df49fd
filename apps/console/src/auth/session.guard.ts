import { createParamDecorator, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ConsoleError } from '../errors';
import { AuthService } from './auth.service';
import type { ConsoleUser } from './user';

export const SESSION_COOKIE = 'ue_console_session';
export const CSRF_HEADER = 'x-csrf-token';

type SignedInRequest = Request & { consoleUser?: ConsoleUser };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every /api route: a live session (401 otherwise), and on every change (POST, PUT, PATCH, DELETE) the
 * session's CSRF token echoed in `X-CSRF-Token` (403 otherwise). The cookie alone, which a browser sends
 * with a forged cross-site request, is never enough to change anything.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<SignedInRequest>();
    const cookies = req.cookies as Record<string, string | undefined> | undefined;
    const token = cookies?.[SESSION_COOKIE];
    const user = token ? await this.auth.session(token) : null;
    if (!user) throw new ConsoleError('NOT_SIGNED_IN', 'sign in first (GET /auth/config says how)');
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.header(CSRF_HEADER);
      if (!sent || !sameToken(sent, user.csrfToken))
        throw new ConsoleError(
          'CSRF_TOKEN_MISSING',
          'a change needs the X-CSRF-Token header with the token from GET /api/me',
        );
    }
    req.consoleUser = user;
    return true;
  }
}

/** The signed-in person of a route behind SessionGuard. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): ConsoleUser => {
  const user = ctx.switchToHttp().getRequest<SignedInRequest>().consoleUser;
  if (!user) throw new ConsoleError('NOT_SIGNED_IN', 'sign in first');
  return user;
});
