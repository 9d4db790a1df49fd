import { parseArgs } from 'node:util';

/** A bad command line: exit 2 with usage, before any connection is opened. */
export class UsageError extends Error {}

/** Exit code of every command line tool here for bad usage (the same in the container entrypoint). */
export const EXIT_USAGE = 2;

interface FlagText {
  /** One line for the command's --help. */
  help?: string;
  /** The value's placeholder in the help (default N for numbers, the choices, or VALUE). */
  metavar?: string;
}

export type FlagSpec = Record<
  string,
  | ({ type: 'int'; min: number; max: number } & FlagText)
  | ({ type: 'string'; pattern?: RegExp; choices?: readonly string[] } & FlagText)
  | ({ type: 'bool' } & FlagText)
>;

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/** Where a command writes: results to `out` (stdout), errors and usage to `err` (stderr). */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The process's own streams. */
export const STDIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A single function (tests that read everything a command said) stands for both streams. */
export function toIO(io: CliIO | ((line: string) => void) | undefined): CliIO {
  if (io === undefined) return STDIO;
  return typeof io === 'function' ? { out: io, err: io } : io;
}

/** The option a node:util parseArgs error is about, as the user typed it. */
function optionOf(message: string): string {
  return /'(--?[^' <]+)/.exec(message)?.[1] ?? '';
}

/**
 * Parses `--name value` / `--name=value` / `--flag` with node:util's parseArgs (strict: unknown options,
 * missing values and values given to switches are refused), then checks each value against its table
 * entry: whole numbers in range, choices, patterns. Every problem is a UsageError naming the option.
 */
export function parseFlags(
  argv: readonly string[],
  spec: FlagSpec,
): { flags: ParsedFlags; positional: string[] } {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, def]) => [name, { type: def.type === 'bool' ? 'boolean' : 'string' }]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  // `--claims -5` means a negative number, which parseArgs would call ambiguous: hand it the value inline
  // so that the range check below answers with what is wrong.
  const args = argv.flatMap((arg, i): string[] => {
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    const next = argv[i + 1];
    if (spec[name]?.type === 'int' && next !== undefined && /^-\d/.test(next)) return [`${arg}=${next}`];
    const prev = argv[i - 1];
    if (prev?.startsWith('--') && spec[prev.slice(2)]?.type === 'int' && /^-\d/.test(arg)) return [];
    return [arg];
  });
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const message = e.message ?? String(err);
    const option = optionOf(message);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option}`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw new UsageError(`${option} takes no value`);
      if (/ambiguous/.test(message))
        throw new UsageError(`${option} needs a value (one that starts with "-" is written ${option}=VALUE)`);
      throw new UsageError(`${option} needs a value`);
    }
    throw new UsageError(message.split('\n')[0] ?? message);
  }
  const flags: ParsedFlags = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    const def = spec[name]!;
    if (def.type === 'bool' || typeof value !== 'string') {
      flags[name] = value;
      continue;
    }
    if (def.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
      const n = Number(value);
      if (n < def.min || n > def.max)
        throw new UsageError(`--${name} must be between ${def.min} and ${def.max}, got ${value}`);
      flags[name] = n;
    } else {
      if (def.choices && !def.choices.includes(value))
        throw new UsageError(`--${name} must be one of ${def.choices.join(', ')}, got "${value}"`);
      if (def.pattern && !def.pattern.test(value))
        throw new UsageError(`--${name} has an invalid value "${value}"`);
      flags[name] = value;
    }
  }
  return { flags, positional: parsed.positionals };
}

/** `--name N`, `--model a|b`, `--force`: an option as the usage line shows it. */
export function flagSynopsis(name: string, def: FlagSpec[string]): string {
  if (def.type === 'bool') return `--${name}`;
  const metavar = def.metavar ?? (def.type === 'int' ? 'N' : def.choices ? def.choices.join('|') : 'VALUE');
  return `--${name} ${metavar}`;
}

/** The options of a command, one per line, with their help and what values they take. */
export function flagsHelp(spec: FlagSpec): string[] {
  const rows = Object.entries(spec).map(([name, def]) => {
    let text = def.help ?? '';
    if (def.type === 'int') {
      const range = `${def.min}-${def.max}`;
      // "claims per tenant (default 200)" -> "claims per tenant (default 200; 1-1000000)"
      text = text.endsWith(')') ? `${text.slice(0, -1)}; ${range})` : `${text} (${range})`.trim();
    }
    return [flagSynopsis(name, def), text] as const;
  });
  const width = Math.max(0, ...rows.map(([s]) => s.length)) + 2;
  return rows.map(([s, h]) => `  ${s.padEnd(width)}${h}`.trimEnd());
}
