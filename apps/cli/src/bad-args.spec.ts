import fc from 'fast-check';
import type { FlagSpec } from '@app/common';
import { FLAGS as SEED_FLAGS, runSeedCommand } from '../../seeder/src/command';
import { COMMANDS, runCli } from './main';

// Generated bad command lines, for every command and every flag of the CLI and of seed:platform, from
// their own flag tables: each must exit 2 with its command's usage and a reason naming the flag, before any
// connection. The environment points at ports where nothing listens, so a command line that slipped
// through would try to connect and exit 1 instead: the test would see it.
const NOWHERE = {
  ...process.env,
  DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  NATS_URL: 'nats://127.0.0.1:1',
};

/** Values an int flag must refuse: out of range, not whole, not numbers. */
function badInt(min: number, max: number): fc.Arbitrary<string> {
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
function badString(def: { pattern?: RegExp; choices?: readonly string[] }): fc.Arbitrary<string> | null {
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
function badFlagArgs(spec: FlagSpec): fc.Arbitrary<[string[], string]> {
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

const GLOBAL_FORMS = ['help', '-h', '--help', 'version', '--version', '-V', 'drift:report'];

const tried: Record<string, number> = {};

describe('CLI against generated bad arguments', () => {
  afterAll(() => {
    process.stdout.write(`bad command lines tried: ${JSON.stringify(tried)}\n`);
  });

  it('refuses every bad flag value and unknown flag of every command, with exit 2 and the usage', async () => {
    const commands = Object.entries(COMMANDS).filter(([, c]) => Object.keys(c.flags).length > 0);
    for (const [command, def] of commands) {
      await fc.assert(
        fc.asyncProperty(badFlagArgs(def.flags), async ([args, flag]) => {
          tried[command] = (tried[command] ?? 0) + 1;
          const out: string[] = [];
          const code = await runCli([command, ...args], (l) => out.push(l), NOWHERE);
          const text = out.join('\n');
          expect({ args, code }).toEqual({ args, code: 2 });
          expect(text).toContain(`--${flag}`);
          // The command's own usage, with its options.
          expect(text).toContain(`usage: ue-cli ${command}`);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('refuses unknown commands and unknown model names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .stringMatching(/^[a-z:_-]{1,20}$/)
          // Not a command nor one of the global forms (help, -h, --help, version, --version).
          .filter((c) => !(c in COMMANDS) && !GLOBAL_FORMS.includes(c)),
        fc
          .stringMatching(/^[a-z_]{1,20}$/)
          .filter((m) => !['claim_outcome', 'timeline', 'churn_risk', 'assignment'].includes(m)),
        async (command, model) => {
          tried.unknown = (tried.unknown ?? 0) + 2;
          const out: string[] = [];
          expect(await runCli([command], (l) => out.push(l), NOWHERE)).toBe(2);
          expect(out.join('\n')).toContain(`unknown command "${command}"`);
          expect(await runCli(['retrain', model], (l) => out.push(l), NOWHERE)).toBe(2);
          expect(out.join('\n')).toContain(`unknown model "${model}"`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses bad seed:platform arguments the same way', async () => {
    await fc.assert(
      fc.asyncProperty(badFlagArgs(SEED_FLAGS), async ([args, flag]) => {
        tried['seed:platform'] = (tried['seed:platform'] ?? 0) + 1;
        const out: string[] = [];
        const code = await runSeedCommand(args, (l) => out.push(l), NOWHERE);
        expect({ args, code }).toEqual({ args, code: 2 });
        expect(out.join('\n')).toContain(`--${flag}`);
      }),
      { numRuns: 300 },
    );
  });
});
