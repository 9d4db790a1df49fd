import fc from 'fast-check';
import type { FlagSpec } from '@app/common';

// Generated bad command lines from a command's own flag table (property tests of the CLI and of
// seed:platform): each must be refused with exit 2 and its usage, before any connection.

/**
 * An environment whose database and NATS point at ports where nothing listens: a command line that
 * slipped through validation would try to connect and exit 1 instead of 2, and the test would see it.
 */
export const NOWHERE: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  NATS_URL: 'nats://127.0.0.1:1',
};

/** Values an int flag must refuse: out of range, not whole, not numbers. */
export function badInt(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: -1_000_000_000, max: min - 1 }).map(String),
    fc.integer({ min: max + 1, max: Math.max(max + 1, Number.MAX_SAFE_INTEGER) }).map(String),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Number.isInteger(d))
      .map(String),
    fc.string({ minLength: 1 }).filter((s) => !/^-?\d+$/.test(s) && !s.startsWith('--')),
  );
}

/**
 * Values a string flag must refuse: outside its choices or its pattern. Drawn from families that break
 * some pattern or other (short binary strings, over-long text, line breaks, URLs, spaces, empty), then
 * kept only when this flag refuses them; every family is common enough for the filter to end quickly.
 */
export function badString(def: {
  pattern?: RegExp;
  choices?: readonly string[];
}): fc.Arbitrary<string> | null {
  if (!def.pattern && !def.choices) return null;
  const candidates = fc.oneof(
    fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
    fc.string({ minLength: 2001, maxLength: 2100 }),
    fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\n${b}`),
    fc.webUrl(),
    fc.constantFrom('', ' ', 'bad id!', '../../etc/passwd', "x'; drop table claims; --"),
  );
  return candidates.filter(
    (s) =>
      !s.startsWith('--') &&
      !(def.choices?.includes(s) ?? false) &&
      (def.choices !== undefined || !def.pattern!.test(s)),
  );
}

/** For a flag table, a generator of (argv tail, flag) that must be refused. */
export function badFlagArgs(spec: FlagSpec): fc.Arbitrary<[string[], string]> {
  const perFlag = Object.entries(spec).flatMap(([name, def]) => {
    if (def.type === 'int')
      return [badInt(def.min, def.max).map((v): [string[], string] => [[`--${name}`, v], name])];
    if (def.type === 'bool') return [fc.string().map((v): [string[], string] => [[`--${name}=${v}`], name])];
    const bad = badString(def);
    return bad ? [bad.map((v): [string[], string] => [[`--${name}=${v}`], name])] : [];
  });
  const unknown = fc
    .stringMatching(/^[a-z][a-z-]{0,20}$/)
    .filter((n) => !(n in spec))
    .map((n): [string[], string] => [[`--${n}`], n]);
  return fc.oneof(unknown, ...perFlag);
}
