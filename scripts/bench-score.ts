import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { errorMessage, parseFlags, UsageError } from '@app/common';
import type { FlagSpec, ParsedFlags } from '@app/common';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { dropDatabase, ensureDatabase, migrate, ormConfig, roleForService, urlForRole } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { natsConnectOptions, provisionStreams, publishEnvelope, Topology } from '@app/messaging';
import { runSeedCommand } from '../apps/seeder/src/command';
import { percentile } from './bench-pipeline-audit';
import {
  foreignTestRuns,
  logTail,
  readCpuSeconds,
  readMemory,
  serviceStartedUrl,
  startNode,
  stopChild,
  waitForLine,
} from './bench-processes';
import type { NodeChild } from './bench-processes';
import { deployVersion, fileNewClaims, trainVersion } from './scoring-fixtures';

// npm run bench:score -- [--tenants 8] [--claims 20000] [--rate 200] [--seconds 20] [--timeout 600] [--keep]
// One scorer process (from dist/, its own Postgres role, as deployed) on a private database and subject
// prefix. Tenants are seeded, and version 2 of each of their four models is a trained XGBoost model (100
// rounds, trained once per model on the first tenant and stored for every tenant: scoring costs the same,
// and training is not what is measured). New claims are created for every tenant, then:
//   (a) throughput: `--claims` claim.filed, tenants interleaved, published as fast as the client can;
//       claims scored per second until all their predictions are stored;
//   (b) latency: claim.filed at a fixed `--rate` per second for `--seconds`; p50/p95 from publishing to
//       the predictions stored (the claim.scored the scorer publishes after its commit: an upper bound);
//   (c) the scorer's peak resident memory.
// The figures are printed with their targets (met / not met). Exit 1 when the work failed (a claim not
// scored, scored twice, a dead letter, the scorer dying, a timeout), not when a target is missed.

const FLAGS: FlagSpec = {
  tenants: { type: 'int', min: 1, max: 100 },
  claims: { type: 'int', min: 100, max: 1_000_000 },
  rate: { type: 'int', min: 1, max: 10_000 },
  seconds: { type: 'int', min: 1, max: 3600 },
  timeout: { type: 'int', min: 10, max: 86_400 },
  keep: { type: 'bool' },
};

const TARGETS = { claimsPerSecond: 2000, p95Ms: 100, rssMiB: 300 };
/** V8's heap limits the scorer is deployed with (deploy/k8s/base/patches/scorer-resources.yaml). */
const SCORER_NODE_OPTIONS = '--max-old-space-size=192';
/** How often the latency phase asks which claims are stored: the figure's resolution. */
const POLL_MS = 5;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => bytes / 2 ** 20;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');

/** `claims` ids taken from each tenant's list in turn, so that every pull mixes tenants as production would. */
function interleave(
  perTenant: { tenantId: string; ids: string[] }[],
  take: number,
): { tenantId: string; id: string }[] {
  const out: { tenantId: string; id: string }[] = [];
  for (let i = 0; out.length < take; i++) {
    let any = false;
    for (const t of perTenant) {
      const id = t.ids[i];
      if (id === undefined) continue;
      any = true;
      out.push({ tenantId: t.tenantId, id });
      if (out.length === take) break;
    }
    if (!any) break;
  }
  return out;
}

async function main(): Promise<number> {
  let flags: ParsedFlags;
  try {
    const parsed = parseFlags(process.argv.slice(2), FLAGS);
    if (parsed.positional.length > 0) throw new UsageError(`unexpected argument "${parsed.positional[0]}"`);
    flags = parsed.flags;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}`);
    return 2;
  }
  const tenants = (flags.tenants as number | undefined) ?? 8;
  const burst = (flags.claims as number | undefined) ?? 20_000;
  const rate = (flags.rate as number | undefined) ?? 200;
  const seconds = (flags.seconds as number | undefined) ?? 20;
  const steady = rate * seconds;
  const timeoutMs = ((flags.timeout as number | undefined) ?? 600) * 1000;
  const keep = flags.keep === true;

  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_score';
  const url = base.toString();
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `benchscore${process.pid}.`;
  const topology = new Topology(prefix);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ue-bench-score-'));
  let scorer: NodeChild | null = null;
  let sampler: NodeJS.Timeout | undefined;
  let ok = false;
  process.once('exit', () => {
    if (scorer && scorer.exitedWith === null) scorer.proc.kill('SIGKILL');
  });

  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  const db = new Client({ connectionString: url });
  await db.connect();
  const nc = await connect(natsConnectOptions(natsUrl));
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await provisionStreams(jsm, topology, { replicas: 1 });
  const orm = await MikroORM.init(ormConfig({ databaseUrl: url, poolMax: 4 }));

  try {
    console.log(
      `bench:score  ${tenants} tenants x ${MODEL_TYPES.length} models; (a) ${fmt(burst)} claims at once, (b) ${rate} claims/s for ${seconds} s`,
    );
    console.log(`  database ${base.pathname.slice(1)}, subject prefix ${prefix}, logs in ${workDir}`);

    // Not timed: the tenants' history, their models, and the claims to file.
    let t0 = Date.now();
    const seedLog: string[] = [];
    const code = await runSeedCommand(
      ['--seed', '16', '--tenants', String(tenants), '--claims', '3000', '--users', '50'],
      (line) => seedLog.push(line),
      { ...process.env, DATABASE_URL: url },
    );
    if (code !== 0) throw new Error(`seeding failed:\n${seedLog.slice(-20).join('\n')}`);
    const tenantIds = (await db.query<{ id: string }>('select id from tenants order by id')).rows.map(
      (r) => r.id,
    );
    const models = new Map<ModelType, { content: Buffer; accuracy: number }>();
    for (const modelType of MODEL_TYPES)
      models.set(
        modelType,
        await trainVersion(orm.em.fork(), tenantIds[0]!, modelType, { rounds: 100, threads: 2 }),
      );
    for (const tenantId of tenantIds)
      for (const modelType of MODEL_TYPES)
        await deployVersion(orm.em.fork(), { tenantId, modelType, version: 2 }, models.get(modelType)!);
    // One more claim per tenant, to warm the scorer up (its first claim of a tenant loads its 4 models).
    const perTenant = Math.ceil((burst + steady) / tenantIds.length) + 1;
    const claims: { tenantId: string; ids: string[] }[] = [];
    const warmUp: { tenantId: string; id: string }[] = [];
    for (const tenantId of tenantIds) {
      const [first, ...ids] = await fileNewClaims(orm.em.fork(), tenantId, perTenant);
      warmUp.push({ tenantId, id: first! });
      claims.push({ tenantId, ids });
    }
    const all = interleave(claims, burst + steady);
    if (all.length < burst + steady) throw new Error(`only ${all.length} claims could be created`);
    const burstClaims = all.slice(0, burst);
    const steadyClaims = all.slice(burst);
    await db.query('vacuum analyze');
    console.log(
      `  seeded ${tenantIds.length} tenants, trained ${MODEL_TYPES.length} models and deployed them as version 2 everywhere, created ${fmt(all.length)} claims in ${secs(Date.now() - t0)} (not timed)`,
    );

    // The scorer, as deployed: its own process and role.
    t0 = Date.now();
    scorer = startNode(
      'scorer',
      'dist/apps/scorer/src/main.js',
      [],
      {
        ...process.env,
        NODE_ENV: 'development',
        NODE_OPTIONS: SCORER_NODE_OPTIONS,
        DATABASE_URL: urlForRole(url, roleForService('scorer')!),
        NATS_URL: natsUrl,
        SUBJECT_PREFIX: prefix,
        HTTP_PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      path.join(workDir, 'scorer.log'),
    );
    const scorerUrl = await waitForLine(scorer, serviceStartedUrl, 60_000);
    const healthDeadline = Date.now() + 30_000;
    while (
      !(await fetch(`${scorerUrl}/health`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > healthDeadline) throw new Error(`scorer not healthy:\n${logTail(scorer)}`);
      await sleep(200);
    }
    const idleRss = mib(readMemory(scorer.pid)?.rss ?? 0);
    console.log(
      `  scorer pid ${scorer.pid} healthy in ${secs(Date.now() - t0)}, resident ${idleRss.toFixed(0)} MiB before any claim`,
    );

    let peakRss = 0;
    const child = scorer;
    sampler = setInterval(() => {
      const m = readMemory(child.pid);
      if (m) peakRss = Math.max(peakRss, m.rss);
    }, 100);

    // The bench plays the claims application: envelopes as it would publish them (Nats-Msg-Id = id).
    const envelope = (c: { tenantId: string; id: string }): Envelope<'claim.filed'> =>
      createEnvelope('claim.filed', { claimId: c.id }, { tenantId: c.tenantId, correlationId: c.id });
    const publishFiled = (e: Envelope<'claim.filed'>) => publishEnvelope(js, topology, e);
    // Done when every one of these claims has its four predictions (they come in one statement, so they are
    // committed together). One index probe per claim, the oldest pending first, a chunk at a time: counting
    // the whole table instead (100,000 rows and more, every 50 ms) took a good part of a core from the
    // machine being measured.
    const waitStored = async (claimsToStore: readonly { id: string }[], what: string): Promise<number> => {
      const deadline = Date.now() + timeoutMs;
      let pending = claimsToStore.map((c) => c.id);
      for (;;) {
        const head = pending.slice(0, 500);
        const done = new Set(
          (
            await db.query<{ claim_id: string }>(
              `select claim_id from ml_predictions where claim_id = any($1::uuid[]) and model_version = 2
                group by claim_id having count(*) >= $2`,
              [head, MODEL_TYPES.length],
            )
          ).rows.map((r) => r.claim_id),
        );
        pending = pending.filter((id) => !done.has(id));
        if (pending.length === 0) return Date.now();
        if (done.size === head.length) continue;
        if (scorer?.exitedWith !== null)
          throw new Error(`scorer exited (${scorer?.exitedWith}):\n${logTail(scorer!)}`);
        if (Date.now() > deadline)
          throw new Error(
            `${what}: ${fmt(pending.length)} of ${fmt(claimsToStore.length)} claims without predictions after ${secs(timeoutMs)}`,
          );
        await sleep(50);
      }
    };
    // Warm-up, not timed: a claim of each tenant, which loads the tenant's models (a scorer that has been
    // running has them in memory; a model's first claim after a start or a deployment pays the load).
    t0 = Date.now();
    await Promise.all(warmUp.map((c) => publishFiled(envelope(c))));
    await waitStored(warmUp, 'warm-up');
    console.log(
      `  warm-up: ${warmUp.length} claims, loading ${warmUp.length * MODEL_TYPES.length} models, in ${secs(Date.now() - t0)} (not timed)`,
    );
    const cpuBefore = readCpuSeconds(scorer.pid) ?? 0;

    // (a) Throughput.
    const burstEnvelopes = burstClaims.map(envelope);
    const foreignA = foreignTestRuns();
    const aStart = Date.now();
    const inflight = new Set<Promise<unknown>>();
    for (const e of burstEnvelopes) {
      const p: Promise<unknown> = publishFiled(e).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= 1000) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    const aPublished = Date.now();
    const aDone = await waitStored(burstClaims, 'throughput');
    const cpuA = (readCpuSeconds(scorer.pid) ?? 0) - cpuBefore;
    const rssAfterA = mib(readMemory(scorer.pid)?.rss ?? 0);
    const heapAfterA = memoryLine(await fetch(`${scorerUrl}/metrics`).then((r) => r.text()));
    const span = (
      await db.query<{ first: Date; last: Date }>(
        `select min(created_at) as first, max(created_at) as last from ml_predictions
          where model_version = 2 and claim_id = any($1::uuid[])`,
        [burstClaims.map((c) => c.id)],
      )
    ).rows[0]!;
    const throughput = burst / ((aDone - aStart) / 1000);
    // Between the scorer's first and last transaction: its own rate, without the publishing ramp.
    const scorerSpanS = Math.max(0.001, (span.last.getTime() - span.first.getTime()) / 1000);
    console.log(
      `\n  (a) ${fmt(burst)} claim.filed published in ${secs(aPublished - aStart)} (${fmt(burst / ((aPublished - aStart) / 1000))}/s); all ${fmt(burst * MODEL_TYPES.length)} predictions stored after ${secs(aDone - aStart)}`,
    );
    // The outbox relay publishes the claim.scored events after the predictions: let it finish before (b).
    const relayDeadline = Date.now() + timeoutMs;
    while (
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from outbox where source = 'scorer' and published_at is null`,
        )
      ).rows[0]!.n > 0
    ) {
      if (Date.now() > relayDeadline)
        throw new Error('the outbox relay did not publish the claim.scored events');
      await sleep(200);
    }
    console.log(`      claim.scored all published ${secs(Date.now() - aStart)} after the first claim.filed`);

    // (b) Latency at a fixed rate. Stored: a poller asks every few ms which of the claims in flight have
    // their predictions visible (committed; a claim's four rows come in one statement), so the figure is
    // the time to the commit plus at most one poll. claim.scored: received on the bus, after the commit and
    // the outbox relay (what the claims application sees).
    const sentAt = new Map<string, number>();
    const storedAt = new Map<string, number>();
    const scoredAt = new Map<string, number>();
    const sub = nc.subscribe(topology.subject('claim.scored'));
    void (async () => {
      for await (const m of sub) {
        const e = m.json<Envelope<'claim.scored'>>();
        if (!scoredAt.has(e.payload.claimId)) scoredAt.set(e.payload.claimId, Date.now());
      }
    })();
    const bStart = Date.now();
    const deadlineB = bStart + seconds * 1000 + timeoutMs;
    let polling = true;
    const inFlight = new Set<string>();
    const poller = (async () => {
      while (polling || inFlight.size > 0) {
        if (inFlight.size > 0) {
          const found = await db.query<{ claim_id: string }>(
            'select distinct claim_id from ml_predictions where claim_id = any($1::uuid[])',
            [[...inFlight]],
          );
          const now = Date.now();
          for (const r of found.rows) {
            storedAt.set(r.claim_id, now);
            inFlight.delete(r.claim_id);
          }
        }
        if (polling && Date.now() > deadlineB) break;
        await sleep(POLL_MS);
      }
    })();
    const intervalMs = 1000 / rate;
    const publishes: Promise<unknown>[] = [];
    for (const [i, c] of steadyClaims.entries()) {
      const due = bStart + i * intervalMs;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
      const e = envelope(c);
      sentAt.set(c.id, Date.now());
      inFlight.add(c.id);
      publishes.push(publishFiled(e));
    }
    await Promise.all(publishes);
    const bPublished = Date.now();
    await waitStored(steadyClaims, 'latency');
    polling = false;
    await poller;
    const scoredDeadline = Date.now() + 30_000;
    while (scoredAt.size < steady && Date.now() < scoredDeadline) await sleep(50);
    sub.unsubscribe();
    const since = (at: Map<string, number>) =>
      steadyClaims
        .filter((c) => at.has(c.id))
        .map((c) => at.get(c.id)! - sentAt.get(c.id)!)
        .sort((a, b) => a - b);
    const toStored = since(storedAt);
    const toScored = since(scoredAt);
    const p = (xs: number[], q: number) => (xs.length ? percentile(xs, q) : Number.NaN);
    const achievedRate = steady / ((bPublished - bStart) / 1000);

    clearInterval(sampler);
    const hwm = readMemory(scorer.pid)?.hwm ?? 0;
    const metrics = await fetch(`${scorerUrl}/metrics`).then((r) => r.text());
    const deadLettered = (await jsm.streams.info(topology.deadLetterStream)).state.messages;
    const duplicates = (
      await db.query<{ n: number }>(
        `select count(*)::int as n from (select claim_id, model_type, role from ml_predictions group by 1, 2, 3 having count(*) > 1) d`,
      )
    ).rows[0]!.n;
    const scoredEvents = (
      await db.query<{ n: number }>(`select count(*)::int as n from outbox where subject = 'claim.scored'`)
    ).rows[0]!.n;
    const exit = await stopChild(scorer);

    const p95 = p(toStored, 0.95);
    const rss = mib(Math.max(peakRss, hwm));
    console.log(
      `      scorer CPU ${cpuA.toFixed(1)} s during (a) (${((cpuA * 1000) / burst).toFixed(2)} ms a claim), resident ${rssAfterA.toFixed(0)} MiB after it (${heapAfterA}); ${handlerLine(metrics)}`,
    );
    console.log(
      `  (b) ${fmt(steady)} claim.filed at ${achievedRate.toFixed(0)}/s over ${secs(bPublished - bStart)}; claim.scored received for ${fmt(toScored.length)}`,
    );
    console.log('\n  figure                                   measured        target          ');
    console.log('  ---------------------------------------  --------------  ----------------------');
    console.log(
      `  (a) claims scored per second (end to end)  ${fmt(throughput).padStart(12)}    >= ${fmt(TARGETS.claimsPerSecond)}: ${met(throughput >= TARGETS.claimsPerSecond)}`,
    );
    console.log(
      `      the scorer's own (first to last commit)  ${fmt(burst / scorerSpanS).padStart(8)}    (${fmt((burst * MODEL_TYPES.length) / scorerSpanS)} predictions/s)`,
    );
    console.log(
      `  (b) p50 / p95 filed -> predictions stored  ${p(toStored, 0.5).toFixed(0).padStart(4)} / ${p95.toFixed(0).padStart(4)} ms   p95 < ${TARGETS.p95Ms} ms at ${rate}/s: ${met(p95 < TARGETS.p95Ms)}`,
    );
    console.log(
      `      p50 / p95 filed -> claim.scored received ${p(toScored, 0.5).toFixed(0).padStart(4)} / ${p(toScored, 0.95).toFixed(0).padStart(4)} ms   (after the outbox relay)`,
    );
    console.log(
      `  (c) scorer peak RSS                          ${rss.toFixed(0).padStart(6)} MiB    < ${TARGETS.rssMiB} MiB: ${met(rss < TARGETS.rssMiB)}`,
    );
    const foreign = [...new Set([...foreignA, ...foreignTestRuns()])];
    if (foreign.length > 0)
      console.log(
        `\n  note: other test runs were on the machine (pids ${foreign.join(', ')}): figures are pessimistic`,
      );

    const problems: string[] = [];
    if (duplicates > 0) problems.push(`${duplicates} (claim, model) pairs with more than one prediction`);
    if (deadLettered > 0) problems.push(`${deadLettered} dead letters`);
    if (scoredEvents !== warmUp.length + burst + steady)
      problems.push(`${scoredEvents} claim.scored for ${warmUp.length + burst + steady} claims`);
    if (toStored.length !== steady) problems.push(`${steady - toStored.length} claims never seen stored`);
    if (toScored.length !== steady)
      problems.push(`claim.scored received for ${toScored.length} of ${steady} claims`);
    if (exit !== 0) problems.push(`the scorer exited with ${exit}`);
    const logText = readFileSync(path.join(workDir, 'scorer.log'), 'utf8');
    const errors = logText.split('"level":"error"').length - 1;
    if (errors > 0) problems.push(`${errors} error lines in the scorer's log`);
    if (problems.length > 0) console.error(`\n  the work failed: ${problems.join('; ')}`);
    ok = problems.length === 0;
  } catch (err) {
    console.error(`\nbench:score failed: ${errorMessage(err)}`);
  } finally {
    clearInterval(sampler);
    if (scorer) await stopChild(scorer);
    for (const name of [topology.eventsStream, topology.deadLetterStream])
      await jsm.streams.delete(name).catch(() => false);
    await nc.close();
    await orm.close();
    await db.end();
  }
  if (ok && !keep) {
    await dropDatabase(url);
    rmSync(workDir, { recursive: true, force: true });
  } else {
    console.log(`\n  kept for inspection: database ${base.pathname.slice(1)}, logs in ${workDir}`);
  }
  return ok ? 0 : 1;
}

/** The V8 heap and the memory outside it (Buffers, native) from the scorer's /metrics. */
function memoryLine(metrics: string): string {
  const value = (name: string) =>
    Number(
      metrics
        .split('\n')
        .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
        ?.split(' ')
        .pop() ?? Number.NaN,
    );
  const m = (name: string) => `${mib(value(name)).toFixed(0)} MiB`;
  return `heap ${m('nodejs_heap_size_used_bytes')} used of ${m('nodejs_heap_size_total_bytes')}, external ${m('nodejs_external_memory_bytes')}`;
}

/** Mean handler time and count per batch (tenant group) from the scorer's /metrics. */
function handlerLine(metrics: string): string {
  const value = (name: string) =>
    Number(
      metrics
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && l.includes('subject="claim.filed"'))
        ?.split(' ')
        .pop() ?? Number.NaN,
    );
  const count = value('ue_event_handler_seconds_count');
  const sum = value('ue_event_handler_seconds_sum');
  return `${fmt(count)} tenant transactions, ${((sum / count) * 1000).toFixed(1)} ms each on average`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
