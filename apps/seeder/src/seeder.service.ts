import { Injectable } from '@nestjs/common';
import { DomainError, errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { seedPlatform } from './seeding/seeding.service';
import { SeederConfig, versionOneTraining } from './seeder.config';

/** Seeds the platform when CI (or the CLI) publishes seed.requested; answers seed.completed or seed.failed. */
@Injectable()
export class SeederService {
  constructor(private readonly config: SeederConfig) {}

  @OnEvent('seed.requested')
  async onSeedRequested(event: Envelope<'seed.requested'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    if (p.reset && this.config.NODE_ENV === 'production') {
      await ctx.emit('seed.failed', {
        code: 'RESET_REFUSED',
        reason:
          'reset refused: NODE_ENV=production (reset production data only from the command line, with --yes-i-know)',
      });
      return;
    }
    try {
      // Seeding streams with COPY on its own connection and transaction; its run id is the event id, so
      // a redelivery after a completed seed answers from seed_runs instead of seeding again.
      const result = await seedPlatform(
        {
          tenants: p.tenants,
          usersPerTenant: p.users,
          claimsPerTenant: p.claims,
          seed: p.seed ?? 42,
          scenario: p.scenario ?? 'default',
          reset: p.reset ?? false,
          now: startOfUtcDay(new Date(event.occurredAt)),
        },
        {
          databaseUrl: this.config.DATABASE_URL,
          runId: event.id,
          out: (line) => line.trim() && ctx.log.info(line.trim()),
          training: versionOneTraining(this.config),
        },
      );
      await ctx.emit('seed.completed', {
        summary: result.summary,
        tenantIds: result.tenantIds,
        durationMs: result.durationMs,
      });
      ctx.log.info(
        result.replayed ? 'seed request already completed; answered from seed_runs' : 'seeding complete',
        { ...result.summary, durationMs: result.durationMs },
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await ctx.emit('seed.failed', { code: err.code, reason: errorMessage(err) });
      ctx.log.warn('seeding failed', { code: err.code, err });
    }
  }
}

export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
