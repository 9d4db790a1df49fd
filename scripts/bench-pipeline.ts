import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { errorMessage, parseFlags, UsageError } from '@app/common';
import type { FlagSpec, ParsedFlags } from '@app/common';
import { createEnvelope, PLATFORM_TENANT } from '@app/contracts';
import type { Subject } from '@app/contracts';
import { dropDatabase, ensureDatabase, migrate, roleForService, urlForRole } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import { natsConnectOptions, provisionStreams, publishEnvelope, Topology } from '@app/messaging';
import type { FireResult } from '../apps/scheduler/src/scheduler.service';
import { auditPipelines, loadAuditRows, percentile, readSinkReceipts, STEPS } from './bench-pipeline-audit';
import type { AuditResult, Outcome } from './bench-pipeline-audit';
import {
  foreignTestRuns,
  freePort,
  logTail,
  machineBusySeconds,
  readCpuSeconds,
  readMemory,
  serviceStartedUrl,
  startNode,
  stopChild,
  waitForLine,
} from './bench-processes';
import type { NodeChild } from './bench-processes';

// npm run bench:pipeline -- [--tenants 250] [--claims 3000] [--users 50] [--concurrency 1] [--xgb-threads 1]
//                            [--replicas 1] [--timeout 1800] [--keep]
// Starts every service as its own process (scheduler, drift-monitor, trainer, validator, notifier,
// seeder, scorer) on a private database and subject prefix, with real local notification endpoints (an SMTP
// server and an HTTP endpoint for Slack and webhooks). The seeder service seeds tenants whose last 30
// days drifted, with small data (3,000 claims each: training is short but real). Then the scheduler
// fires the daily check, forced: tenants x 4 (tenant, model) pipelines at once, each
// drift.check.requested -> drift.checked + drift.detected -> training run -> model.trained ->
// model.validated -> model.deployed (or a rejection) -> deliveries. It waits until every pipeline
// finished, audits each one from the database and the endpoints' receipts, and prints the total time,
// (with --replicas N, N processes of every service share each durable consumer, as a scaled deployment does)
// events lost, duplicates, p50/p95 of each step (training excluded) and each service's peak memory.
// Exit 1 when anything was lost or duplicated, or on timeout.

const FLAGS: FlagSpec = {
  tenants: { type: 'int', min: 1, max: 1000 },
  claims: { type: 'int', min: 100, max: 100_000 },
  users: { type: 'int', min: 10, max: 1000 },
  concurrency: { type: 'int', min: 1, max: 64 },
  timeout: { type: 'int', min: 10, max: 86_400 },
  'xgb-threads': { type: 'int', min: 1, max: 64 },
  replicas: { type: 'int', min: 1, max: 8 },
  keep: { type: 'bool' },
};

// The scorer files no claim here (nothing publishes claim.filed): it is started because it consumes
// model.deployed (its cost on a deployment burst is part of the pipeline's) and the scheduler's
// claim.outcomes.due, as it does in production; `npm run bench:score` measures its scoring.
const SERVICES = [
  'scheduler',
  'drift-monitor',
  'trainer',
  'validator',
  'notifier',
  'seeder',
  'scorer',
] as const;
type Service = (typeof SERVICES)[number];

/**
 * The notifier's subjects a pipeline waits for: its drift.detected, then model.deployed, a rejected
 * model.validated or training.failed (a passed model.validated is followed by model.deployed).
 */
const NOTIFIED: readonly Subject[] = [
  'model.deployed',
  'model.validated',
  'training.failed',
  'drift.detected',
];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds, readable at both ends of the scale. */
function dur(msValue: number): string {
  if (Number.isNaN(msValue)) return '-';
  if (msValue < 1000) return `${msValue.toFixed(0)} ms`;
  return `${(msValue / 1000).toFixed(msValue < 10_000 ? 2 : 1)} s`;
}

function table(head: string[], rows: string[][], right: readonly number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

interface Progress {
  checks: number;
  detected: number;
  running: number;
  trained: number;
  failed: number;
  validated: number;
  deployed: number;
  rejected: number;
  pending: number;
  finished: number;
}

/**
 * Counts for the progress line, and how many pipelines finished: the notifier handled the drift.detected
 * and the terminal event (model.deployed, a rejection, or training.failed), and none of the pipeline's
 * deliveries is still pending. A check that decided not to retrain is finished at once. Polled every
 * 2 s: light queries on the run's small tables (outbox of a few thousand rows), not on the claims.
 */
async function progress(db: Client, topology: Topology): Promise<Progress> {
  const { rows } = await db.query<Progress>(
    `with ev as (
       select o.envelope->>'correlationId' as cid, o.subject, o.envelope->'payload'->>'passed' as passed,
              pe.event_id is not null as notified
         from outbox o
         join unnest($1::text[], $2::text[]) as c(subject, consumer) on c.subject = o.subject
         left join processed_events pe on pe.consumer = c.consumer and pe.event_id = o.id
     ), p as (
       select cid,
              bool_or(subject = 'drift.detected' and notified) as detected_notified,
              bool_or(notified and (subject in ('model.deployed', 'training.failed') or (subject = 'model.validated' and passed = 'false'))) as terminal_notified
         from ev group by cid
     )
     select (select count(*)::int from drift_checks) as checks,
            (select count(*)::int from outbox where subject = 'drift.detected') as detected,
            (select count(*)::int from ml_model_training_runs where status = 'running') as running,
            (select count(*)::int from ml_model_training_runs where status = 'completed') as trained,
            (select count(*)::int from ml_model_training_runs where status = 'failed') as failed,
            (select count(*)::int from model_validations) as validated,
            (select count(*)::int from model_deployments where reason = 'validated') as deployed,
            (select count(*)::int from model_validations where not passed) as rejected,
            (select count(*)::int from ml_retraining_notifications where status = 'pending') as pending,
            (select count(*)::int from drift_checks where decision <> 'retrain')
              + (select count(*)::int from p where detected_notified and terminal_notified
                   and not exists (select 1 from ml_retraining_notifications n where n.status = 'pending' and n.correlation_id = p.cid)) as finished`,
    [NOTIFIED, NOTIFIED.map((s) => topology.consumerName('notifier', s))],
  );
  return rows[0]!;
}

/** Sums of a Prometheus counter by one label, from a service's /metrics text. */
function counterBy(text: string, metric: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const value = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1];
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (value !== undefined && Number.isFinite(n)) out.set(value, (out.get(value) ?? 0) + n);
  }
  return out;
}

interface StreamAudit {
  /** Messages in the events stream per bare subject. */
  stream: Map<string, number>;
  deadLettered: number;
  consumers: { name: string; pending: number; ackPending: number; redelivered: number }[];
}

async function streamAudit(jsm: JetStreamManager, topology: Topology): Promise<StreamAudit> {
  const info = await jsm.streams.info(topology.eventsStream, { subjects_filter: '>' });
  const stream = new Map<string, number>();
  for (const [subject, n] of Object.entries(info.state.subjects ?? {}))
    stream.set(topology.unprefix(subject), n);
  const dlq = await jsm.streams.info(topology.deadLetterStream);
  const consumers: StreamAudit['consumers'] = [];
  for await (const c of jsm.consumers.list(topology.eventsStream)) {
    consumers.push({
      name: c.name,
      pending: c.num_pending,
      ackPending: c.num_ack_pending,
      redelivered: c.num_redelivered,
    });
  }
  consumers.sort((a, b) => a.name.localeCompare(b.name));
  return { stream, deadLettered: dlq.state.messages, consumers };
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
  const tenants = (flags.tenants as number | undefined) ?? 250;
  // 3,000 claims give each tenant 1,270-1,390 labelled examples for claim_outcome in the last 12 months
  // (its minimum is 1,000) and 720-850 for churn_risk (minimum 500): every model trains, quickly.
  const claims = (flags.claims as number | undefined) ?? 3000;
  const users = (flags.users as number | undefined) ?? 50;
  // The services' production default: one message at a time per consumer, one replica each.
  const concurrency = (flags.concurrency as number | undefined) ?? 1;
  // One XGBoost thread: on ~1,000 examples a second thread only adds synchronisation, and on a shared
  // 2-core machine two OpenMP threads waiting on each other at every barrier made fits 4-10x slower.
  const xgbThreads = (flags['xgb-threads'] as number | undefined) ?? 1;
  const timeoutMs = ((flags.timeout as number | undefined) ?? 1800) * 1000;
  // Processes of every service (scale-out): they share each durable consumer, its inbox and its outbox.
  const replicas = (flags.replicas as number | undefined) ?? 1;
  const keep = flags.keep === true;
  const expected = tenants * MODEL_TYPES.length;

  // Connects as postgres to a private database: the services get the same URL.
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_pipeline';
  const url = base.toString();
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `benchpipe${process.pid}.`;
  const topology = new Topology(prefix);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ue-bench-pipeline-'));
  const children: NodeChild[] = [];
  const services = new Map<Service, { child: NodeChild; url: string }[]>();
  const first = (name: Service) => services.get(name)![0]!;
  let healthy = false;
  let ok = false;
  let sampler: NodeJS.Timeout | undefined;

  // Whatever happens, no service process outlives the benchmark. A first Ctrl-C ends the run the normal
  // way (services stopped, streams deleted, database and logs kept); a second one kills at once.
  const killAll = () => {
    for (const c of children) if (c.exitedWith === null) c.proc.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let interrupted: string | null = null;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) {
        killAll();
        process.exit(130);
      }
      interrupted = signal;
      console.error(`\n${signal}: stopping the run (again to kill at once)`);
    });
  }
  const stopIfInterrupted = () => {
    if (interrupted) throw new Error(`interrupted (${interrupted})`);
  };

  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  const db = new Client({ connectionString: url });
  await db.connect();
  const nc = await connect(natsConnectOptions(natsUrl));
  const jsm = await jetstreamManager(nc);
  // What `npm run nats:provision` does; the services only check the streams.
  await provisionStreams(jsm, topology, { replicas: 1 });

  try {
    console.log(
      `bench:pipeline  ${fmt(tenants)} tenants x ${MODEL_TYPES.length} models = ${fmt(expected)} pipelines; ${fmt(claims)} claims and ${users} users per tenant (drift scenario); consumer concurrency ${concurrency}; XGBoost threads ${xgbThreads}; ${replicas} process${replicas === 1 ? '' : 'es'} of every service`,
    );
    console.log(`  database ${base.pathname.slice(1)}, subject prefix ${prefix}, logs in ${workDir}`);

    // Real endpoints for the notifier: every email and every Slack / webhook call arrives somewhere.
    const smtpPort = await freePort();
    const httpPort = await freePort();
    const sinks = startNode(
      'notification-sinks',
      'dist/scripts/notification-sinks.js',
      [workDir, String(smtpPort), String(httpPort)],
      process.env,
      path.join(workDir, 'notification-sinks.log'),
    );
    children.push(sinks);
    await waitForLine(sinks, (l) => (l.startsWith('notification sinks:') ? true : undefined), 10_000);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url,
      NATS_URL: natsUrl,
      SUBJECT_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      CONSUMER_CONCURRENCY: String(concurrency),
      XGB_THREADS: String(xgbThreads),
      // Fired by hand below, exactly once; no cron tick or catch-up may fire it first.
      SCHEDULE_ENABLED: 'false',
      SCHEDULE_CATCH_UP: 'false',
      SMTP_URL: `smtp://bench:bench-password@127.0.0.1:${smtpPort}`,
      SLACK_WEBHOOKS: JSON.stringify({ 'ml-alerts': `http://127.0.0.1:${httpPort}/slack/ml-alerts` }),
      WEBHOOKS: JSON.stringify({
        ops: { url: `http://127.0.0.1:${httpPort}/webhook/ops`, secret: 'bench-webhook-signing-key' },
      }),
    };
    let t0 = Date.now();
    const replicaName = (name: Service, k: number) => (k === 0 ? name : `${name}-${k + 1}`);
    for (const name of SERVICES)
      for (let k = 0; k < replicas; k++) {
        // Each service on its own Postgres role, under row-level security, as deployed.
        const role = roleForService(name);
        const child = startNode(
          replicaName(name, k),
          `dist/apps/${name}/src/main.js`,
          [],
          { ...env, DATABASE_URL: role ? urlForRole(url, role) : url },
          path.join(workDir, `${replicaName(name, k)}.log`),
        );
        children.push(child);
      }
    for (const name of SERVICES) {
      const started: { child: NodeChild; url: string }[] = [];
      for (let k = 0; k < replicas; k++) {
        const child = children.find((c) => c.name === replicaName(name, k))!;
        started.push({ child, url: await waitForLine(child, serviceStartedUrl, 60_000) });
      }
      services.set(name, started);
    }
    for (const s of [...services.values()].flat()) {
      const deadline = Date.now() + 30_000;
      while (
        !(await fetch(`${s.url}/health`)
          .then((r) => r.ok)
          .catch(() => false))
      ) {
        if (Date.now() > deadline) throw new Error(`${s.child.name} not healthy:\n${logTail(s.child)}`);
        await sleep(200);
      }
    }
    healthy = true;
    console.log(
      `  ${SERVICES.length * replicas} service processes healthy in ${secs(Date.now() - t0)}: ${[
        ...services.values(),
      ]
        .flat()
        .map((s) => `${s.child.name} pid ${s.child.pid}`)
        .join(', ')}`,
    );

    // Seeding through the seeder service (seed.requested), not timed.
    t0 = Date.now();
    const request = createEnvelope(
      'seed.requested',
      { tenants, users, claims, seed: 7, scenario: 'drift', requestedBy: 'bench:pipeline' },
      { tenantId: PLATFORM_TENANT },
    );
    await publishEnvelope(jetstream(nc), topology, request);
    for (;;) {
      const done = await db.query<{ summary: { claims: number; predictions: number } }>(
        'select summary from seed_runs where id = $1 and completed_at is not null',
        [request.id],
      );
      if (done.rows[0]) {
        const s = done.rows[0].summary;
        console.log(
          `  seeded by the seeder service in ${secs(Date.now() - t0)}: ${fmt(tenants)} tenants, ${fmt(s.claims)} claims, ${fmt(s.predictions)} predictions (not timed)`,
        );
        break;
      }
      const failed = await db.query<{ envelope: { payload: { reason: string } } }>(
        `select envelope from outbox where subject = 'seed.failed'`,
      );
      if (failed.rows[0]) throw new Error(`seeding failed: ${failed.rows[0].envelope.payload.reason}`);
      if (Date.now() - t0 > 20 * 60_000) throw new Error('seeding did not finish within 20 minutes');
      stopIfInterrupted();
      await sleep(500);
    }
    // Fresh statistics and visibility map, as on a database that has lived for a while; otherwise
    // autovacuum would analyze the 750,000 new claims in the middle of the timed run.
    t0 = Date.now();
    await db.query('vacuum analyze');
    console.log(`  vacuum analyze in ${secs(Date.now() - t0)} (not timed)`);

    // Peak resident memory of each service during the timed run, sampled every 200 ms.
    const peakRss = new Map<Service, number>();
    sampler = setInterval(() => {
      for (const [name, rs] of services) {
        // All of a service's processes together: what its deployment holds.
        const rss = rs.reduce((sum, s) => sum + (readMemory(s.child.pid)?.rss ?? 0), 0);
        peakRss.set(name, Math.max(peakRss.get(name) ?? 0, rss));
      }
    }, 200);
    const cpuOf = (rs: readonly { child: NodeChild }[]) =>
      rs.reduce((sum, s) => sum + (readCpuSeconds(s.child.pid) ?? 0), 0);

    // CPU used from here on, by each service and by the whole machine (Postgres, NATS, other work).
    const cpuAtFire = new Map([...services].map(([n, rs]) => [n, cpuOf(rs)]));
    const busyAtFire = machineBusySeconds();
    const foreign = { samples: 0, busy: 0, pids: new Set<number>() };

    // Fire: the scheduler's manual trigger, forced, as an operator retraining the fleet does it. Forced:
    // every check retrains at once, and each event of a pipeline is told on its own (a daily check would
    // open episodes on 2 of 3 days, told in the next day's digest: docs/models.md, "Episodes").
    const firedAt = Date.now();
    const fire = await fetch(`${first('scheduler').url}/jobs/daily-drift-check/run?force=true`, {
      method: 'POST',
    });
    if (!fire.ok) throw new Error(`the scheduler refused to fire: HTTP ${fire.status} ${await fire.text()}`);
    const fired = (await fire.json()) as FireResult;
    console.log(
      `\n  fired the daily check for ${fired.logicalDate}, forced: ${fmt(fired.driftChecks)} drift.check.requested (answered in ${dur(Date.now() - firedAt)})`,
    );
    if (!fired.fired || fired.driftChecks !== expected)
      throw new Error(`expected ${expected} events to be fired, got ${JSON.stringify(fired)}`);

    let last: Progress | null = null;
    let lastPrinted = 0;
    let doneAt: number | null = null;
    for (;;) {
      last = await progress(db, topology);
      const now = Date.now();
      if (now - lastPrinted >= 10_000 || last.finished >= expected) {
        lastPrinted = now;
        console.log(
          `  [${secs(now - firedAt).padStart(7)}] checks ${last.checks}/${expected}  detected ${last.detected}  trained ${last.trained + last.failed} (running ${last.running})  validated ${last.validated}  deployed ${last.deployed}  rejected ${last.rejected}  deliveries pending ${last.pending}  finished ${last.finished}/${expected}`,
        );
      }
      const others = foreignTestRuns();
      foreign.samples += 1;
      if (others.length > 0) foreign.busy += 1;
      for (const pid of others) foreign.pids.add(pid);
      if (last.finished >= expected) {
        doneAt = now;
        break;
      }
      const dead = children.find((c) => c.exitedWith !== null);
      if (dead) throw new Error(`${dead.name} exited (${dead.exitedWith}) during the run:\n${logTail(dead)}`);
      if (now - firedAt > timeoutMs) break;
      stopIfInterrupted();
      await sleep(2000);
    }
    const cpu = new Map([...services].map(([n, rs]) => [n, cpuOf(rs) - cpuAtFire.get(n)!]));
    const machine = {
      busy: machineBusySeconds() - busyAtFire,
      available: (os.cpus().length * (Date.now() - firedAt)) / 1000,
      load: os.loadavg(),
      foreign,
    };
    // A little longer, so that a late duplicate (a redelivery, a second send) has time to show.
    await sleep(5000);
    clearInterval(sampler);

    const metrics = new Map<Service, string>();
    const hwm = new Map<Service, number>();
    for (const [name, rs] of services) {
      // Counters summed over the replicas (counterBy adds every matching line).
      const texts = await Promise.all(rs.map((s) => fetch(`${s.url}/metrics`).then((r) => r.text())));
      metrics.set(name, texts.join('\n'));
      hwm.set(
        name,
        rs.reduce((sum, s) => sum + (readMemory(s.child.pid)?.hwm ?? 0), 0),
      );
    }
    const stream = await streamAudit(jsm, topology);
    const exits = new Map<string, number | string>();
    for (const c of [...children].reverse()) exits.set(c.name, await stopChild(c));

    const rows = await loadAuditRows(db);
    const receipts = readSinkReceipts(workDir);
    const audit = auditPipelines(rows, receipts, topology, firedAt);
    const lost = [...audit.lost.values()].reduce((a, b) => a + b, 0);
    const duplicates = [...audit.duplicates.values()].reduce((a, b) => a + b, 0);
    const finishedAt = Math.max(...audit.pipelines.map((p) => p.finishedAt ?? 0));
    const timedOut = doneAt === null;

    report({
      audit,
      tenants,
      claims,
      users,
      concurrency,
      xgbThreads,
      expected,
      firedAt,
      finishedAt,
      timedOut,
      lost,
      duplicates,
      metrics,
      hwm,
      peakRss,
      cpu,
      machine,
      stream,
      exits,
      outboxCounts: new Map(
        (
          await db.query<{ subject: string; n: number }>(
            'select subject, count(*)::int as n from outbox group by 1',
          )
        ).rows.map((x) => [x.subject, x.n]),
      ),
      unreadableReceipts: receipts.unreadable,
      logLevels: new Map(
        [...services].map(([n, rs]) => {
          const text = rs.map((sv) => readFileSync(sv.child.logFile, 'utf8')).join('\n');
          const lines = (level: string) => text.split(`"level":"${level}"`).length - 1;
          return [n, `${lines('warn')} / ${lines('error')}`];
        }),
      ),
    });
    ok = !timedOut && lost === 0 && duplicates === 0;
  } catch (err) {
    console.error(`\nbench:pipeline failed${healthy ? '' : ' before the run'}: ${errorMessage(err)}`);
  } finally {
    clearInterval(sampler);
    for (const c of [...children].reverse()) await stopChild(c);
    for (const name of [topology.eventsStream, topology.deadLetterStream])
      await jsm.streams.delete(name).catch(() => false);
    await nc.close();
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

interface ReportInput {
  audit: AuditResult;
  tenants: number;
  claims: number;
  users: number;
  concurrency: number;
  xgbThreads: number;
  expected: number;
  firedAt: number;
  finishedAt: number;
  timedOut: boolean;
  lost: number;
  duplicates: number;
  metrics: Map<Service, string>;
  hwm: Map<Service, number>;
  peakRss: Map<Service, number>;
  cpu: Map<Service, number>;
  machine: {
    busy: number;
    available: number;
    load: number[];
    foreign: { samples: number; busy: number; pids: Set<number> };
  };
  stream: StreamAudit;
  exits: Map<string, number | string>;
  outboxCounts: Map<string, number>;
  unreadableReceipts: number;
  /** "warn / error" line counts of each service's log. */
  logLevels: Map<Service, string>;
}

function report(r: ReportInput): void {
  const { audit } = r;
  const outcomes = new Map<Outcome, number>();
  const gates = new Map<string, number>();
  for (const p of audit.pipelines) {
    outcomes.set(p.outcome, (outcomes.get(p.outcome) ?? 0) + 1);
    for (const g of p.failedGates) gates.set(g, (gates.get(g) ?? 0) + 1);
  }
  console.log(
    `\nbench:pipeline  ${fmt(r.tenants)} tenants x ${MODEL_TYPES.length} models = ${fmt(r.expected)} pipelines at once; ${fmt(r.claims)} claims and ${r.users} users per tenant; consumer concurrency ${r.concurrency}; XGBoost threads ${r.xgbThreads}; ${os.cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    r.timedOut
      ? `  TIMED OUT: not every pipeline finished (see "unfinished" below)`
      : `  all ${fmt(r.expected)} pipelines finished in ${secs(r.finishedAt - r.firedAt)} (fire -> last delivery sent)`,
  );
  console.log(
    `  outcomes        ${[...outcomes].map(([o, n]) => `${o} ${fmt(n)}`).join(', ')}${gates.size > 0 ? `; failed gates / errors: ${[...gates].map(([g, n]) => `${g} ${n}`).join(', ')}` : ''}`,
  );
  console.log(`  events lost     ${fmt(r.lost)}${r.lost === 0 ? '' : '   <-- must be 0'}`);
  for (const [what, n] of audit.lost)
    console.log(`                    ${fmt(n)} ${what} (e.g. ${audit.examples.get(what)!.join(', ')})`);
  console.log(`  duplicates      ${fmt(r.duplicates)}${r.duplicates === 0 ? '' : '   <-- must be 0'}`);
  for (const [what, n] of audit.duplicates)
    console.log(`                    ${fmt(n)} ${what} (e.g. ${audit.examples.get(what)!.join(', ')})`);
  for (const [what, n] of audit.retried)
    console.log(`  retried         ${fmt(n)} ${what} (e.g. ${audit.examples.get(what)!.join(', ')})`);
  console.log(
    `  deliveries      ${fmt(audit.deliveries.rows)} written; ${fmt(audit.deliveries.external)} by email, Slack or webhook, ${fmt(audit.deliveries.received)} of them received by the local endpoints${r.unreadableReceipts > 0 ? `; ${r.unreadableReceipts} receipts without exactly one notification id` : ''}`,
  );

  console.log('\n  latency of each step (per pipeline; training excluded from the plumbing figures)');
  console.log(
    table(
      ['step', 'n', 'p50', 'p95', 'max', 'measured as'],
      STEPS.map(([key, label, how]) => {
        const v = audit.steps.get(key)!;
        return [
          label,
          fmt(v.length),
          dur(percentile(v, 0.5)),
          dur(percentile(v, 0.95)),
          dur(percentile(v, 1)),
          how,
        ];
      }),
      [1, 2, 3, 4],
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  console.log('\n  where the time goes, per hop');
  console.log(
    table(
      ['hop', 'n', 'p50', 'p95', 'max'],
      [...audit.hops].map(([hop, v]) => [
        hop,
        fmt(v.length),
        dur(percentile(v, 0.5)),
        dur(percentile(v, 0.95)),
        dur(percentile(v, 1)),
      ]),
      [1, 2, 3, 4],
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );

  console.log('\n  services');
  console.log(
    table(
      [
        'service',
        'peak RSS (run)',
        'VmHWM (life)',
        'CPU (run)',
        'handled ok',
        'inbox duplicates',
        'retries',
        'dead-lettered',
        'warn / error lines',
        'exit',
      ],
      SERVICES.map((s) => {
        const handled = counterBy(r.metrics.get(s) ?? '', 'ue_events_handled_total', 'outcome');
        return [
          s,
          mib(r.peakRss.get(s) ?? 0),
          mib(r.hwm.get(s) ?? 0),
          secs((r.cpu.get(s) ?? 0) * 1000),
          fmt(handled.get('ok') ?? 0),
          fmt(handled.get('duplicate') ?? 0),
          fmt(handled.get('retry') ?? 0),
          fmt(handled.get('dead_letter') ?? 0),
          r.logLevels.get(s) ?? '-',
          // Every process of the service: "0" once, or "0 0" with two replicas.
          [...r.exits]
            .filter(([name]) => name === s || name.startsWith(`${s}-`))
            .map(([, code]) => String(code))
            .join(' ') || '-',
        ];
      }),
      [1, 2, 3, 4, 5, 6, 7, 8],
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  const servicesCpu = [...r.cpu.values()].reduce((a, b) => a + b, 0);
  const m = r.machine;
  console.log(
    `  machine         busy ${secs(m.busy * 1000)} of ${secs(m.available * 1000)} CPU during the run: services ${secs(servicesCpu * 1000)}, the rest (Postgres, NATS, anything else) ${secs((m.busy - servicesCpu) * 1000)}; load average ${m.load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(
    m.foreign.busy > 0
      ? `                  other test runs (jest, ${m.foreign.pids.size} processes) were running in ${Math.round((100 * m.foreign.busy) / m.foreign.samples)}% of the samples: figures disturbed`
      : '                  no other test run (jest) seen on the machine during the run',
  );
  const wire = [...r.stream.stream].map(([subject, n]) => {
    const written = r.outboxCounts.get(subject) ?? 0;
    // seed.requested is published directly by this benchmark, as the CLI does, not through an outbox.
    return `${subject} ${fmt(n)}${n !== written && subject !== 'seed.requested' ? ` (outbox ${fmt(written)})` : ''}`;
  });
  console.log(`\n  JetStream       ${wire.join(', ')}; dead-letter stream ${fmt(r.stream.deadLettered)}`);
  console.log(
    `  consumers       ${r.stream.consumers.map((c) => `${c.name} pending ${c.pending + c.ackPending}, redelivered ${c.redelivered}`).join('; ')}`,
  );
  // The issue's summary line, last (target: 1,000 in under 60 s, nothing lost or duplicated).
  console.log(
    `pipelines ${r.expected} ${r.timedOut ? 'NOT all finished' : `in ${((r.finishedAt - r.firedAt) / 1000).toFixed(1)} s`}, lost ${r.lost}, duplicates ${r.duplicates}   (target: 1000 in under 60 s, 0 and 0)`,
  );
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
