import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pollUntil } from '../../integration/support/poll';
import { ROOT } from '../../support/build';

// Shared with the integration tests that run compiled entry points.
export { ensureBuilt } from '../../support/build';

export type AppName =
  'scheduler' | 'drift-monitor' | 'trainer' | 'validator' | 'notifier' | 'seeder' | 'scorer';

/** The compiled entry point of a service, as production runs it. */
const mainOf = (app: AppName) => path.join(ROOT, 'dist/apps', app, 'src/main.js');

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
