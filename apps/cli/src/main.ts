import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/common';
import { MODEL_TYPES } from '@app/domain';
import { parseFlags, UsageError } from '@app/common';
import type { FlagSpec } from '@app/common';
import { CliConfig } from './cli.config';
import { ack, check, dbMigrate, recipients, rollback, seed, status } from './commands';
import { runDriftReport } from './drift-report/command';
import { NATS_PROVISION_FLAGS, natsProvision } from './nats-provision';
import type { ExitCode } from './commands';

const TENANT = /^[A-Za-z0-9_-]{1,100}$/;

export const COMMANDS: Record<string, { summary: string; flags: FlagSpec }> = {
  'db:migrate': {
    summary: 'create the database if missing, then apply migrations (safe to repeat)',
    flags: {},
  },
  'nats:provision': {
    summary:
      'create or update the JetStream streams with the deployed settings (STREAM_REPLICAS); the only step that changes them',
    flags: NATS_PROVISION_FLAGS,
  },
  seed: {
    summary: 'ask the seeder service to seed the platform and wait for its answer',
    flags: {
      tenants: { type: 'int', min: 1, max: 1000 },
      users: { type: 'int', min: 1, max: 100_000 },
      claims: { type: 'int', min: 1, max: 1_000_000 },
      seed: { type: 'int', min: 0, max: 2_147_483_647 },
      scenario: { type: 'string', choices: ['default', 'drift'] },
      reset: { type: 'bool' },
      timeout: { type: 'int', min: 1, max: 3600 },
    },
  },
  ack: {
    summary: 'acknowledge an alert (through the notifier); acknowledging twice is harmless',
    flags: {
      notification: { type: 'string', pattern: /^[0-9a-f-]{36}$/ },
      by: { type: 'string', pattern: /^.{1,200}$/ },
      note: { type: 'string', pattern: /^[\s\S]{1,2000}$/ },
    },
  },
  recipients: {
    summary:
      'stakeholder lists: recipients list --tenant ID | add --tenant ID --channel C --address A [--name N] [--events a,b] | remove --id ID',
    flags: {
      tenant: { type: 'string', pattern: TENANT },
      channel: { type: 'string', choices: ['email', 'slack', 'in_app', 'webhook'] },
      address: { type: 'string', pattern: /^(?!https?:).{1,300}$/ },
      name: { type: 'string', pattern: /^.{1,200}$/ },
      events: { type: 'string', pattern: /^[a-z_.*]+(,[a-z_.*]+)*$/ },
      id: { type: 'string', pattern: /^[0-9a-f-]{36}$/ },
    },
  },
  rollback: {
    summary: 'reactivate an earlier version of a model (its artifact and baselines), recorded as a rollback',
    flags: {
      tenant: { type: 'string', pattern: TENANT },
      model: { type: 'string', choices: MODEL_TYPES },
      'to-version': { type: 'int', min: 1, max: 1_000_000 },
      timeout: { type: 'int', min: 1, max: 3600 },
    },
  },
  status: {
    summary:
      'active version of every model per tenant, its last check, runs in progress and unacknowledged alerts',
    flags: { tenant: { type: 'string', pattern: TENANT } },
  },
  retrain: {
    summary:
      'run the drift check for every tenant and model [MODEL] (--force retrains anyway) and follow each pipeline to its end',
    flags: {
      tenant: { type: 'string', pattern: TENANT },
      force: { type: 'bool' },
      timeout: { type: 'int', min: 1, max: 3600 },
    },
  },
  check: {
    summary: 'like retrain, with --model instead of a positional model',
    flags: {
      tenant: { type: 'string', pattern: TENANT },
      model: { type: 'string', choices: MODEL_TYPES },
      force: { type: 'bool' },
      timeout: { type: 'int', min: 1, max: 3600 },
    },
  },
};

export function usage(): string {
  return [
    'usage: ue-cli <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => {
      const opts = Object.entries(c.flags).map(([f, d]) =>
        d.type === 'bool'
          ? `[--${f}]`
          : `[--${f} ${d.type === 'int' ? 'N' : d.type === 'string' && d.choices ? d.choices.join('|') : 'VALUE'}]`,
      );
      return `  ${name.padEnd(11)} ${c.summary}\n              ${opts.join(' ') || '(no options)'}`;
    }),
    "  drift:report PSI of two CSV files, or of a tenant's model against its baselines (drift:report --help)",
    '',
    'environment: DATABASE_URL, NATS_URL, SUBJECT_PREFIX (see README)',
    'exit codes: 0 done, 1 the work failed or timed out, 2 bad usage',
  ].join('\n');
}

export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out(usage());
    return command ? 0 : 2;
  }
  // drift:report has two modes with their own flags, and loads config only in database mode.
  if (command === 'drift:report')
    return runDriftReport(rest, out, (l) => process.stderr.write(`${l}\n`), env);
  const def = COMMANDS[command];
  try {
    if (!def) throw new UsageError(`unknown command "${command}"`);
    if (rest.includes('--help')) {
      out(usage());
      return 0;
    }
    const { flags, positional } = parseFlags(rest, def.flags);
    if (command === 'recipients') {
      const action = positional.shift();
      if (action !== 'list' && action !== 'add' && action !== 'remove')
        throw new UsageError('recipients needs list, add or remove');
      if ((action === 'list' || action === 'add') && !flags.tenant)
        throw new UsageError(`recipients ${action} needs --tenant`);
      if (action === 'add' && (!flags.channel || !flags.address))
        throw new UsageError('recipients add needs --channel and --address');
      if (action === 'remove' && !flags.id) throw new UsageError('recipients remove needs --id');
      flags.action = action;
    }
    // `retrain claim_outcome`: the spec's form, one positional model name.
    if (command === 'retrain' && positional.length === 1) {
      if (!(MODEL_TYPES as readonly string[]).includes(positional[0]!))
        throw new UsageError(`unknown model "${positional[0]}" (one of ${MODEL_TYPES.join(', ')})`);
      flags.model = positional.shift();
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const config = loadConfig(CliConfig, env);
    switch (command) {
      case 'db:migrate':
        return await dbMigrate(config, out);
      case 'nats:provision':
        return await natsProvision(config, flags, out);
      case 'seed':
        return await seed(config, flags, out);
      case 'status':
        return await status(config, flags, out);
      case 'recipients':
        return await recipients(config, String(flags.action), flags, out);
      case 'ack':
        if (!flags.notification || !flags.by)
          throw new UsageError('ack needs --notification ID and --by USER');
        return await ack(config, flags, out);
      case 'rollback':
        if (!flags.tenant || !flags.model) throw new UsageError('rollback needs --tenant and --model');
        return await rollback(config, flags, out);
      default:
        return await check(config, flags, out);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out(`error: ${err.message}\n\n${usage()}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      out(err.message);
      return 2;
    }
    out(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
