import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// Child processes for benchmarks that run the services as they run in production: one `node` process
// per service, started from dist/ with its own environment, its output in a log file, its memory read
// from /proc. Used by scripts/bench-pipeline.ts.

/** The repository root (this file runs from dist/scripts/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface NodeChild {
  name: string;
  proc: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal) when the process ends. */
  exited: Promise<number | string>;
  exitedWith: number | string | null;
}

/**
 * With BENCH_CPU_PROFILE=<dir>, every service writes a V8 CPU profile there when it exits (open it in
 * Chrome's DevTools): how a regression in services' CPU is found without changing the services.
 */
function profileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
}

/**
 * Starts `node <script> ...args` from the repository root. Its stdout and
 * stderr go straight to `logFile` (a file descriptor, not a pipe): the benchmark process never spends
 * CPU relaying the services' log lines.
 */
export function startNode(
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): NodeChild {
  const fd = openSync(logFile, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, [...profileArgs(name), script, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${script}`);
  const child: NodeChild = {
    name,
    proc,
    pid: proc.pid,
    logFile,
    exitedWith: null,
    exited: Promise.resolve(0),
  };
  child.exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => {
      child.exitedWith = code ?? signal ?? 'unknown';
      resolve(child.exitedWith);
    });
  });
  return child;
}

/** The last `n` lines of a child's log, for error messages. */
export function logTail(child: NodeChild, n = 15): string {
  try {
    return readFileSync(child.logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until a line of the child's log satisfies `match`, and returns what `match` returned. Fails at
 * once if the child exits first (with the end of its log), or after `timeoutMs`.
 */
export async function waitForLine<T>(
  child: NodeChild,
  match: (line: string) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(child.logFile, 'utf8');
    } catch {
      // Not written yet.
    }
    for (const line of text.split('\n')) {
      const found = match(line);
      if (found !== undefined) return found;
    }
    if (child.exitedWith !== null)
      throw new Error(`${child.name} exited (${child.exitedWith}) before it was ready:\n${logTail(child)}`);
    if (Date.now() > deadline)
      throw new Error(`${child.name} not ready after ${timeoutMs / 1000} s:\n${logTail(child)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The http address a service logged in its JSON "service started" line (it was given HTTP_PORT=0). */
export function serviceStartedUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: unknown; http?: unknown };
    return record.msg === 'service started' && typeof record.http === 'string' ? record.http : undefined;
  } catch {
    return undefined;
  }
}

export interface MemoryReading {
  /** Resident set size now, in bytes. */
  rss: number;
  /** The kernel's high-water mark of the resident set over the process's life (VmHWM), in bytes. */
  hwm: number;
}

/** Reads VmRSS and VmHWM of a live process from /proc (Linux); null once it has exited. */
export function readMemory(pid: number): MemoryReading | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** A TCP port nothing listens on right now (for a child that must be told its port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Stops a child the way an orchestrator does: SIGTERM (services drain in-flight messages and exit), then
 * SIGKILL if it is still there after `graceMs`. Returns how it ended.
 */
export async function stopChild(child: NodeChild, graceMs = 30_000): Promise<number | string> {
  if (child.exitedWith !== null) return child.exitedWith;
  child.proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return first;
  child.proc.kill('SIGKILL');
  return child.exited;
}

// Linux reports process CPU time in clock ticks of USER_HZ, which is 100 on every mainstream architecture.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a live process has used so far; null once it has exited. */
export function readCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine spent busy (all cores, everything but idle and I/O wait) since boot. */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = ticks.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - n[3]! - n[4]!) / TICKS_PER_SECOND;
}

/**
 * Pids of other test runs on the machine (jest processes that are not ours): the benchmark says when its
 * figures were measured beside them.
 */
export function foreignTestRuns(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (/node_modules\/\.bin\/jest|jest\.js/.test(cmd)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
