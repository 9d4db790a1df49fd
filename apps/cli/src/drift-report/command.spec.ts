import { DRIFT_REPORT_USAGE, parseDriftReportArgs, runDriftReport } from './command';

const TODAY = new Date('2025-04-01T12:00:00Z');

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDriftReport(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
    env,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('parseDriftReportArgs', () => {
  it('reads CSV mode', () => {
    expect(parseDriftReportArgs(['--reference', 'r.csv', '--current=c.csv', '--json'], TODAY)).toEqual({
      mode: 'csv',
      reference: 'r.csv',
      current: 'c.csv',
      output: { json: true, html: undefined },
    });
  });

  it('reads database mode with its defaults', () => {
    expect(
      parseDriftReportArgs(['--tenant', 't_1', '--model', 'timeline', '--html', 'r.html'], TODAY),
    ).toEqual({
      mode: 'db',
      tenantId: 't_1',
      modelType: 'timeline',
      windowDays: 30,
      asOf: '2025-04-01',
      output: { json: false, html: 'r.html' },
    });
  });

  it.each([
    [['--reference', 'r.csv'], '--reference needs --current'],
    [['--current', 'c.csv'], '--current needs --reference'],
    [
      ['--reference', 'r.csv', '--current', 'c.csv', '--tenant', 't'],
      '--reference (CSV mode) cannot be combined with --tenant (database mode)',
    ],
    [
      ['--current', 'c.csv', '--as-of', '2025-01-01'],
      '--current (CSV mode) cannot be combined with --as-of (database mode)',
    ],
    [['--tenant', 't'], 'database mode needs --model'],
    [['--model', 'timeline'], 'database mode needs --tenant'],
    [['--window-days', '7'], 'database mode needs --tenant'],
    [
      ['--tenant', 't', '--model', 'bogus'],
      '--model must be one of claim_outcome, timeline, churn_risk, assignment, got "bogus"',
    ],
    [
      ['--tenant', 't', '--model', 'timeline', '--as-of', '2025-02-30'],
      '--as-of is not a calendar date: "2025-02-30"',
    ],
    [
      ['--tenant', 't', '--model', 'timeline', '--window-days', '0'],
      '--window-days must be between 1 and 3650, got 0',
    ],
    [['--json'], 'give --reference and --current, or --tenant and --model'],
    [[], 'give --reference and --current, or --tenant and --model'],
    [['--reference', 'r.csv', '--current', 'c.csv', '--color'], 'unknown option --color'],
    [['--reference', 'r.csv', '--current', 'c.csv', 'extra'], 'unexpected argument "extra"'],
    [['--reference', '--current', 'c.csv'], '--reference needs a value'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseDriftReportArgs(argv, TODAY)).toThrow(message);
  });
});

describe('runDriftReport', () => {
  it('exits 2 with the usage on bad arguments, before touching the (missing) files', async () => {
    const r = await run([
      '--reference',
      '/nonexistent/r.csv',
      '--current',
      '/nonexistent/c.csv',
      '--tenant',
      't',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --reference \(CSV mode\) cannot be combined/);
    expect(r.err).toContain(DRIFT_REPORT_USAGE);
    expect(r.out).toBe('');
  });

  it('exits 2 on a bad DATABASE_URL without connecting', async () => {
    const r = await run(['--tenant', 't', '--model', 'timeline'], { DATABASE_URL: 'mysql://nope' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('DATABASE_URL must be a postgresql:// URL');
  });

  it('prints the usage with --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(DRIFT_REPORT_USAGE);
  });
});
