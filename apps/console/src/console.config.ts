import path from 'node:path';
import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig, ConfigError } from '@app/common';

/**
 * The console's settings (docs/console.md). Sign-in is OpenID Connect in production (OIDC_ISSUER,
 * OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL); the development sign-in that lists seeded users
 * exists only with CONSOLE_DEV_LOGIN=true and refuses to start with NODE_ENV=production.
 */
export class ConsoleConfig extends BaseConfig {
  /** The console's port (browser, JSON API under /api, /health, /metrics). */
  override HTTP_PORT = 3000;

  /** Development sign-in: a list of the seeded admins and one operator, no password. Never in production. */
  @IsBoolean()
  CONSOLE_DEV_LOGIN = false;

  /** Who the development sign-in offers as the platform operator. */
  @IsString()
  CONSOLE_DEV_OPERATOR = 'operator@union-eyes.example.org';

  /** Emails (comma-separated) signed in through OIDC as platform operators; everyone else must be a tenant's admin. */
  @IsString()
  CONSOLE_OPERATORS = '';

  /** OpenID Connect issuer URL (discovery at /.well-known/openid-configuration); empty: no OIDC sign-in. */
  @IsString()
  OIDC_ISSUER = '';

  @IsString()
  OIDC_CLIENT_ID = '';

  @IsString()
  OIDC_CLIENT_SECRET = '';

  /** Where the issuer sends the browser back: https://<console>/auth/callback. */
  @IsString()
  OIDC_REDIRECT_URL = '';

  /** Signs the short-lived cookie that carries an OIDC sign-in's state and PKCE verifier (>= 32 characters). */
  @IsString()
  CONSOLE_SESSION_SECRET = '';

  /** A session ends this long after sign-in. */
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  CONSOLE_SESSION_SECONDS = 8 * 3600;

  /**
   * The session cookie's Secure flag. Browsers keep Secure cookies of http://localhost and 127.0.0.1
   * too, so only a plain-http console on another host (a lab) needs false.
   */
  @IsBoolean()
  CONSOLE_COOKIE_SECURE = true;

  /** The notifier's HTTP API: acknowledgements and recipients belong to it. */
  @Matches(/^https?:\/\/.+/, { message: 'NOTIFIER_URL must be an http(s) URL' })
  NOTIFIER_URL = 'http://127.0.0.1:3105';

  /** Sent to the notifier as `Authorization: Bearer <token>` (its SERVICE_TOKEN). */
  @IsString()
  NOTIFIER_TOKEN = '';

  /** How often the live alert stream looks for new alerts. */
  @IsInt()
  @Min(200)
  @Max(60_000)
  CONSOLE_ALERT_POLL_MS = 2000;

  /** The built web UI (npm run build:web); empty: dist/console-web next to the build. */
  @IsString()
  CONSOLE_WEB_DIR = '';
}

/** Checks what field-by-field validation cannot: combinations, and production's rules. Throws ConfigError. */
export function checkConsoleConfig(c: ConsoleConfig): void {
  const problems: string[] = [];
  if (c.CONSOLE_DEV_LOGIN && c.NODE_ENV === 'production')
    problems.push('CONSOLE_DEV_LOGIN=true is refused with NODE_ENV=production: sign in through OIDC');
  const oidc = [c.OIDC_ISSUER, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET, c.OIDC_REDIRECT_URL];
  if (oidc.some((v) => v !== '') && oidc.some((v) => v === ''))
    problems.push(
      'OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URL go together: set all four or none',
    );
  if (c.OIDC_ISSUER !== '' && c.CONSOLE_SESSION_SECRET.length < 32)
    problems.push('CONSOLE_SESSION_SECRET: at least 32 characters when OIDC is on (value not shown)');
  if (c.OIDC_ISSUER === '' && !c.CONSOLE_DEV_LOGIN)
    problems.push('nobody could sign in: configure OIDC_* (or CONSOLE_DEV_LOGIN=true in development)');
  if (c.NODE_ENV === 'production' && !c.CONSOLE_COOKIE_SECURE)
    problems.push('CONSOLE_COOKIE_SECURE=false is refused with NODE_ENV=production');
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Where the built web UI is. */
export function webDir(c: ConsoleConfig): string {
  // dist/apps/console/src/console.config.js -> dist/console-web
  return c.CONSOLE_WEB_DIR || path.resolve(__dirname, '../../../console-web');
}

export function operatorEmails(c: ConsoleConfig): Set<string> {
  return new Set(
    c.CONSOLE_OPERATORS.split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== ''),
  );
}
