/** A bad command line: exit 2 with usage, before any connection is opened. */
export class UsageError extends Error {}

export type FlagSpec = Record<
  string,
  | { type: 'int'; min: number; max: number }
  | { type: 'string'; pattern?: RegExp; choices?: readonly string[] }
  | { type: 'bool' }
>;

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/** Parses `--name value` / `--name=value` / `--flag` against a spec; unknown flags and bad values are UsageErrors. */
export function parseFlags(
  argv: readonly string[],
  spec: FlagSpec,
): { flags: ParsedFlags; positional: string[] } {
  const flags: ParsedFlags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const def = spec[rawName];
    if (!def) throw new UsageError(`unknown option --${rawName}`);
    if (def.type === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${rawName} takes no value`);
      flags[rawName] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${rawName} needs a value`);
    if (def.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`--${rawName} must be a whole number, got "${value}"`);
      const n = Number(value);
      if (n < def.min || n > def.max)
        throw new UsageError(`--${rawName} must be between ${def.min} and ${def.max}, got ${value}`);
      flags[rawName] = n;
    } else {
      if (def.choices && !def.choices.includes(value))
        throw new UsageError(`--${rawName} must be one of ${def.choices.join(', ')}, got "${value}"`);
      if (def.pattern && !def.pattern.test(value))
        throw new UsageError(`--${rawName} has an invalid value "${value}"`);
      flags[rawName] = value;
    }
  }
  return { flags, positional };
}
