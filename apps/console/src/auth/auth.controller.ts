import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { CookieOptions, Request, Response } from 'express';
import type { AuthConfig, DevUser, Me } from '../api/types';
import { ConsoleConfig } from '../console.config';
import { ConsoleError } from '../errors';
import { AuthService } from './auth.service';
import { OidcService, PENDING_COOKIE } from './oidc';
import { CurrentUser, SESSION_COOKIE, SessionGuard } from './session.guard';
import type { ConsoleUser } from './user';

class DevLoginBody {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  userId: string;
}

export function me(user: ConsoleUser): Me {
  return {
    userId: user.userId,
    name: user.name,
    email: user.email,
    role: user.role,
    tenantId: user.tenantId,
    csrfToken: user.csrfToken,
  };
}

/** Sign-in (OIDC, or the development list), sign-out, and who is signed in. */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly c: ConsoleConfig,
    private readonly auth: AuthService,
    private readonly oidc: OidcService,
  ) {}

  private cookie(expires?: Date): CookieOptions {
    return { httpOnly: true, secure: this.c.CONSOLE_COOKIE_SECURE, sameSite: 'lax', path: '/', expires };
  }

  @Get('auth/config')
  config(): AuthConfig {
    return { oidc: this.oidc.enabled, devLogin: this.c.CONSOLE_DEV_LOGIN };
  }

  @Get('auth/dev/users')
  async devUsers(): Promise<DevUser[]> {
    if (!this.c.CONSOLE_DEV_LOGIN) throw new ConsoleError('NOT_FOUND', 'the development sign-in is off');
    return this.auth.devUsers();
  }

  @Post('auth/dev/login')
  @HttpCode(200)
  async devLogin(@Body() body: DevLoginBody, @Res({ passthrough: true }) res: Response): Promise<Me> {
    if (!this.c.CONSOLE_DEV_LOGIN) throw new ConsoleError('NOT_FOUND', 'the development sign-in is off');
    const { token, user, expiresAt } = await this.auth.devSignIn(body.userId);
    res.cookie(SESSION_COOKIE, token, this.cookie(expiresAt));
    return me(user);
  }

  /** Starts an OIDC sign-in: to the identity provider, with state and PKCE in a signed, short-lived cookie. */
  @Get('auth/login')
  async login(@Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new ConsoleError('NOT_FOUND', 'OIDC sign-in is not configured');
    const { url, pending } = await this.oidc.start();
    res.cookie(PENDING_COOKIE, pending, { ...this.cookie(), maxAge: 10 * 60 * 1000 });
    res.redirect(302, url);
  }

  /** The identity provider sends the browser back here; a failed sign-in goes back to the sign-in page, saying why. */
  @Get('auth/callback')
  async callback(@Req() req: Request, @Res() res: Response, @Query('error') error?: string): Promise<void> {
    res.clearCookie(PENDING_COOKIE, this.cookie());
    try {
      if (error) throw new ConsoleError('SIGN_IN_FAILED', `the identity provider said: ${error}`);
      const cookies = req.cookies as Record<string, string | undefined>;
      const url = new URL(req.originalUrl, this.c.OIDC_REDIRECT_URL);
      const claims = await this.oidc.finish(url, cookies[PENDING_COOKIE]);
      const { token, expiresAt } = await this.auth.oidcSignIn(claims);
      res.cookie(SESSION_COOKIE, token, this.cookie(expiresAt));
      res.redirect(302, '/');
    } catch (err) {
      if (!(err instanceof ConsoleError)) throw err;
      res.redirect(302, `/signin?error=${encodeURIComponent(err.message)}`);
    }
  }

  @Post('auth/logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async logout(@CurrentUser() user: ConsoleUser, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.signOut(user);
    res.clearCookie(SESSION_COOKIE, this.cookie());
  }

  @Get('api/me')
  @UseGuards(SessionGuard)
  whoAmI(@CurrentUser() user: ConsoleUser): Me {
    return me(user);
  }
}
