import { parseFlags, UsageError } from './args';

const spec = {
  claims: { type: 'int', min: 1, max: 1000 },
  scenario: { type: 'string', choices: ['default', 'drift'] },
  reset: { type: 'bool' },
} as const;

describe('CLI flag parsing', () => {
  it('parses values, inline values and booleans', () => {
    expect(parseFlags(['--claims', '200', '--scenario=drift', '--reset', 'extra'], spec)).toEqual({
      flags: { claims: 200, scenario: 'drift', reset: true },
      positional: ['extra'],
    });
  });
  it.each([
    [['--claims', '-5'], /between 1 and 1000/],
    [['--claims', 'abc'], /whole number/],
    [['--claims', '1e9'], /whole number/],
    [['--claims'], /needs a value/],
    [['--claims', '--reset'], /needs a value/],
    [['--nope'], /unknown option --nope/],
    [['--scenario', 'chaos'], /one of default, drift/],
    [['--reset=yes'], /takes no value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv, spec)).toThrow(UsageError);
    expect(() => parseFlags(argv, spec)).toThrow(message);
  });
});
