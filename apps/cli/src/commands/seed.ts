import { createEnvelope, PLATFORM_TENANT } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import type { CliIO, ParsedFlags } from '@app/common';
import { CliBus } from '../bus';
import type { CliConfig } from '../cli.config';
import type { ExitCode } from './types';

/** `seed`: asks the seeder to seed the platform (seed.requested) and waits for its answer. */
export async function seed(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const bus = await CliBus.open(config.NATS_URL, config.SUBJECT_PREFIX);
  try {
    const request = createEnvelope(
      'seed.requested',
      {
        tenants: (flags.tenants as number | undefined) ?? 3,
        users: (flags.users as number | undefined) ?? 50,
        claims: (flags.claims as number | undefined) ?? 200,
        seed: (flags.seed as number | undefined) ?? 42,
        reset: (flags.reset as boolean | undefined) ?? false,
        scenario: (flags.scenario as 'default' | 'drift' | undefined) ?? 'default',
        requestedBy: 'cli',
      },
      { tenantId: PLATFORM_TENANT },
    );
    out(`🌱 seed.requested ${JSON.stringify(request.payload)} (correlation ${request.correlationId})`);
    await bus.publish(request);
    let result: Envelope | undefined;
    const finished = await bus.watch(
      (e) => {
        if (
          e.correlationId !== request.correlationId ||
          (e.type !== 'seed.completed' && e.type !== 'seed.failed')
        )
          return false;
        result = e;
        return true;
      },
      ((flags.timeout as number | undefined) ?? 300) * 1000,
    );
    if (!finished || !result) {
      err('⏱  no answer from the seeder: is it running? (npm run start:seeder)');
      return 1;
    }
    if (result.type === 'seed.failed') {
      const p = (result as Envelope<'seed.failed'>).payload;
      err(`❌ seeding failed (${p.code}): ${p.reason}`);
      return 1;
    }
    const p = (result as Envelope<'seed.completed'>).payload;
    out(
      `✅ seeded in ${(p.durationMs / 1000).toFixed(1)} s: tenants ${p.summary.tenants}, users ${p.summary.users}, claims ${p.summary.claims}, ML predictions ${p.summary.predictions}, model metadata ${p.summary.modelMetadata}, feedback ${p.summary.feedback}`,
    );
    out(`   tenant ids: ${p.tenantIds.join(', ')}`);
    return 0;
  } finally {
    await bus.close();
  }
}
