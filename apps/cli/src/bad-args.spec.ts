import fc from 'fast-check';
import { badFlagArgs, NOWHERE } from '../../../test/support/bad-flags';
import { COMMANDS, runCli } from './main';

// Generated bad command lines, for every command and every flag of the CLI, from their own flag tables
// (seed:platform's are in apps/seeder/src/command.spec.ts): each must exit 2 with its command's usage
// and a reason naming the flag, before any connection (NOWHERE: a command line that slipped through
// would try to connect and exit 1 instead, and the test would see it).

const GLOBAL_FORMS = ['help', '-h', '--help', 'version', '--version', '-V', 'drift:report'];

const tried: Record<string, number> = {};

describe('CLI against generated bad arguments', () => {
  afterAll(() => {
    process.stdout.write(`bad command lines tried: ${JSON.stringify(tried)}\n`);
  });

  it('refuses every bad flag value and unknown flag of every command, with exit 2 and the usage', async () => {
    const commands = Object.entries(COMMANDS).filter(([, c]) => Object.keys(c.flags).length > 0);
    for (const [command, def] of commands) {
      const valued = Object.keys(def.flags).find((f) => def.flags[f]!.type !== 'bool');
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
        {
          numRuns: 150,
          // Found by a CI run: `-h` as a flag's value is a bad value, not a request for help.
          examples: valued ? [[[[`--${valued}`, '-h'], valued]]] : [],
        },
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
});
