import fc from 'fast-check';
import { badFlagArgs, NOWHERE } from '../../../test/support/bad-flags';
import { FLAGS, runSeedCommand } from './command';

// seed:platform against generated bad arguments, from its own flag table: each is refused with exit 2
// and a reason naming the flag, before any connection (NOWHERE: nothing listens there).
describe('seed:platform against generated bad arguments', () => {
  it('refuses every bad flag value and unknown flag, with exit 2 and the usage', async () => {
    await fc.assert(
      fc.asyncProperty(badFlagArgs(FLAGS), async ([args, flag]) => {
        const out: string[] = [];
        const code = await runSeedCommand(args, (l) => out.push(l), NOWHERE);
        const text = out.join('\n');
        expect({ args, code }).toEqual({ args, code: 2 });
        expect(text).toContain(`--${flag}`);
        expect(text).toContain('usage: npm run seed:platform');
      }),
      { numRuns: 300 },
    );
  });
});
