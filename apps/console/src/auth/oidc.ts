import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type * as Oidc from 'openid-client';
import { AppLogger, errorMessage } from '@app/common';
import { ConsoleConfig } from '../console.config';
import { ConsoleError } from '../errors';

/** What travels, signed, in the short-lived cookie between /auth/login and /auth/callback. */
interface PendingSignIn {
  state: string;
  verifier: string;
  /** Epoch ms after which the callback is refused. */
  exp: number;
}

export const PENDING_COOKIE = 'ue_console_oidc';
const PENDING_MS = 10 * 60 * 1000;

/**
 * OpenID Connect with `openid-client` (authorization code flow with PKCE and state). The issuer is
 * discovered once, on first use, so the console starts while the identity provider is still starting.
 * openid-client is an ES module: it is imported where it is needed (Node 20 loads it from CommonJS).
 */
@Injectable()
export class OidcService {
  private configuration?: Promise<{ lib: typeof Oidc; config: Oidc.Configuration }>;

  constructor(
    private readonly c: ConsoleConfig,
    private readonly log: AppLogger,
  ) {}

  get enabled(): boolean {
    return this.c.OIDC_ISSUER !== '';
  }

  private discover(): Promise<{ lib: typeof Oidc; config: Oidc.Configuration }> {
    this.configuration ??= (async () => {
      const lib = await import('openid-client');
      const issuer = new URL(this.c.OIDC_ISSUER);
      // Plain http only for a development issuer on this machine; production issuers are https.
      const insecure =
        issuer.protocol === 'http:' &&
        this.c.NODE_ENV !== 'production' &&
        ['127.0.0.1', 'localhost'].includes(issuer.hostname);
      const config = await lib.discovery(
        issuer,
        this.c.OIDC_CLIENT_ID,
        this.c.OIDC_CLIENT_SECRET,
        undefined,
        insecure ? { execute: [lib.allowInsecureRequests] } : undefined,
      );
      return { lib, config };
    })().catch((err: unknown) => {
      // A failed discovery is tried again at the next sign-in.
      this.configuration = undefined;
      this.log.error('OIDC discovery failed', { issuer: this.c.OIDC_ISSUER, err: errorMessage(err) });
      throw new ConsoleError(
        'SIGN_IN_FAILED',
        `the identity provider could not be reached: ${errorMessage(err)}`,
      );
    });
    return this.configuration;
  }

  /** The issuer's authorization URL, and the signed cookie value that the callback must bring back. */
  async start(): Promise<{ url: string; pending: string }> {
    const { lib, config } = await this.discover();
    const verifier = lib.randomPKCECodeVerifier();
    const state = lib.randomState();
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: this.c.OIDC_REDIRECT_URL,
      scope: 'openid email profile',
      code_challenge: await lib.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return { url: url.href, pending: this.sign({ state, verifier, exp: Date.now() + PENDING_MS }) };
  }

  /** Exchanges the callback's code; answers the verified ID token's email and name. */
  async finish(
    callbackUrl: URL,
    pendingCookie: string | undefined,
  ): Promise<{ email: string; name: string }> {
    const pending = pendingCookie ? this.verify(pendingCookie) : null;
    if (!pending || pending.exp < Date.now())
      throw new ConsoleError(
        'SIGN_IN_FAILED',
        'the sign-in took too long or did not start here: sign in again',
      );
    const { lib, config } = await this.discover();
    let claims: Oidc.IDToken | undefined;
    try {
      const tokens = await lib.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
      });
      claims = tokens.claims();
    } catch (err) {
      throw new ConsoleError(
        'SIGN_IN_FAILED',
        `the identity provider refused the sign-in: ${errorMessage(err)}`,
      );
    }
    const email = typeof claims?.email === 'string' ? claims.email : '';
    if (!email)
      throw new ConsoleError('SIGN_IN_FAILED', 'the identity provider gave no email for this person');
    if (claims?.email_verified === false)
      throw new ConsoleError('NOT_A_CONSOLE_USER', `${email} is not verified by the identity provider`);
    const name = typeof claims?.name === 'string' && claims.name ? claims.name : email;
    return { email, name };
  }

  private sign(p: PendingSignIn): string {
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  private verify(value: string): PendingSignIn | null {
    const [body, mac] = value.split('.');
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
      return typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.exp === 'number'
        ? { state: p.state, verifier: p.verifier, exp: p.exp }
        : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.c.CONSOLE_SESSION_SECRET).update(body).digest('base64url');
  }
}
