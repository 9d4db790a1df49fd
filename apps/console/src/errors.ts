import { Catch, HttpException } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AppLogger, DomainError, errorMessage } from '@app/common';
import type { ApiError } from './api/types';

/** Every code the console answers a request with; mapped to an HTTP status at the edge (ConsoleErrorFilter). */
export type ConsoleErrorCode =
  /** No session, or it expired: sign in. */
  | 'NOT_SIGNED_IN'
  /** A change without the session's CSRF token in `X-CSRF-Token`. */
  | 'CSRF_TOKEN_MISSING'
  /** Signed in, but the role may not do this. */
  | 'FORBIDDEN'
  /** The identity provider vouched for someone who is neither an operator nor a tenant's admin. */
  | 'NOT_A_CONSOLE_USER'
  /** Not there, or not the signed-in person's to see (the two are not told apart). */
  | 'NOT_FOUND'
  /** The rules refuse it as things stand (rollback to the active version, nothing to roll back). */
  | 'CONFLICT'
  /** A malformed query or body. */
  | 'BAD_INPUT'
  /** A sign-in through OIDC that failed (state, code, issuer). */
  | 'SIGN_IN_FAILED'
  /** The notifier did not answer, or answered with an error. */
  | 'NOTIFIER_UNAVAILABLE';

export class ConsoleError extends DomainError<ConsoleErrorCode> {}

const STATUS: Record<ConsoleErrorCode, number> = {
  NOT_SIGNED_IN: 401,
  CSRF_TOKEN_MISSING: 403,
  FORBIDDEN: 403,
  NOT_A_CONSOLE_USER: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BAD_INPUT: 400,
  SIGN_IN_FAILED: 400,
  NOTIFIER_UNAVAILABLE: 502,
};

/**
 * Console errors and Nest's HTTP exceptions (validation pipes) answer `ApiError` with their status; any
 * other error is a 500 that says nothing of its insides to the browser and is logged in full.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(private readonly log: AppLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let body: ApiError;
    if (err instanceof ConsoleError) {
      body = { statusCode: STATUS[err.code], error: err.code, message: err.message };
    } else if (err instanceof HttpException) {
      const r = err.getResponse();
      const message =
        typeof r === 'object' && r !== null && 'message' in r
          ? (r as { message: string | string[] }).message
          : err.message;
      body = { statusCode: err.getStatus(), error: err.name, message };
    } else {
      this.log.error('console request failed', { err: errorMessage(err) });
      body = { statusCode: 500, error: 'INTERNAL', message: 'internal error (logged)' };
    }
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }
}
