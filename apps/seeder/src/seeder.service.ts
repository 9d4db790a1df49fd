import { Injectable } from '@nestjs/common';
import { DomainError, errorMessage } from '@app/common';
import type { Envelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { SeedingService } from './seeding/seeding.service';
import { SeederConfig } from './seeder.config';

/** Seeds the platform when CI (or the CLI) publishes seed.requested; answers seed.completed or seed.failed. */
@Injectable()
export class SeederService {
  constructor(
    private readonly seeding: SeedingService,
    private readonly config: SeederConfig,
  ) {}

  @OnEvent('seed.requested')
  async onSeedRequested(event: Envelope<'seed.requested'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const started = Date.now();
    if (p.reset && this.config.NODE_ENV === 'production') {
      await ctx.emit('seed.failed', { code: 'RESET_REFUSED', reason: 'reset refused: NODE_ENV=production (reset production data from the CLI with explicit confirmation)' });
      return;
    }
    try {
      // A savepoint: a failed seed leaves nothing behind, while seed.failed still commits.
      const result = await ctx.em.transactional((em) =>
        this.seeding.run(
          em,
          { tenants: p.tenants, usersPerTenant: p.users, claimsPerTenant: p.claims, seed: p.seed ?? 42, scenario: p.scenario ?? 'default', reset: p.reset ?? false, now: new Date(event.occurredAt) },
          (line) => ctx.log.info(line),
        ),
      );
      await ctx.emit('seed.completed', { summary: result.summary, tenantIds: result.tenantIds, durationMs: Date.now() - started });
      ctx.log.info('seeding complete', { ...result.summary });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await ctx.emit('seed.failed', { code: err.code, reason: errorMessage(err) });
      ctx.log.warn('seeding failed', { code: err.code, reason: err.message });
    }
  }
}
