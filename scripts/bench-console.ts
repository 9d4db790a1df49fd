import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { chromium } from 'playwright-core';
import { errorMessage, parseFlags, UsageError } from '@app/common';
import type { FlagSpec } from '@app/common';
import { dropDatabase, ensureDatabase, migrate, roleForService, urlForRole } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import { natsConnectOptions, provisionStreams, Topology } from '@app/messaging';
import type { FleetPage } from '../apps/console/src/api/types';
import { percentile } from './bench-pipeline-audit';
import { freePort, logTail, startNode, stopChild, waitForLine } from './bench-processes';
import type { NodeChild } from './bench-processes';

// npm run bench:console [-- --tenants 1000 --days 180 --requests 60 --keep]
//
// The console against a fleet of `tenants` x 4 models with `days` of daily checks each (issue 18's
// targets): the fleet API's latency (p50/p95 of GET /api/fleet as the browser pages it, searches it and
// filters it), the fleet page in headless Chromium until its rows are on screen, and a model page with
// its whole history until its charts are drawn. The fleet is written with SQL (generate_series), as the
// services would have left it: what is measured is the console reading it, not the services writing it.

const FLAGS: FlagSpec = {
  tenants: { type: 'int', min: 1, max: 100_000 },
  days: { type: 'int', min: 1, max: 730 },
  requests: { type: 'int', min: 5, max: 10_000 },
  keep: { type: 'bool' },
  help: { type: 'bool' },
};
const USAGE = 'usage: npm run bench:console -- [--tenants N] [--days D] [--requests R] [--keep]';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const TARGETS = { fleetApiP95Ms: 300, fleetPageMs: 2000, modelPageMs: 1000 };

/** One check a day for every model; a tenant in ten drifts from 20 days before the end. */
async function writeFleet(db: Client, tenants: number, days: number): Promise<void> {
  await db.query(
    `insert into tenants (id, name, union_local, region)
     select 'tenant_b_' || i, 'Local ' || (100 + i), 'Local ' || (100 + i), 'region ' || (i % 7)
       from generate_series(0, $1 - 1) as i`,
    [tenants],
  );
  await db.query(
    `insert into profiles (tenant_id, user_id, first_name, last_name, email, role, department, birth_date, union_joined_at)
     select 'tenant_b_' || i, 'admin_' || i, 'Admin', 'Number ' || i, 'admin' || i || '@local.example.org',
            'admin', 'Operations', '1980-01-01', '2010-01-01'
       from generate_series(0, $1 - 1) as i`,
    [tenants],
  );
  for (const modelType of MODEL_TYPES) {
    const features = MODEL_CONFIGS[modelType].features;
    const threshold = MODEL_CONFIGS[modelType].accuracyThreshold;
    await db.query(
      `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at)
       select 'tenant_b_' || i, $1, 1, true, 0.93, now() - interval '200 days' from generate_series(0, $2 - 1) as i`,
      [modelType, tenants],
    );
    // Drifted tenants (i % 10 = 0): PSI rises and accuracy falls over the last 20 days.
    await db.query(
      `insert into drift_checks (tenant_id, model_type, model_version, logical_date, decision, breach, features,
                                 max_psi, max_psi_feature, accuracy, accuracy_low, accuracy_high, labelled_count,
                                 estimated_accuracy, estimated_low, estimated_high, estimated_count, accuracy_source,
                                 label_coverage, window_predictions, window_labelled, psi_window_days, reasons,
                                 event_id, correlation_id)
       select t.id, $1, 1, d.day, case when t.drifted and d.n < 20 then 'retrain' else 'no_action' end,
              t.drifted and d.n < 20,
              (select jsonb_agg(jsonb_build_object('feature', f, 'psi', p.psi, 'band',
                        case when p.psi > 0.25 then 'significant' when p.psi > 0.1 then 'moderate' else 'stable' end,
                        'baselineSize', 2000, 'currentSize', 900))
                 from unnest(cast($2 as text[])) as f cross join lateral (select
                        case when t.drifted and d.n < 20 then 0.3 + 0.1 * (20 - d.n) else 0.02 + 0.03 * random() end as psi) p),
              case when t.drifted and d.n < 20 then 0.3 + 0.1 * (20 - d.n) else 0.05 end, $3,
              a.acc, a.acc - 0.04, least(a.acc + 0.03, 1), 210,
              a.acc + 0.01, a.acc - 0.02, least(a.acc + 0.04, 1), 240, 'realized', 0.85, 240, 204, 7, '[]'::jsonb,
              gen_random_uuid(), gen_random_uuid()::text
         from (select 'tenant_b_' || i as id, i % 10 = 0 as drifted from generate_series(0, $4 - 1) as i) t
         cross join (select (current_date - n) as day, n from generate_series(0, $5 - 1) as n) d
         cross join lateral (select case when t.drifted and d.n < 20 then $6 - 0.01 * (20 - d.n)
                                         else 0.93 + 0.02 * random() end as acc) a`,
      [modelType, `{${features.join(',')}}`, features[0], tenants, days, threshold],
    );
    await db.query(
      `insert into drift_episodes (tenant_id, model_type, condition, status, started_on, last_seen_on, days, retrains,
                                   model_version, opened_by_check_id)
       select 'tenant_b_' || i, $1, 'drift_and_accuracy', 'open', current_date - 19, current_date, 20, 2, 1, gen_random_uuid()
         from generate_series(0, $2 - 1, 10) as i`,
      [modelType, tenants],
    );
  }
  await db.query(
    `insert into ml_retraining_notifications (tenant_id, event_id, event_type, model_type, severity, channel, recipient,
                                              subject, body, status, correlation_id, created_at)
     select 'tenant_b_' || i, gen_random_uuid(), 'alert.digest', null, 'warning', 'in_app', 'admin_' || i,
            'Daily digest: drift on 4 models', 'body', 'sent', gen_random_uuid()::text, now() - (d || ' days')::interval
       from generate_series(0, $1 - 1, 10) as i cross join generate_series(0, 19) as d`,
    [tenants],
  );
  await db.query('analyze');
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2), FLAGS);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const tenants = (flags.tenants as number | undefined) ?? 1000;
  const days = (flags.days as number | undefined) ?? 180;
  const requests = (flags.requests as number | undefined) ?? 60;
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_console';
  const url = base.toString();
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const topology = new Topology(`benchconsole${process.pid}.`);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ue-bench-console-'));
  let consoleApp: NodeChild | null = null;
  let ok = false;

  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  const db = new Client({ connectionString: url });
  await db.connect();
  const nc = await connect(natsConnectOptions(natsUrl));
  const jsm = await jetstreamManager(nc);
  await provisionStreams(jsm, topology, { replicas: 1 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    console.log(
      `bench:console  ${tenants} tenants x ${MODEL_TYPES.length} models, ${days} days of daily checks`,
    );
    const written = await timed(() => writeFleet(db, tenants, days));
    const [{ n }] = (await db.query<{ n: number }>('select count(*)::int as n from drift_checks')).rows as [
      { n: number },
    ];
    console.log(
      `  fleet written in ${(written.ms / 1000).toFixed(1)} s (not timed): ${n.toLocaleString('en')} checks`,
    );

    const port = await freePort();
    consoleApp = startNode(
      'console',
      'dist/apps/console/src/main.js',
      [],
      {
        ...process.env,
        DATABASE_URL: urlForRole(url, roleForService('console')!),
        NATS_URL: natsUrl,
        SUBJECT_PREFIX: topology.prefix,
        HTTP_PORT: String(port),
        LOG_FORMAT: 'json',
        CONSOLE_DEV_LOGIN: 'true',
      },
      path.join(workDir, 'console.log'),
    );
    await waitForLine(consoleApp, (l) => (l.includes('"service started"') ? true : undefined), 30_000);
    const site = `http://127.0.0.1:${port}`;
    const login = await fetch(`${site}/auth/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'dev-operator' }),
    });
    if (!login.ok) throw new Error(`sign-in: HTTP ${login.status}`);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    // (a) The fleet API as the fleet page asks it: first page, later pages, a search, a state filter.
    const paths = [
      '/api/fleet?page=1&pageSize=50',
      `/api/fleet?page=${Math.max(1, Math.floor((tenants * 4) / 100))}&pageSize=50`,
      '/api/fleet?q=Local%201&pageSize=50',
      '/api/fleet?state=failing&pageSize=50',
    ];
    const get = async (p: string): Promise<FleetPage> => {
      const res = await fetch(`${site}${p}`, { headers: { cookie } });
      if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status}`);
      return (await res.json()) as FleetPage;
    };
    for (const p of paths) await get(p); // warm-up: connections, plans, JIT
    const latencies: number[] = [];
    let total = 0;
    for (let i = 0; i < requests; i++) {
      const r = await timed(() => get(paths[i % paths.length]!));
      latencies.push(r.ms);
      if (i === 0) total = r.value.total;
      if (i % 10 === 9) process.stdout.write(`\r  (a) fleet API: ${i + 1}/${requests} requests`);
    }
    process.stdout.write('\n');

    // (b) and (c) in the browser: signed in by the same cookie, times from navigation to what a person sees.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.addCookies([
      { name: cookie.split('=')[0]!, value: cookie.split('=')[1]!, url: site, httpOnly: true, secure: true },
    ]);
    const page = await context.newPage();
    const fleetMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await timed(async () => {
        await page.goto(`${site}/`);
        await page.getByTestId('fleet-row').first().waitFor();
      });
      if (i > 0) fleetMs.push(t.ms); // the first load fills the browser's cache, as a person's first visit would
    }
    const modelUrl = `${site}/tenants/tenant_b_0/models/claim_outcome?days=${days}`;
    const modelMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await timed(async () => {
        await page.goto(modelUrl);
        await page.getByTestId('psi-chart').waitFor();
        await page.getByTestId('accuracy-chart').waitFor();
        // Chart.js draws on the next frame after the canvas mounts (the page's global, not this file's).
        await page.evaluate(
          () =>
            new Promise((r) =>
              (
                globalThis as unknown as { requestAnimationFrame(cb: () => void): void }
              ).requestAnimationFrame(() => r(null)),
            ),
        );
      });
      if (i > 0) modelMs.push(t.ms);
    }
    const points = await page.evaluate(async (u) => {
      const res = await fetch(u);
      return ((await res.json()) as { checks: unknown[] }).checks.length;
    }, `/api/tenants/tenant_b_0/models/claim_outcome?days=${days}`);

    const p50 = percentile(latencies, 0.5);
    const p95 = percentile(latencies, 0.95);
    const med = (xs: number[]) => percentile(xs, 0.5);
    const verdict = (ok2: boolean) => (ok2 ? 'met' : 'NOT met');
    console.log('');
    console.log(`  figure                                           measured           target`);
    console.log(`  ------------------------------------------------ ------------------ ----------------`);
    console.log(
      `  (a) GET /api/fleet, ${total.toLocaleString('en')} models (p50 / p95)`.padEnd(51) +
        `${p50.toFixed(0)} / ${p95.toFixed(0)} ms`.padEnd(19) +
        `p95 < ${TARGETS.fleetApiP95Ms} ms: ${verdict(p95 < TARGETS.fleetApiP95Ms)}`,
    );
    console.log(
      `  (b) fleet page until its rows show (median of 5)`.padEnd(51) +
        `${med(fleetMs).toFixed(0)} ms`.padEnd(19) +
        `< ${TARGETS.fleetPageMs} ms: ${verdict(med(fleetMs) < TARGETS.fleetPageMs)}`,
    );
    console.log(
      `  (c) model page, ${points} days, until charts drawn`.padEnd(51) +
        `${med(modelMs).toFixed(0)} ms`.padEnd(19) +
        `< ${TARGETS.modelPageMs} ms: ${verdict(med(modelMs) < TARGETS.modelPageMs)}`,
    );
    console.log(
      `      (fleet page runs ${fleetMs.map((x) => x.toFixed(0)).join(', ')} ms; model page runs ${modelMs.map((x) => x.toFixed(0)).join(', ')} ms)`,
    );
    await context.close();
    ok = true;
  } finally {
    await browser.close();
    if (consoleApp) {
      const code = await stopChild(consoleApp);
      if (!ok || code !== 0) console.log(`console exited ${code}; its log:\n${logTail(consoleApp, 20)}`);
    }
    await jsm.streams.delete(topology.eventsStream).catch(() => false);
    await jsm.streams.delete(topology.deadLetterStream).catch(() => false);
    await nc.close();
    await db.end();
    if (flags.keep !== true) await dropDatabase(url);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench:console failed: ${errorMessage(err)}`);
  process.exit(1);
});
