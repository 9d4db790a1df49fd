import { timingSafeEqual } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { BaseConfig } from '@app/common';

/**
 * A service's HTTP actions (the notifier's acknowledgements and recipients, the scheduler's manual run)
 * answer only callers that present the service's token, `Authorization: Bearer <SERVICE_TOKEN>`: the
 * console and the CLI. Without a token configured they are open (development; refused in production at
 * start-up, requireServiceToken). Compared in constant time.
 */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(config: BaseConfig) {
    this.expected = config.SERVICE_TOKEN ? Buffer.from(`Bearer ${config.SERVICE_TOKEN}`) : null;
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.expected === null) return true;
    const given = Buffer.from(ctx.switchToHttp().getRequest<Request>().header('authorization') ?? '');
    if (given.length === this.expected.length && timingSafeEqual(given, this.expected)) return true;
    throw new UnauthorizedException(
      'this action needs the service token (Authorization: Bearer <SERVICE_TOKEN>)',
    );
  }
}
