import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cliVersion, COMMANDS, runCli } from './main';

// The CLI as people expect one: results on stdout, errors and usage on stderr, `<command> --help`,
// `--version`, and one exit code (2) for bad usage, here and in the container's entrypoint. Nothing here
// connects: the environment points at closed ports, so a command that tried would exit 1.
const NOWHERE = {
  ...process.env,
  DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  NATS_URL: 'nats://127.0.0.1:1',
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, NOWHERE);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('ue-cli', () => {
  it('prints its version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(cliVersion()).toBe(pkg.version);
    for (const flag of ['--version', '-V'])
      expect(await run(flag)).toEqual({ code: 0, out: `ue-cli ${pkg.version}`, err: '' });
  });

  it.each(Object.keys(COMMANDS))('prints the own help of %s on stdout', async (command) => {
    for (const argv of [
      [command, '--help'],
      ['help', command],
    ]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(new RegExp(`^usage: ue-cli ${command}`));
      expect(r.out).toContain(COMMANDS[command]!.summary);
      for (const flag of Object.keys(COMMANDS[command]!.flags)) expect(r.out).toContain(`--${flag}`);
      // Only this command's options: not the list of every command.
      expect(r.out).not.toContain('drift:report');
    }
  });

  it('describes each option with what it takes', async () => {
    const r = await run('seed', '--help');
    expect(r.out).toMatch(/--tenants N +tenants to create \(default 3; 1-1000\)/);
    expect(r.out).toMatch(/--scenario default\|drift +drift: the last 30 days shift/);
    expect(r.out).toMatch(/--reset +delete the seeded tables' data first/);
  });

  it('lists every command with --help, on stdout', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const command of Object.keys(COMMANDS)) expect(r.out).toContain(`  ${command} `);
    expect(r.err).toBe('');
  });

  it('writes errors and usage to stderr, nothing to stdout, and exits 2', async () => {
    const bad = await run('status', '--tenant', 'bad id!');
    expect(bad).toEqual({ code: 2, out: '', err: expect.stringContaining('--tenant has an invalid value') });
    expect(bad.err).toContain('usage: ue-cli status');
    const unknown = await run('frobnicate');
    expect(unknown).toEqual({
      code: 2,
      out: '',
      err: expect.stringContaining('unknown command "frobnicate"'),
    });
    expect(unknown.err).toContain('usage: ue-cli <command>');
    const none = await run();
    expect(none).toEqual({ code: 2, out: '', err: expect.stringContaining('usage: ue-cli <command>') });
  });

  it('says what is wrong with a value that looks like an option', async () => {
    expect((await run('seed', '--claims', '-5')).err).toContain(
      '--claims must be between 1 and 1000000, got -5',
    );
    expect((await run('ack', '--by', '--note', 'x')).err).toContain('--by needs a value');
    expect((await run('retrain', '--force=yes')).err).toContain('--force takes no value');
  });

  it('exits 1, on stderr, when the work fails (nothing listens)', async () => {
    const r = await run('status');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: /);
  });
});

describe('the container entrypoint', () => {
  const entrypoint = path.resolve(__dirname, '../../../deploy/docker/entrypoint.sh');
  const sh = (...args: string[]) =>
    spawnSync('sh', [entrypoint, ...args], {
      encoding: 'utf8',
      env: { ...process.env, APP_ROOT: path.resolve(__dirname, '../../..') },
    });

  it('exits 2 with its usage on stderr for a missing or unknown app, like the CLI', () => {
    for (const r of [sh(), sh('frobnicate')]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('usage: <image> <app> [args...]');
    }
    expect(sh('--help')).toMatchObject({ status: 0, stderr: '' });
  });
});
