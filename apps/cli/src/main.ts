import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  errorMessage,
  EXIT_USAGE,
  flagsHelp,
  flagSynopsis,
  loadConfig,
  parseFlags,
  STDIO,
  toIO,
  UsageError,
} from '@app/common';
import type { CliIO, FlagSpec } from '@app/common';
import { MODEL_TYPES } from '@app/domain';
import { CliConfig } from './cli.config';
import { ack } from './commands/ack';
import { check } from './commands/check';
import { dbMigrate } from './commands/db-migrate';
import { NATS_PROVISION_FLAGS, natsProvision } from './commands/nats-provision';
import { recipients } from './commands/recipients';
import type { RecipientsAction } from './commands/recipients';
import { rollback } from './commands/rollback';
import { seed } from './commands/seed';
import { status } from './commands/status';
import type { ExitCode } from './commands/types';
import { runDriftReport } from './drift-report/command';

const TENANT = /^[A-Za-z0-9_-]{1,100}$/;

export interface CommandDef {
  summary: string;
  /** Positional arguments, as the usage line shows them. */
  args?: string;
  flags: FlagSpec;
}

export const COMMANDS: Record<string, CommandDef> = {
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
      tenants: { type: 'int', min: 1, max: 1000, help: 'tenants to create (default 3)' },
      users: { type: 'int', min: 1, max: 100_000, help: 'users per tenant (default 50)' },
      claims: { type: 'int', min: 1, max: 1_000_000, help: 'claims per tenant (default 200)' },
      seed: { type: 'int', min: 0, max: 2_147_483_647, help: 'random seed (default 42)' },
      scenario: { type: 'string', choices: ['default', 'drift'], help: 'drift: the last 30 days shift' },
      reset: { type: 'bool', help: "delete the seeded tables' data first" },
      timeout: { type: 'int', min: 1, max: 3600, help: 'seconds to wait for the seeder (default 300)' },
    },
  },
  ack: {
    summary: 'acknowledge an alert (through the notifier); acknowledging twice is harmless',
    flags: {
      notification: {
        type: 'string',
        pattern: /^[0-9a-f-]{36}$/,
        metavar: 'ID',
        help: 'the alert (required)',
      },
      by: { type: 'string', pattern: /^.{1,200}$/, metavar: 'USER', help: 'who acknowledges (required)' },
      note: { type: 'string', pattern: /^[\s\S]{1,2000}$/, metavar: 'TEXT', help: 'a note kept with it' },
    },
  },
  recipients: {
    summary: 'list, add or remove the stakeholders a tenant notifies (through the notifier)',
    args: 'list|add|remove',
    flags: {
      tenant: { type: 'string', pattern: TENANT, metavar: 'ID', help: 'list, add: the tenant' },
      channel: {
        type: 'string',
        choices: ['email', 'slack', 'in_app', 'webhook'],
        help: 'add: how to reach the recipient',
      },
      address: {
        type: 'string',
        pattern: /^(?!https?:).{1,300}$/,
        metavar: 'A',
        help: 'add: e-mail address, Slack or webhook name, or user id',
      },
      name: { type: 'string', pattern: /^.{1,200}$/, metavar: 'NAME', help: 'add: display name' },
      events: {
        type: 'string',
        pattern: /^[a-z_.*]+(,[a-z_.*]+)*$/,
        metavar: 'a,b',
        help: 'add: event kinds to receive (default *)',
      },
      id: { type: 'string', pattern: /^[0-9a-f-]{36}$/, metavar: 'ID', help: 'remove: the recipient' },
    },
  },
  rollback: {
    summary: 'reactivate an earlier version of a model (its artifact and baselines), recorded as a rollback',
    flags: {
      tenant: { type: 'string', pattern: TENANT, metavar: 'ID', help: 'the tenant (required)' },
      model: { type: 'string', choices: MODEL_TYPES, help: 'the model (required)' },
      'to-version': {
        type: 'int',
        min: 1,
        max: 1_000_000,
        help: 'default: the version before the active one',
      },
      timeout: { type: 'int', min: 1, max: 3600, help: 'seconds to wait for the validator (default 60)' },
    },
  },
  status: {
    summary:
      'active version of every model per tenant, its last check, its shadow challenger, runs in progress and unacknowledged alerts',
    flags: {
      tenant: { type: 'string', pattern: TENANT, metavar: 'ID', help: 'one tenant only' },
      json: { type: 'bool', help: 'one JSON document on stdout, for scripts' },
    },
  },
  retrain: {
    summary:
      'run the drift check for every tenant and model [MODEL] (--force retrains anyway) and follow each pipeline to its end',
    args: '[MODEL]',
    flags: {
      tenant: { type: 'string', pattern: TENANT, metavar: 'ID', help: 'one tenant only' },
      force: { type: 'bool', help: 'retrain whatever the check finds' },
      timeout: { type: 'int', min: 1, max: 3600, help: 'seconds to follow the pipelines (default 120)' },
    },
  },
  check: {
    summary: 'like retrain, with --model instead of a positional model',
    flags: {
      tenant: { type: 'string', pattern: TENANT, metavar: 'ID', help: 'one tenant only' },
      model: { type: 'string', choices: MODEL_TYPES, help: 'one model only' },
      force: { type: 'bool', help: 'retrain whatever the check finds' },
      timeout: { type: 'int', min: 1, max: 3600, help: 'seconds to follow the pipelines (default 120)' },
    },
  },
};

const FOOTER = [
  'environment: DATABASE_URL, NATS_URL, SUBJECT_PREFIX, NOTIFIER_URL, NOTIFIER_TOKEN (see README)',
  `exit codes: 0 done, 1 the work failed or did not finish, ${EXIT_USAGE} bad usage`,
];

/** Every command, one paragraph each (`ue-cli --help`). */
export function usage(): string {
  return [
    'usage: ue-cli <command> [options]      ue-cli <command> --help      ue-cli --version',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => {
      const opts = Object.entries(c.flags).map(([f, d]) => `[${flagSynopsis(f, d)}]`);
      const synopsis = [c.args, ...opts].filter(Boolean).join(' ');
      return `  ${name.padEnd(11)} ${c.summary}\n              ${synopsis || '(no options)'}`;
    }),
    "  drift:report PSI of two CSV files, or of a tenant's model against its baselines (drift:report --help)",
    '',
    ...FOOTER,
  ].join('\n');
}

/**
 * Whether the command line asks for help: `--help` or `-h` where a flag may stand, not as the value of a
 * flag that takes one (`--users -h` is a bad value for --users: exit 2 with the usage, not help).
 */
function asksForHelp(args: readonly string[], spec: FlagSpec): boolean {
  return args.some((arg, i) => {
    if (arg !== '--help' && arg !== '-h') return false;
    const prev = i > 0 ? args[i - 1]! : '';
    const takesValue =
      prev.startsWith('--') && spec[prev.slice(2)] !== undefined && spec[prev.slice(2)]!.type !== 'bool';
    return !takesValue;
  });
}

/** One command's own help (`ue-cli <command> --help`, and after a bad command line of that command). */
export function commandUsage(name: string): string {
  const c = COMMANDS[name]!;
  const hasOptions = Object.keys(c.flags).length > 0;
  return [
    `usage: ue-cli ${name}${c.args ? ` ${c.args}` : ''}${hasOptions ? ' [options]' : ''}`,
    '',
    c.summary,
    '',
    'options:',
    ...flagsHelp({ ...c.flags, help: { type: 'bool', help: 'this text' } }),
    '',
    ...FOOTER,
  ].join('\n');
}

/** The version of this release (package.json, found upwards from this file: sources and dist differ in depth). */
export function cliVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'union-eyes-ml-platform') return pkg.version ?? 'unknown';
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/**
 * Runs one command line. Results go to `io.out`, errors and usage to `io.err` (a single function takes
 * both: tests). Arguments are checked before anything connects.
 */
export async function runCli(
  argv: readonly string[],
  output: CliIO | ((line: string) => void) = STDIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const io = toIO(output);
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    io.out(`ue-cli ${cliVersion()}`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    io.out(topic && COMMANDS[topic] ? commandUsage(topic) : usage());
    return 0;
  }
  if (!command) {
    io.err(usage());
    return EXIT_USAGE;
  }
  // drift:report has two modes with their own flags, and loads config only in database mode.
  if (command === 'drift:report') return runDriftReport(rest, io.out, io.err, env);
  const def = COMMANDS[command];
  try {
    if (!def) throw new UsageError(`unknown command "${command}"`);
    if (asksForHelp(rest, def.flags)) {
      io.out(commandUsage(command));
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
    if (command === 'ack' && (!flags.notification || !flags.by))
      throw new UsageError('ack needs --notification ID and --by USER');
    if (command === 'rollback' && (!flags.tenant || !flags.model))
      throw new UsageError('rollback needs --tenant and --model');
    const config = loadConfig(CliConfig, env);
    switch (command) {
      case 'db:migrate':
        return await dbMigrate(config, io);
      case 'nats:provision':
        return await natsProvision(config, flags, io);
      case 'seed':
        return await seed(config, flags, io);
      case 'status':
        return await status(config, flags, io);
      case 'recipients':
        return await recipients(config, flags.action as RecipientsAction, flags, io);
      case 'ack':
        return await ack(config, flags, io);
      case 'rollback':
        return await rollback(config, flags, io);
      default:
        return await check(config, flags, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\n\n${def ? commandUsage(command) : usage()}`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return EXIT_USAGE;
    }
    io.err(`error: ${errorMessage(err)}`);
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
