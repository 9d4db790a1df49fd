import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** The repository's root: where `npm run build` writes dist/. */
export const ROOT = path.join(__dirname, '../..');

const APPS = ['scheduler', 'drift-monitor', 'trainer', 'validator', 'notifier', 'seeder', 'scorer'] as const;
const mainOf = (app: (typeof APPS)[number]) => path.join(ROOT, 'dist/apps', app, 'src/main.js');

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
 * Builds dist/ when it is missing or older than a source file, so that a test running the compiled entry
 * points (a killed service, an Azure ML job's command) runs the code under test. A build that fails stops
 * the suite with the compiler's output.
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
