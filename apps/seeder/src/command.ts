import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  ConfigError,
  DomainError,
  EXIT_USAGE,
  loadConfig,
  parseFlags,
  STDIO,
  toIO,
  UsageError,
} from '@app/common';
import type { CliIO, FlagSpec } from '@app/common';
import { MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import { configureXgboost } from '@app/ml';
import { SeederConfig, versionOneTraining } from './seeder.config';
import { startOfUtcDay } from './seeder.service';
import { paceHeapForSeeding } from './seeding/heap';
import { seedClaims, seedPlatform, summaryLines } from './seeding/seeding.service';
import type { SeedPlan } from './seeding/seed-plan';

// `npm run seed:platform -- [options]`: the seeder as a command, doing in-process what the seeder
// service does on seed.requested. Arguments are checked before any connection is opened.

export const FLAGS: FlagSpec = {
  tenants: { type: 'int', min: 1, max: 1000 },
  users: { type: 'int', min: 1, max: 100_000 },
  claims: { type: 'int', min: 1, max: 1_000_000 },
  seed: { type: 'int', min: 0, max: 2_147_483_647 },
  scenario: { type: 'string', choices: ['default', 'drift'] },
  now: { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/ },
  reset: { type: 'bool' },
  'claims-only': { type: 'bool' },
  tenant: { type: 'string', pattern: /^[A-Za-z0-9_-]{1,100}$/ },
  'yes-i-know': { type: 'bool' },
  help: { type: 'bool' },
};

export const USAGE = `usage: npm run seed:platform -- [options]

  --tenants N        tenants to create (default 3, at most 1000)
  --users N          users per tenant (default 50): 70% members, 25% stewards, 5% admins
  --claims N         claims per tenant (default 200, at most 1,000,000)
  --seed N           random seed (default 42): the same seed and --now give the same rows, ids included
  --scenario NAME    default | drift (the last 30 days shift: PSI > 0.25 and 7-day accuracy falls)
  --now DATE         reference date of the seeded history (default: today, 00:00 UTC)
  --claims-only      add --claims claims (and their predictions) to existing tenants, from their own
                     members (npm run seed:claims); --tenant ID for one tenant only
  --reset            delete the seeded tables' data first (refused with NODE_ENV=production
                     unless --yes-i-know is given too)
  --help             this text

Version 1 of each model is deployed 90 days before --now, trained as the trainer trains (XGB_ROUNDS,
XGB_EARLY_STOPPING_ROUNDS, XGB_THREADS) on the claims whose label was known by then; a model with fewer
labelled claims than its minimum (${MODEL_TYPES.map((m) => `${m} ${MODEL_CONFIGS[m].minTrainingSamples}`).join(', ')}) gets none ("insufficient samples").

exit codes: 0 seeded, 1 seeding failed, 2 bad usage`;

/** Progress and the summary go to `out`, usage and failures to `err` (a single function takes both: tests). */
export async function runSeedCommand(
  argv: readonly string[],
  output: CliIO | ((line: string) => void),
  env: NodeJS.ProcessEnv,
  tty = false,
): Promise<0 | 1 | 2> {
  const { out, err: fail } = toIO(output);
  let plan: SeedPlan;
  let config: SeederConfig;
  let claimsOnly = false;
  let tenantId: string | undefined;
  try {
    const { flags, positional } = parseFlags(argv, FLAGS);
    if (flags.help) {
      out(USAGE);
      return 0;
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    config = loadConfig(SeederConfig, env);
    claimsOnly = flags['claims-only'] === true;
    tenantId = flags.tenant as string | undefined;
    if (tenantId && !claimsOnly) throw new UsageError('--tenant goes with --claims-only');
    if (claimsOnly && flags.reset)
      throw new UsageError('--claims-only adds to existing tenants: it cannot --reset');
    if (flags.reset && config.NODE_ENV === 'production' && !flags['yes-i-know']) {
      throw new UsageError(
        '--reset deletes all seeded data and NODE_ENV=production: add --yes-i-know to confirm',
      );
    }
    const now = flags.now ? new Date(String(flags.now)) : startOfUtcDay(new Date());
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now is not a date: ${String(flags.now)}`);
    plan = {
      tenants: (flags.tenants as number | undefined) ?? 3,
      usersPerTenant: (flags.users as number | undefined) ?? 50,
      claimsPerTenant: (flags.claims as number | undefined) ?? 200,
      seed: (flags.seed as number | undefined) ?? 42,
      scenario: (flags.scenario as 'default' | 'drift' | undefined) ?? 'default',
      reset: flags.reset === true,
      now,
    };
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      fail(`error: ${err.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw err;
  }

  configureXgboost(config.XGBOOST_LIBRARY);
  paceHeapForSeeding();
  const training = versionOneTraining(config);
  if (claimsOnly) {
    try {
      const r = await seedClaims(plan, {
        databaseUrl: config.DATABASE_URL,
        runId: randomUUID(),
        out,
        tty,
        tenantId,
        training,
      });
      out(
        `✅ ${r.claims} claims and ${r.predictions} predictions added to ${r.tenants} tenant(s) in ${(r.durationMs / 1000).toFixed(1)} s`,
      );
      return 0;
    } catch (err) {
      fail(`❌ ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
  }

  out('🌱 Union Eyes - Comprehensive Platform Seeding');
  out('===============================================');
  out('');
  out('Configuration:');
  out(`  Tenants: ${plan.tenants}`);
  out(`  Users per tenant: ${plan.usersPerTenant}`);
  out(`  Claims per tenant: ${plan.claimsPerTenant}`);
  out(`  Reset database: ${plan.reset}`);
  out(
    `  Seed: ${plan.seed}, scenario: ${plan.scenario}, history up to ${plan.now.toISOString().slice(0, 10)}`,
  );
  out('');
  try {
    const result = await seedPlatform(plan, {
      databaseUrl: config.DATABASE_URL,
      runId: randomUUID(),
      out,
      tty,
      training,
    });
    out('');
    for (const line of summaryLines(result.summary)) out(line);
    const rows = result.summary.claims + result.summary.predictions;
    out(
      `   Took ${(result.durationMs / 1000).toFixed(1)} s (${Math.round(rows / (result.durationMs / 1000)).toLocaleString('en-US')} claim and prediction rows/s)`,
    );
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      fail(`❌ ${err.message}`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    fail(`❌ seeding failed: ${message}`);
    if (/relation .* does not exist/.test(message))
      fail('   The schema is missing: run npm run db:migrate first.');
    return 1;
  }
}

if (require.main === module) {
  runSeedCommand(process.argv.slice(2), STDIO, process.env, process.stderr.isTTY === true)
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
