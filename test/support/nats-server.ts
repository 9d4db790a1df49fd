import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/bench-processes';

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface PrivateNatsOptions {
  /** Extra nats-server configuration (for example an `authorization { users = [...] }` block). */
  extraConfig?: string;
}

/**
 * A private `nats-server -js` (Debian's nats-server package) on a free port, with its own store
 * directory, for tests that stop, restart or lock down the server without touching the shared one.
 * The store survives `stop()`/`start()`, so streams and consumers come back as after a real restart.
 */
export class PrivateNatsServer {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ue-nats-'));
  readonly log: string[] = [];
  port = 0;
  private proc?: ChildProcess;

  constructor(private readonly opts: PrivateNatsOptions = {}) {}

  /** nats://127.0.0.1:<port>, optionally with credentials. */
  url(user?: string, pass?: string): string {
    const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(pass ?? '')}@` : '';
    return `nats://${auth}127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const conf = path.join(this.dir, 'nats.conf');
    writeFileSync(
      conf,
      [
        `listen: "127.0.0.1:${this.port}"`,
        `jetstream { store_dir: "${path.join(this.dir, 'js')}" }`,
        this.opts.extraConfig ?? '',
      ].join('\n'),
    );
    const proc = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (b: Buffer) => this.log.push(...b.toString('utf8').split('\n').filter(Boolean));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(await listening(this.port))) {
      if (proc.exitCode !== null)
        throw new Error(`nats-server exited (${proc.exitCode}): ${this.log.slice(-5).join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${this.port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  /** Stops the server (SIGTERM, or SIGKILL for a crash) and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
    this.proc = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and deletes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Lines of the server log matching `re` (for example permission violations). */
  grep(re: RegExp): string[] {
    return this.log.filter((l) => re.test(l));
  }
}
