import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { dropDatabase, ensureDatabase, migrate } from '@app/database';
import { seedPlatform } from '../apps/seeder/src/seeding/seeding.service';

// npm run bench:seed -- [--tenants 10 --users 10000 --claims 100000]
// Seeds about a million claims with everything else into a fresh database, then times the ceiling: a raw
// streamed COPY of the same claim rows into a bare table (no index, no constraint). Prints both rates,
// their ratio, total time and the seeder's peak memory.

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

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
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
      out: (l) => (l.includes('Bulk') || l.includes('Rebuilt') ? console.log(l.trim()) : undefined),
    },
  );
  const seedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const s = result.summary;
  const allRows = s.tenants + s.users + s.claims + s.predictions + s.modelMetadata + s.feedback;

  // The ceiling: the same claim rows, streamed back in with COPY into a bare table.
  const file = path.join(os.tmpdir(), `ue-bench-claims-${process.pid}.tsv`);
  const c = new Client({ connectionString: url });
  await c.connect();
  await pipeline(c.query(copyTo('COPY claims TO STDOUT')), createWriteStream(file));
  await c.query('create unlogged table claims_raw (like claims including defaults)');
  await c.query('alter table claims_raw set logged');
  const t0 = process.hrtime.bigint();
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    c.query(copyFrom('COPY claims_raw FROM STDIN')),
  );
  const rawSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rawRows = Number((await c.query<{ n: string }>('select count(*) as n from claims_raw')).rows[0]!.n);
  const fileMiB = statSync(file).size / 2 ** 20;
  rmSync(file);
  await c.end();

  const claimRate = s.claims / seedSeconds;
  const allRate = allRows / seedSeconds;
  const rawRate = rawRows / rawSeconds;
  const mib = peakRss / 2 ** 20;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `\nbench:seed  ${tenants} tenants x ${fmt(users)} users x ${fmt(claims)} claims  (${os.cpus().length} cores, Node ${process.version})`,
  );
  console.log(
    `  seeded        ${fmt(allRows)} rows (${fmt(s.claims)} claims, ${fmt(s.predictions)} predictions, ${fmt(s.users)} users, ...) in ${seedSeconds.toFixed(1)} s`,
  );
  console.log(
    `  seeder rate   ${fmt(claimRate)} claims/s with their predictions; ${fmt(allRate)} rows/s over all tables`,
  );
  console.log(
    `  raw COPY      ${fmt(rawRows)} claim rows (${fileMiB.toFixed(0)} MiB) into a bare table in ${rawSeconds.toFixed(1)} s = ${fmt(rawRate)} rows/s`,
  );
  console.log(
    `  ratio         claims/s vs raw COPY: ${(claimRate / rawRate).toFixed(2)}   all rows/s vs raw COPY: ${(allRate / rawRate).toFixed(2)}   (target: >= 0.50)`,
  );
  console.log(`  peak memory   ${mib.toFixed(0)} MiB RSS of the seeding process (target: < 512 MiB)`);
  await dropDatabase(url);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
