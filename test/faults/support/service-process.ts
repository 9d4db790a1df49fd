import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { pollUntil } from '../../integration/support/poll';

const ROOT = path.join(__dirname, '../../..');
const APPS = ['scheduler', 'drift-monitor', 'trainer', 'validator', 'notifier', 'seeder'] as const;
export type AppName = (typeof APPS)[number];

/** The compiled entry point of a service, as production runs it. */
const mainOf = (app: AppName) => path.join(ROOT, 'dist/apps', app, 'src/main.js');

function newestSource(): number {
  let newest = 0;
  for (const dir of ['apps', 'libs']) {
    for (const f of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        newest = Math.max(newest, statSync(path.join(ROOT, dir, f)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than a source file, so that a killed process runs the code
 * under test. A build that fails stops the suite with the compiler's output.
 */
export async function ensureBuilt(): Promise<void> {
  const built = APPS.map((a) => (existsSync(mainOf(a)) ? statSync(mainOf(a)).mtimeMs : 0));
  if (Math.min(...built) > newestSource()) return;
  try {
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * A service as its own process (`node dist/apps/<app>/src/main.js`), so
 * that a test can really kill it. Its JSON log lines are kept for the test to read.
 */
export class ServiceProcess {
  private static readonly running = new Set<ServiceProcess>();
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url = '';

  private constructor(
    readonly app: AppName,
    readonly child: ChildProcess,
  ) {
    const keep = (c: Buffer) => (this.output += c.toString('utf8'));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    ServiceProcess.running.add(this);
    void this.exited.then(() => ServiceProcess.running.delete(this));
  }

  /** Starts the service and waits until it consumes (its HTTP address is then known). */
  static async start(app: AppName, env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [mainOf(app)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new ServiceProcess(app, child);
    const started = await p.waitFor((l) => l.msg === 'service started', `${app} to start`);
    p.url = String(started.http);
    return p;
  }

  lines(): LogLine[] {
    return this.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  }

  async waitFor(match: (line: LogLine) => boolean, what: string, timeoutMs = 60_000): Promise<LogLine> {
    return pollUntil(
      async () => {
        if (this.child.exitCode !== null || this.child.signalCode !== null)
          throw new Error(`${this.app} exited:\n${this.output.slice(-3000)}`);
        return this.lines().find(match) ?? false;
      },
      { what, timeoutMs },
    );
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the process to exit. */
  async kill(
    signal: NodeJS.Signals = 'SIGKILL',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** For afterAll: kills what a failed test left running. */
  static async killAll(): Promise<void> {
    await Promise.all([...ServiceProcess.running].map((p) => p.kill('SIGKILL')));
  }
}
