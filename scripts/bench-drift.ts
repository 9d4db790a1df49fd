import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { buildBaseline, countsFromValues, parseBaseline } from '@app/drift';
import {
  dropDatabase,
  ensureDatabase,
  FEATURE_COLUMNS,
  FEATURE_UNPIVOT,
  tenantWindowValues,
  migrate,
} from '@app/database';
import { FEATURES, MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import {
  createServiceApp,
  MessagingMetrics,
  natsConnectOptions,
  provisionStreams,
  Topology,
} from '@app/messaging';
import { DriftMonitorConfig } from '../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../apps/drift-monitor/src/drift-monitor.module';
import { SchedulerConfig } from '../apps/scheduler/src/scheduler.config';
import { SchedulerModule } from '../apps/scheduler/src/scheduler.module';
import { SchedulerService } from '../apps/scheduler/src/scheduler.service';
import { dropForBulkLoad, rebuildAfterBulkLoad } from '../apps/seeder/src/seeding/bulk-mode';

// npm run bench:drift -- [--tenants 1000] [--claims 10000] [--concurrency 16] [--keep] [--reuse]
// --keep leaves the fleet's database behind; --reuse checks a kept fleet of the same size again (its checks, scheduled runs,
// episodes, inbox and outbox cleared) instead of building one: 2.5 minutes saved when comparing changes.
// Builds a fleet (every 10th tenant drifted in its last 30 days) straight in SQL, freezes each tenant's
// baselines with libs/drift, then times (1) the full daily check: the scheduler fires one
// drift.check.requested per tenant and model and the drift-monitor service handles them over NATS
// JetStream until every check is stored, with where each check's time goes; and (2) the ceiling: the same
// bin counts for every tenant and model computed in two stages for the whole fleet (each distinct feature
// value of each tenant's window counted in one scan, then those values mapped to every model's frozen
// bins), its counts checked equal to the service's own statements for a sample of tenants. Prints both and
// their ratio; the last line is `ratio check/ceiling: X`.

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const DAY = 86_400_000;

async function main(): Promise<void> {
  const tenants = arg('tenants', 1000);
  const claims = arg('claims', 10_000);
  const concurrency = arg('concurrency', 16);
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_drift';
  const url = base.toString();
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `bench${process.pid}.`;
  const today = new Date().toISOString().slice(0, 10);
  const now = Date.parse(`${today}T00:00:00Z`);

  const reuse = process.argv.includes('--reuse') && (await keptFleet(url, tenants * claims));
  if (!reuse) {
    await dropDatabase(url);
    await ensureDatabase(url);
  }
  // A kept fleet is brought up to date as well (an index a later migration adds is built on it).
  await migrate(url);
  const db = new Client({ connectionString: url });
  await db.connect();
  if (reuse) {
    console.log(`reusing the kept fleet of ${fmt(tenants)} tenants x ${fmt(claims)} claims`);
    await db.query('truncate drift_checks, drift_episodes, outbox, processed_events, scheduled_runs');
  } else await buildFleet(db, url, { tenants, claims, now });

  // (2) the ceiling, on a warm cache (once to warm, then timed): stage 1 materialises the window's distinct
  // (tenant, feature, value) counts, stage 2 maps them to every active baseline's bins.
  const to = new Date(now + DAY);
  const from = new Date(to.getTime() - 30 * DAY);
  const stage1 = `create temp table window_values as
    select w.tenant_id, f.name, f.num, f.cat, count(*)::int as n
      from claims w cross join lateral ${FEATURE_UNPIVOT}
     where w.filed_at >= $1 and w.filed_at < $2
     group by 1, 2, 3, 4`;
  const stage2 = `with b as materialized (
      select tenant_id, model_type, feature_name,
             case when distribution->>'kind' = 'numeric_binned'
                  then array(select e::float8 from jsonb_array_elements_text(distribution->'edges') as e) end as edges
        from model_feature_baselines where is_active
    )
    select b.tenant_id, b.model_type, b.feature_name,
           case when b.edges is not null then width_bucket(v.num, b.edges)::text
                when v.num is not null then v.num::text else v.cat end as bin,
           sum(v.n)::int as n
      from b join window_values v on v.tenant_id = b.tenant_id and v.name = b.feature_name
     group by 1, 2, 3, 4`;
  const ceiling = async () => {
    await db.query('drop table if exists window_values');
    const s0 = performance.now();
    await db.query(stage1, [from, to]);
    // The planner needs the new table's size and values to join it well (a guessed 1,000 rows makes it
    // loop over the baselines once per value).
    await db.query('analyze window_values');
    const s1 = performance.now();
    const bins = await db.query<{
      tenant_id: string;
      model_type: string;
      feature_name: string;
      bin: string | null;
      n: number;
    }>(stage2);
    const s2 = performance.now();
    return { stage1: (s1 - s0) / 1000, stage2: (s2 - s1) / 1000, rows: bins.rows };
  };
  await ceiling();
  const c = await ceiling();
  const ceilingSeconds = c.stage1 + c.stage2;
  const groups = Number(
    (await db.query<{ n: string }>('select count(*) as n from window_values')).rows[0]!.n,
  );
  // The same counts as the drift monitor's own statement and binning (libs/database tenantWindowValues,
  // libs/drift countsFromValues, as a tenant's checks of a day run them), for a sample of tenants.
  const run = <T extends object[]>(sql: string, params: unknown[]) => {
    let i = 0;
    return db
      .query(
        sql.replace(/\?/g, () => `$${++i}`),
        params,
      )
      .then((r) => r.rows as T);
  };
  const key = (r: { tenant_id: string; model_type: string; feature_name: string; bin: string | null }) =>
    `${r.tenant_id}|${r.model_type}|${r.feature_name}|${r.bin}`;
  // Postgres renders a float8 as JavaScript does (shortest round trip), so a value's key is the same text.
  const ceilingCounts = new Map(c.rows.map((r) => [key(r), Number(r.n)]));
  let compared = 0;
  const sampled = new Set<string>();
  for (let t = 0; t < tenants; t += Math.max(1, Math.floor(tenants / 25))) {
    const tenantId = `fleet_${t}`;
    sampled.add(tenantId);
    const window = await tenantWindowValues(run, {
      tenantId,
      versions: MODEL_TYPES.map((modelType) => ({ modelType, version: 1 })),
      shortFrom: from,
      longFrom: from,
      to,
    });
    for (const b of window.baselines) {
      const counts = countsFromValues(
        parseBaseline(b.distribution),
        (window.values.get(b.featureName) ?? []).map((v) => ({ value: v.value, n: v.nLong })),
      );
      const bins: [string, number][] = Array.isArray(counts)
        ? counts.map((n, i) => [String(i), n])
        : Object.entries(counts);
      for (const [bin, n] of bins.filter(([, n]) => n > 0)) {
        compared += 1;
        const k = key({ tenant_id: tenantId, model_type: b.modelType, feature_name: b.featureName, bin });
        if (ceilingCounts.get(k) !== n)
          throw new Error(`the ceiling's count for ${k} is ${ceilingCounts.get(k)}, the service's ${n}`);
      }
    }
  }
  // And no bin of the ceiling's is missing from the service's.
  const ceilingSampled = c.rows.filter((r) => sampled.has(r.tenant_id) && r.bin !== null).length;
  if (ceilingSampled !== compared)
    throw new Error(
      `the ceiling has ${ceilingSampled} bins for the sampled tenants, the service ${compared}`,
    );
  await db.query('drop table window_values');

  // (1) the full daily check through the services.
  const env = {
    ...process.env,
    DATABASE_URL: url,
    NATS_URL: natsUrl,
    SUBJECT_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    HTTP_PORT: '0',
    SCHEDULE_ENABLED: 'false',
    CONSUMER_CONCURRENCY: String(concurrency),
    DB_POOL_MAX: String(concurrency + 4),
  };
  // The streams first, as `npm run nats:provision` does: the services only check them.
  const nc = await connect(natsConnectOptions(natsUrl));
  const jsm = await jetstreamManager(nc);
  const t = new Topology(prefix);
  await provisionStreams(jsm, t, { replicas: 1 });
  const monitor = await createServiceApp({
    service: 'drift-monitor',
    configClass: DriftMonitorConfig,
    module: (c, l) => DriftMonitorModule.forRoot(c, l),
    env,
    logSink: () => undefined,
  });
  const scheduler = await createServiceApp({
    service: 'scheduler',
    configClass: SchedulerConfig,
    module: (c, l) => SchedulerModule.forRoot(c, l),
    env,
    logSink: () => undefined,
  });
  // Where a check's time goes: every statement the drift monitor sends, timed at its connection and sorted
  // by what it is for; the handler's own time (transaction included) from its metrics.
  const timings = new Map<string, { ms: number; n: number }>();
  const connection = monitor.app.get(MikroORM).em.getConnection();
  const execute = connection.execute.bind(connection);
  connection.execute = (async (...args: Parameters<typeof execute>) => {
    const started = performance.now();
    try {
      return await execute(...args);
    } finally {
      const kind = statementKind(sqlOf(args[0]));
      const t = timings.get(kind) ?? { ms: 0, n: 0 };
      t.ms += performance.now() - started;
      t.n += 1;
      timings.set(kind, t);
    }
  }) as typeof connection.execute;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const cpu0 = { node: process.cpuUsage(), processes: processCpuSeconds(), machine: machineCpuSeconds() };
  const t0 = Date.now();
  const fired = await scheduler.app.get(SchedulerService).fire(new Date(), 'manual');
  const expected = tenants * MODEL_TYPES.length;
  for (;;) {
    const n = Number((await db.query<{ n: string }>('select count(*) as n from drift_checks')).rows[0]!.n);
    if (n >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const checkSeconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const cpu1 = {
    node: process.cpuUsage(cpu0.node),
    processes: processCpuSeconds(),
    machine: machineCpuSeconds(),
  };
  const cpuOf = (name: string) => (cpu1.processes.get(name) ?? 0) - (cpu0.processes.get(name) ?? 0);
  // The handler's metric: one observation per transaction (a tenant's checks of a pull, since issue 20).
  const handler = (await monitor.app.get(MessagingMetrics).handlerSeconds.get()).values.filter(
    (v) => v.labels.subject === 'drift.check.requested',
  );
  const metric = (name: string) =>
    handler.filter((v) => v.metricName === name).reduce((sum, v) => sum + v.value, 0);
  const handlerMs = metric('ue_event_handler_seconds_sum') * 1000;
  const transactions = metric('ue_event_handler_seconds_count');
  const decisions = (
    await db.query<{ decision: string; n: string }>(
      'select decision, count(*) as n from drift_checks group by 1 order by 1',
    )
  ).rows;
  await scheduler.app.close();
  await monitor.app.close();
  for (const name of [t.eventsStream, t.deadLetterStream]) await jsm.streams.delete(name).catch(() => false);
  await nc.close();
  await db.end();
  if (!process.argv.includes('--keep')) await dropDatabase(url);

  console.log(
    `\nbench:drift  ${fmt(tenants)} tenants x ${fmt(claims)} claims = ${fmt(tenants * claims)} claims; 30-day window; 2 cores, Node ${process.version}`,
  );
  console.log(
    `  full daily check  ${fmt(fired.driftChecks)} drift.check.requested -> ${fmt(expected)} checks stored in ${checkSeconds.toFixed(1)} s (${fmt(expected / checkSeconds)} checks/s, consumer concurrency ${concurrency})`,
  );
  console.log(
    `  decisions         ${decisions.map((d) => `${d.decision} ${d.n}`).join(', ')} (every 10th tenant drifted: expect ${fmt((tenants / 10) * 4)} watching, the first day of a breach; 2 of 3 days open an episode)`,
  );
  const perCheck = (ms: number) => `${(ms / expected).toFixed(2)} ms`;
  const statementsMs = [...timings.values()].reduce((sum, t) => sum + t.ms, 0);
  const order = [
    'tenant scope',
    'inbox',
    'episode lock',
    'inputs',
    'histograms',
    'check stored',
    'episode',
    'outbox',
    'other',
  ];
  console.log(
    `  per check         statements ${perCheck(statementsMs)} (the wall time of each, summed; how many a check sends in brackets) = ${order
      .filter((k) => timings.has(k))
      .map((k) => `${k} ${perCheck(timings.get(k)!.ms)} (${(timings.get(k)!.n / expected).toFixed(1)})`)
      .join(', ')}`,
  );
  console.log(
    `  transactions      ${fmt(transactions)} (${(expected / Math.max(1, transactions)).toFixed(1)} checks each), ${(handlerMs / Math.max(1, transactions)).toFixed(1)} ms each on average from its turn to its commit (waits for a connection included)`,
  );
  console.log(
    `  ceiling           two stages for the whole fleet: window values counted ${c.stage1.toFixed(2)} s (${fmt(groups)} (tenant, feature, value) groups), mapped to every model's bins ${c.stage2.toFixed(2)} s (${fmt(c.rows.length)} bin counts) = ${ceilingSeconds.toFixed(2)} s; equal to the service's statements on ${fmt(compared)} bin counts of a sample of tenants`,
  );
  if (cpu1.machine > 0)
    console.log(
      `  cpu               ${(cpu1.machine - cpu0.machine).toFixed(1)} s busy of ${(checkSeconds * cpus().length).toFixed(1)} s on ${cpus().length} cores during the check: this process (drift monitor, scheduler, relay) ${((cpu1.node.user + cpu1.node.system) / 1e6).toFixed(1)} s, postgres ${cpuOf('postgres').toFixed(1)} s, nats-server ${cpuOf('nats-server').toFixed(1)} s`,
    );
  console.log(
    `  peak memory       ${(peakRss / 2 ** 20).toFixed(0)} MiB RSS (scheduler and drift-monitor in this process)`,
  );
  console.log(`ratio check/ceiling: ${(checkSeconds / ceilingSeconds).toFixed(2)}   (target: <= 2)`);
}

/** Builds the fleet straight in SQL (every 10th tenant drifted in its last 30 days), then freezes baselines. */
async function buildFleet(
  db: Client,
  url: string,
  { tenants, claims, now }: { tenants: number; claims: number; now: number },
): Promise<void> {
  console.log(
    `building a fleet of ${fmt(tenants)} tenants x ${fmt(claims)} claims (${fmt(tenants * claims)} claims) in SQL...`,
  );
  let t0 = Date.now();
  await db.query('begin');
  await db.query(`set local maintenance_work_mem = '512MB'`);
  const deferred = await dropForBulkLoad(db, ['claims']);
  await db.query(
    `insert into tenants (id, name, union_local) select 'fleet_' || t, 'Local ' || t, 'Fleet Local ' || t from generate_series(0, $1 - 1) t`,
    [tenants],
  );
  await db.query(
    `insert into profiles (tenant_id, user_id, first_name, last_name, email, role, department, birth_date, union_joined_at)
     select 'fleet_' || t, 'mock_user_fleet_' || t, 'Pat', 'Lee', 'pat.lee.' || t || '@fleet.example.org', 'member', 'Operations', '1980-01-01', '2015-01-01'
       from generate_series(0, $1 - 1) t`,
    [tenants],
  );
  // Every 10th tenant drifts: its claims of the last 30 days come from younger, newer members with harder cases.
  await db.query(
    `insert into claims (tenant_id, claim_number, member_id, claim_type, status, priority, department, description,
                         case_complexity, member_age, union_tenure_years, filed_at)
     select p.tenant_id, 'F-' || i, p.id,
            (array['contract_grievance','disciplinary_action','wrongful_termination','workplace_safety','discrimination','harassment',
                   'wage_and_hour','overtime_dispute','benefits_dispute','leave_request','scheduling_conflict'])[1 + floor(random() * 11)::int],
            'submitted', 'medium',
            (array['Operations','Maintenance','Logistics','Customer Service','Healthcare','Administration','Manufacturing'])[1 + floor(random() * 7)::int],
            'fleet claim',
            case when d.shift then 7 + floor(random() * 4) else 1 + floor(random() * 10) end,
            case when d.shift then 20 + floor(random() * 10) else 22 + floor(random() * 44) end,
            case when d.shift then round((random() * 2)::numeric, 1) else round((random() * 25)::numeric, 1) end,
            d.filed
       from profiles p
       cross join generate_series(1, $1) i
       cross join lateral (select now() - (random() + 0 * i) * interval '456 days' as filed) f -- correlated with i, so drawn per row
       cross join lateral (select f.filed, (substring(p.tenant_id from 7)::int % 10 = 0 and f.filed > now() - interval '30 days') as shift) d`,
    [claims],
  );
  await rebuildAfterBulkLoad(db, deferred);
  await db.query(
    `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at)
     select 'fleet_' || t, m, 1, true, 0.8, now() - interval '90 days' from generate_series(0, $1 - 1) t, unnest($2::text[]) m`,
    [tenants, MODEL_TYPES],
  );
  await db.query('commit');
  // What autovacuum does to 15 months of claims in production: the visibility map lets the drift monitor
  // read a tenant's window from the claims_window index alone (an index-only scan).
  await db.query('vacuum (analyze) claims');
  await db.query('analyze');
  console.log(`  claims loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Baselines: each tenant's sample of the 12 months before the v1 deployment, frozen by libs/drift.
  t0 = Date.now();
  const pool = new Pool({ connectionString: url, max: 4 });
  const features = Object.keys(FEATURES) as FeatureName[];
  const ids = Array.from({ length: tenants }, (_, t) => `fleet_${t}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const tenantId = ids[i]!;
        const { rows } = await pool.query<Record<FeatureName, string | number>>(
          `select ${features.map((f) => FEATURE_COLUMNS[f]).join(', ')} from claims where tenant_id = $1 and filed_at >= $2 and filed_at < $3`,
          [tenantId, new Date(now - 455 * DAY), new Date(now - 90 * DAY)],
        );
        const built = new Map(
          features.map((f) => [
            f,
            buildBaseline(
              rows.map((r) => (FEATURES[f].kind === 'numeric' ? Number(r[f]) : String(r[f]))),
              FEATURES[f].kind,
            ),
          ]),
        );
        const values = MODEL_TYPES.flatMap((m) =>
          MODEL_CONFIGS[m].features.map((f) => ({
            tenant_id: tenantId,
            model_type: m,
            model_version: 1,
            feature_name: f,
            feature_kind: FEATURES[f].kind,
            distribution: built.get(f),
            sample_size: rows.length,
            is_active: true,
          })),
        );
        await pool.query(
          `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind, distribution, sample_size, is_active)
           select tenant_id, model_type, model_version, feature_name, feature_kind, distribution, sample_size, is_active
             from json_populate_recordset(null::model_feature_baselines, $1::json)`,
          [JSON.stringify(values)],
        );
      }
    }),
  );
  await pool.end();
  console.log(`  baselines frozen in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** CPU seconds used so far by the processes of each name (Linux /proc; empty elsewhere), reaped children included. */
function processCpuSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 100; // USER_HZ on Linux
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 after the name and state.
      const used = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) / tick;
      out.set(name, (out.get(name) ?? 0) + used);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/** CPU seconds the whole machine has been busy (all cores; Linux /proc/stat; 0 elsewhere). */
function machineCpuSeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
  } catch {
    return 0;
  }
}

/** Whether a fleet kept by an earlier run (--keep) holds `claims` claims: then --reuse checks it again. */
async function keptFleet(url: string, claims: number): Promise<boolean> {
  const db = new Client({ connectionString: url });
  try {
    await db.connect();
    const { rows } = await db.query<{ n: string }>('select count(*) as n from claims');
    return Number(rows[0]!.n) === claims;
  } catch {
    return false;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** The text of a statement as MikroORM hands it to its connection (a string, or a knex builder or raw). */
function sqlOf(q: unknown): string {
  if (typeof q === 'string') return q;
  const built = (q as { toSQL?: () => { sql?: string } | { sql?: string }[] }).toSQL?.();
  if (Array.isArray(built)) return built.map((b) => b.sql ?? '').join(';');
  return built?.sql ?? String(q);
}

/** What a drift monitor statement is for. */
function statementKind(sql: string): string {
  if (/set_config/i.test(sql)) return 'tenant scope';
  if (/processed_events/i.test(sql)) return 'inbox';
  if (/outbox/i.test(sql)) return 'outbox';
  if (/width_bucket/i.test(sql)) return 'histograms';
  if (/ml_predictions/i.test(sql)) return 'inputs';
  if (/insert into "?drift_checks/i.test(sql)) return 'check stored';
  if (/pg_advisory_xact_lock/i.test(sql)) return 'episode lock';
  if (/drift_episodes|drift_checks/i.test(sql)) return 'episode';
  return 'other';
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
