import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '@app/common';
import { dropDatabase, ensureDatabase, migrate } from '@app/database';
import { dropForBulkLoad, rebuildAfterBulkLoad } from '../apps/seeder/src/seeding/bulk-mode';
import { SeederConfig, versionOneTraining } from '../apps/seeder/src/seeder.config';
import { paceHeapForSeeding, SEED_HEAP_GROWING_PERCENT } from '../apps/seeder/src/seeding/heap';
import { SEEDED_TABLES, seedPlatform } from '../apps/seeder/src/seeding/seeding.service';
import type { SeedPhases } from '../apps/seeder/src/seeding/seeding.service';

// npm run bench:seed -- [--tenants 10 --users 10000 --claims 100000]
// Seeds a million claims with everything else (version 1 of every model trained) into a fresh database,
// then times the ceiling: the very rows it wrote, every table's, loaded from files with server-side COPY
// into the same tables with the same index and constraint builds (issue 20). Prints both times, where the
// seeder's went, its peak memory, and last `ratio ceiling/seeder: X` (target >= 0.8). Postgres must run on
// this machine (the ceiling's files are read by the server).

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const tenants = arg('tenants', 10);
  const users = arg('users', 10_000);
  const claims = arg('claims', 100_000);
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_seed';
  const url = base.toString();
  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  // As the seeder's command and service run (apps/seeder/src/seeding/heap.ts); BENCH_DEFAULT_HEAP=1 leaves
  // V8's own heap growth, to compare.
  const paced = process.env.BENCH_DEFAULT_HEAP !== '1';
  if (paced) paceHeapForSeeding();

  // The peak, and what the process held at that moment: V8's heap (reserved, and live after the last
  // collection), Buffers outside it, and the rest (native: XGBoost, code, stacks, malloc's free lists).
  let peak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  }, 50);
  const training = versionOneTraining(loadConfig(SeederConfig, process.env));
  const started = process.hrtime.bigint();
  const result = await seedPlatform(
    {
      tenants,
      usersPerTenant: users,
      claimsPerTenant: claims,
      seed: 1,
      scenario: 'default',
      reset: false,
      now: new Date(Date.UTC(2026, 10, 26)),
    },
    {
      databaseUrl: url,
      runId: randomUUID(),
      // Version 1 trained as the seeder's command trains it: XGB_ROUNDS, XGB_EARLY_STOPPING_ROUNDS and
      // XGB_THREADS from the environment, with the trainer's defaults.
      training,
      out: (l) => (l.includes('Bulk') || l.includes('Rebuilt') ? console.log(l.trim()) : undefined),
    },
  );
  const seedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const s = result.summary;

  // The ceiling: the very rows the seeder wrote, every table's, written to files beforehand (server-side
  // COPY TO, so Postgres reads them back from its own disk), then loaded with server-side COPY FROM into
  // the same tables, emptied, with the same indexes and constraints dropped (the seeder's bulk mode), and
  // the same index and constraint builds after; in one transaction, as the seeder's.
  const c = new Client({ connectionString: url });
  await c.connect();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ue-bench-seed-'));
  chmodSync(dir, 0o777); // the server's own user writes and reads the files
  const loadOrder = [...SEEDED_TABLES].reverse(); // parents first (SEEDED_TABLES is truncation order)
  const files: { table: string; file: string; rows: number }[] = [];
  for (const table of loadOrder) {
    const rows = Number((await c.query<{ n: string }>(`select count(*) as n from "${table}"`)).rows[0]!.n);
    if (rows === 0) continue;
    const file = path.join(dir, `${table}.copy`);
    await c.query(`copy "${table}" to '${file}'`);
    files.push({ table, file, rows });
  }
  const fileMiB = files.reduce((sum, f) => sum + statSync(f.file).size, 0) / 2 ** 20;
  await c.query(`truncate ${SEEDED_TABLES.map((t) => `"${t}"`).join(', ')}`);
  await c.query('checkpoint');
  const t0 = process.hrtime.bigint();
  await c.query('begin');
  await c.query(`set local maintenance_work_mem = '512MB'`);
  const deferred = await dropForBulkLoad(c, ['claims', 'ml_predictions']);
  for (const f of files) await c.query(`copy "${f.table}" from '${f.file}'`);
  const t1 = process.hrtime.bigint();
  await rebuildAfterBulkLoad(c, deferred);
  await c.query('commit');
  const t2 = process.hrtime.bigint();
  const loadSeconds = Number(t1 - t0) / 1e9;
  const buildSeconds = Number(t2 - t1) / 1e9;
  const ceilingSeconds = loadSeconds + buildSeconds;
  const ceilingRows = files.reduce((sum, f) => sum + f.rows, 0);
  rmSync(dir, { recursive: true, force: true });
  await c.end();

  const mib = peak.rss / 2 ** 20;
  const inMiB = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const phase = (name: keyof SeedPhases) => `${name} ${(result.phases![name] / 1000).toFixed(1)} s`;
  console.log(
    `\nbench:seed  ${tenants} tenants x ${fmt(users)} users x ${fmt(claims)} claims  (${os.cpus().length} cores, Node ${process.version})`,
  );
  console.log(
    `  seeder        ${fmt(ceilingRows)} rows in ${files.length} tables (${fmt(s.claims)} claims, ${fmt(s.predictions)} predictions, ${fmt(s.users)} users, ${s.modelMetadata} versions 1 trained) in ${seedSeconds.toFixed(1)} s`,
  );
  console.log(
    `  where it went ${(['profiles', 'claims', 'training', 'predictions', 'other', 'indexes'] as const).map(phase).join(', ')} (main thread)`,
  );
  console.log(
    `  version 1     XGBoost, at most ${training.rounds} rounds, ${training.earlyStoppingRounds > 0 ? `early stopping after ${training.earlyStoppingRounds} rounds without improvement` : 'no early stopping'}, ${training.threads} threads`,
  );
  console.log(
    `  ceiling       the same ${fmt(ceilingRows)} rows (${fileMiB.toFixed(0)} MiB of COPY files) loaded with server-side COPY in ${loadSeconds.toFixed(1)} s + the same ${deferred.length} index and constraint builds in ${buildSeconds.toFixed(1)} s = ${ceilingSeconds.toFixed(1)} s`,
  );
  // Over the memory target is said on the memory line: the last line stays the ratio.
  const over = mib >= 512 ? ' OVER THE TARGET' : '';
  console.log(
    `  peak memory   ${mib.toFixed(0)} MiB RSS of the seeding process (target: < 512 MiB${over}); at the peak: V8 heap ${inMiB(peak.heapTotal)} (${inMiB(peak.heapUsed)} of it in use), Buffers ${inMiB(peak.external)}, the rest ${inMiB(peak.rss - peak.heapTotal - peak.external)} (native: XGBoost, code, stacks); heap growth ${paced ? `${1 + SEED_HEAP_GROWING_PERCENT / 100}x the live heap (the seeder's)` : "V8's default"}`,
  );
  console.log(`ratio ceiling/seeder: ${(ceilingSeconds / seedSeconds).toFixed(2)}   (target: >= 0.8)`);
  await dropDatabase(url);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
