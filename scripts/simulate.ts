import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { errorMessage, flagsHelp, loadConfig, parseFlags, UsageError } from '@app/common';
import type { FlagSpec } from '@app/common';
import { createEnvelope } from '@app/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { dropDatabase, ensureDatabase, migrate, ormConfig, roleForService, urlForRole } from '@app/database';
import { MODEL_TYPES, parseEpisodeOpening } from '@app/domain';
import type { AlertItemKind, ModelType } from '@app/domain';
import { natsConnectOptions, provisionStreams, publishEnvelope, Topology } from '@app/messaging';
import type { FireResult } from '../apps/scheduler/src/scheduler.service';
import { DAY, OUTCOME_NOISE } from '../apps/seeder/src/seeding/generator';
import { SeederConfig, versionOneTraining } from '../apps/seeder/src/seeder.config';
import { seedPlatform } from '../apps/seeder/src/seeding/seeding.service';
import { freePort, logTail, serviceStartedUrl, startNode, stopChild, waitForLine } from './bench-processes';
import type { NodeChild } from './bench-processes';
import { dayCheckOf, renderReport, summarize } from './simulate/report';
import type { ChallengerRecord, CheckRow, ModelHistory, TenantHistory } from './simulate/report';
import { challengerRecords } from './simulate/promotions';
import {
  affectedModels,
  evidenceDelayDays,
  scenarioOf,
  SCENARIOS,
  TenantWorld,
  worldSeed,
} from './simulate/world';
import type { Member, Scenario, SimClaim } from './simulate/world';

const USAGE = `npm run simulate -- --tenants N --days D [--seed S] [--scenario steady|covariate|concept|mixed]
                       [--drift-day K] [--claims-per-day C] [--history-claims H] [--json FILE] [--keep]
                       [--database NAME] [--timeout SECONDS] [--open-after K/N] [--outcome-noise SD]
                       [--promotion direct|shadow]

Replays a platform's life against the real services, each its own process (scheduler, drift-monitor,
trainer, validator, notifier, scorer), on a private database and subject prefix. Seeds H claims of history
per tenant ending at the simulated start (D days ago), then, each simulated day: files the day's claims
(claim.filed), resolves those whose day has come (claim.resolved), fires the daily check for that date
and waits until every pipeline has settled. Prints a line per day and, at the end, a table per tenant
and model; --json writes the same as a file. Exit 1 when a day does not settle or a service dies.`;

const FLAGS: FlagSpec = {
  tenants: { type: 'int', min: 1, max: 200, help: 'tenants to simulate (default 3)' },
  days: { type: 'int', min: 1, max: 730, help: 'simulated days (default 30)' },
  seed: { type: 'int', min: 0, max: 2 ** 31 - 1, help: 'random seed (default 1)' },
  scenario: {
    type: 'string',
    choices: [...SCENARIOS, 'mixed'],
    help: 'every tenant the same, or mixed: steady, covariate, concept in turn (default mixed)',
  },
  'drift-day': { type: 'int', min: 0, max: 729, help: 'first drifted day, 0-based (default days/3)' },
  'claims-per-day': {
    type: 'int',
    min: 1,
    max: 10_000,
    help: 'claims filed per tenant per day (default 30)',
  },
  'history-claims': {
    type: 'int',
    min: 200,
    max: 100_000,
    help: 'claims of seeded history per tenant (default 3000: every model trains)',
  },
  'outcome-noise': {
    type: 'string',
    pattern: /^(0(\.\d{1,3})?|1(\.0{1,3})?)$/,
    help: "standard deviation of the outcomes' noise, history included (default 0.05; 0.15 puts claim_outcome near its 85%)",
  },
  'open-after': {
    type: 'string',
    pattern: /^\d{1,2}\/\d{1,2}$/,
    help: "k/n: every model opens an episode on k of the last n days (default: each model's own)",
  },
  promotion: {
    type: 'string',
    choices: ['direct', 'shadow'],
    help: 'how validated candidates reach production: deployed at once, or as shadow challengers (default: each model its own, direct)',
  },
  json: { type: 'string', help: 'also write the report to this file' },
  timeout: { type: 'int', min: 10, max: 86_400, help: 'seconds a day may take to settle (default 600)' },
  keep: { type: 'bool', help: 'keep the database and logs even when the run succeeds' },
  database: {
    type: 'string',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
    help: 'the private database it (re)creates (default ue_simulate)',
  },
};

const SERVICES = ['scheduler', 'drift-monitor', 'trainer', 'validator', 'notifier', 'scorer'] as const;
type Service = (typeof SERVICES)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Options {
  tenants: number;
  days: number;
  seed: number;
  scenario: Scenario | 'mixed';
  driftDay: number;
  claimsPerDay: number;
  historyClaims: number;
  json?: string;
  timeoutMs: number;
  keep: boolean;
  database: string;
  /** The episode rule for every model (EPISODE_OPENING), or null: each model's own. */
  openAfter: string | null;
  outcomeNoise: number;
  /** Every model's promotion policy (the validator's PROMOTION_POLICY), or null: each model's own. */
  promotion: 'direct' | 'shadow' | null;
}

function openAfterOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!parseEpisodeOpening(text))
    throw new UsageError(`--open-after ${text}: need k/n with 1 <= k <= n <= 14`);
  return text;
}

function options(argv: readonly string[]): Options {
  const { flags, positional } = parseFlags(argv, FLAGS);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const days = (flags.days as number | undefined) ?? 30;
  const driftDay = (flags['drift-day'] as number | undefined) ?? Math.floor(days / 3);
  if (driftDay >= days) throw new UsageError(`--drift-day ${driftDay} is not before day ${days}`);
  return {
    tenants: (flags.tenants as number | undefined) ?? 3,
    days,
    seed: (flags.seed as number | undefined) ?? 1,
    scenario: ((flags.scenario as string | undefined) ?? 'mixed') as Scenario | 'mixed',
    driftDay,
    claimsPerDay: (flags['claims-per-day'] as number | undefined) ?? 30,
    historyClaims: (flags['history-claims'] as number | undefined) ?? 3000,
    json: flags.json as string | undefined,
    timeoutMs: ((flags.timeout as number | undefined) ?? 600) * 1000,
    keep: flags.keep === true,
    database: (flags.database as string | undefined) ?? 'ue_simulate',
    openAfter: openAfterOf(flags['open-after'] as string | undefined),
    outcomeNoise: flags['outcome-noise'] === undefined ? OUTCOME_NOISE : Number(flags['outcome-noise']),
    promotion: (flags.promotion as 'direct' | 'shadow' | undefined) ?? null,
  };
}

/** Each member as the history shows them (their latest claim): the population is stationary (world.ts). */
async function membersOf(db: Client, tenantId: string): Promise<Member[]> {
  const { rows } = await db.query<{
    member_id: string;
    department: string;
    member_age: number;
    union_tenure_years: string | number;
  }>(
    `select distinct on (member_id) member_id, department, member_age, union_tenure_years
       from claims where tenant_id = $1 order by member_id, filed_at desc`,
    [tenantId],
  );
  return rows.map((r) => ({
    id: r.member_id,
    department: r.department,
    age: r.member_age,
    tenure: Number(r.union_tenure_years),
  }));
}

/** The claims application files claims: rows first, then one claim.filed each. */
async function fileClaims(db: Client, js: JetStreamClient, topology: Topology, claims: SimClaim[]) {
  if (claims.length === 0) return;
  await db.query(
    `insert into claims (id, tenant_id, claim_number, member_id, claim_type, status, priority, department,
                         description, case_complexity, member_age, union_tenure_years, filed_at, member_churned)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::smallint[], $11::smallint[], $12::float8[],
                          $13::timestamptz[], $14::boolean[])`,
    [
      claims.map((c) => c.id),
      claims.map((c) => c.tenantId),
      claims.map((c) => c.claimNumber),
      claims.map((c) => c.memberId),
      claims.map((c) => c.type),
      claims.map(() => 'submitted'),
      claims.map((c) => c.priority),
      claims.map((c) => c.department),
      claims.map((c) => c.description),
      claims.map((c) => c.complexity),
      claims.map((c) => c.memberAge),
      claims.map((c) => c.tenure),
      claims.map((c) => c.filedAt.toISOString()),
      claims.map((c) => c.churned),
    ],
  );
  for (const c of claims)
    await publishEnvelope(
      js,
      topology,
      createEnvelope('claim.filed', { claimId: c.id }, { tenantId: c.tenantId, correlationId: randomUUID() }),
    );
}

/** Claims whose resolution day has come: outcome, time and team recorded, then one claim.resolved each. */
async function resolveClaims(db: Client, js: JetStreamClient, topology: Topology, claims: SimClaim[]) {
  if (claims.length === 0) return;
  await db.query(
    `update claims c set status = case when u.outcome = 'withdrawn' then 'withdrawn' else 'resolved' end,
            resolved_at = u.resolved_at, resolution_days = u.days, outcome = u.outcome, assigned_team = u.team
       from unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::text[], $5::text[])
            as u(id, resolved_at, days, outcome, team)
      where c.id = u.id`,
    [
      claims.map((c) => c.id),
      claims.map((c) => c.resolvedAt.toISOString()),
      claims.map((c) => c.resolutionDays),
      claims.map((c) => c.outcome),
      claims.map((c) => c.team),
    ],
  );
  for (const c of claims)
    await publishEnvelope(
      js,
      topology,
      createEnvelope(
        'claim.resolved',
        { claimId: c.id },
        { tenantId: c.tenantId, correlationId: randomUUID() },
      ),
    );
}

/** Messages not yet acknowledged by durable consumers, in total and for consumers whose name matches. */
async function backlog(jsm: JetStreamManager, topology: Topology, only?: RegExp): Promise<number> {
  let n = 0;
  for await (const c of jsm.consumers.list(topology.eventsStream))
    if (!only || only.test(c.name)) n += c.num_pending + c.num_ack_pending;
  return n;
}

/**
 * Whether the day's work is done: every (tenant, model) has its check for the date, no training runs,
 * the outbox has published everything and every durable consumer has acknowledged everything. Asked
 * twice in a row (a handler may be between its commit and its events' publication).
 */
async function settled(
  db: Client,
  jsm: JetStreamManager,
  topology: Topology,
  date: string,
  expected: number,
): Promise<boolean> {
  const { rows } = await db.query<{ checks: number; running: number; unpublished: number }>(
    `select (select count(distinct (tenant_id, model_type))::int from drift_checks where logical_date = $1) as checks,
            (select count(*)::int from ml_model_training_runs where status = 'running') as running,
            (select count(*)::int from outbox where published_at is null) as unpublished`,
    [date],
  );
  const r = rows[0]!;
  if (r.checks < expected || r.running > 0 || r.unpublished > 0) return false;
  return (await backlog(jsm, topology)) === 0;
}

interface DayActivity {
  runs: { tenantId: string; model: ModelType }[];
  deployments: { tenantId: string; model: ModelType }[];
  decisions: Map<string, number>;
}

/** What happened since `since` (wall clock): training runs started, versions deployed, today's decisions. */
async function activitySince(db: Client, since: Date, date: string): Promise<DayActivity> {
  const runs = await db.query<{ tenant_id: string; model_type: ModelType }>(
    `select tenant_id, model_type from ml_model_training_runs where training_started_at >= $1`,
    [since],
  );
  const deployments = await db.query<{ tenant_id: string; model_type: ModelType }>(
    `select tenant_id, model_type from model_deployments where reason in ('validated', 'promoted') and deployed_at >= $1`,
    [since],
  );
  const decisions = await db.query<{ decision: string; n: number }>(
    `select decision, count(*)::int as n from drift_checks where logical_date = $1 group by decision`,
    [date],
  );
  return {
    runs: runs.rows.map((r) => ({ tenantId: r.tenant_id, model: r.model_type })),
    deployments: deployments.rows.map((r) => ({ tenantId: r.tenant_id, model: r.model_type })),
    decisions: new Map(decisions.rows.map((r) => [r.decision, r.n])),
  };
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = options(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}\n\n${flagsHelp(FLAGS).join('\n')}`);
    return 2;
  }

  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = `/${o.database}`;
  const url = base.toString();
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `sim${process.pid}.`;
  const topology = new Topology(prefix);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ue-simulate-'));
  const children: NodeChild[] = [];
  const services = new Map<Service, { child: NodeChild; url: string }>();
  const killAll = () => {
    for (const c of children) if (c.exitedWith === null) c.proc.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let interrupted: string | null = null;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (interrupted) {
        killAll();
        process.exit(130);
      }
      interrupted = signal;
      console.error(`\n${signal}: stopping the simulation (again to kill at once)`);
    });

  // The simulated days end today: the wall clock is never earlier than simulated time.
  const today = new Date(`${isoDay(new Date())}T00:00:00Z`);
  const start = new Date(today.getTime() - o.days * DAY);
  const expected = o.tenants * MODEL_TYPES.length;
  let ok = false;

  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  const db = new Client({ connectionString: url });
  await db.connect();
  let nc: NatsConnection | null = null;
  let jsm: JetStreamManager | null = null;
  try {
    nc = await connect(natsConnectOptions(natsUrl));
    jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await provisionStreams(jsm, topology, { replicas: 1 });
    console.log(
      `simulate  ${o.tenants} tenants x ${o.days} days from ${isoDay(start)}; scenario ${o.scenario}, drift from day ${o.driftDay}; ${o.claimsPerDay} claims per tenant per day; seed ${o.seed}`,
    );
    console.log(`  database ${base.pathname.slice(1)}, subject prefix ${prefix}, logs in ${workDir}`);

    // History first, ending at the simulated start: the seeder's own code, in this process.
    let t0 = Date.now();
    const seeded = await seedPlatform(
      {
        tenants: o.tenants,
        usersPerTenant: 50,
        claimsPerTenant: o.historyClaims,
        seed: o.seed,
        scenario: 'default',
        reset: false,
        now: start,
        outcomeNoise: o.outcomeNoise,
      },
      // Version 1 trained as the seeder's command trains it (XGB_ROUNDS, XGB_EARLY_STOPPING_ROUNDS and
      // XGB_THREADS from the environment), so that a run with other training settings changes it too.
      {
        databaseUrl: url,
        runId: randomUUID(),
        training: versionOneTraining(loadConfig(SeederConfig, process.env)),
      },
    );
    await db.query('vacuum analyze');
    console.log(
      `  seeded ${seeded.summary.claims} claims of history and ${seeded.summary.modelMetadata} version-1 models in ${secs(Date.now() - t0)}`,
    );

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
      XGB_THREADS: '1',
      // Days are fired by hand, one per simulated date; no cron tick or catch-up may fire one.
      SCHEDULE_ENABLED: 'false',
      SCHEDULE_CATCH_UP: 'false',
      ...(o.openAfter ? { EPISODE_OPENING: o.openAfter } : {}),
      ...(o.promotion ? { PROMOTION_POLICY: o.promotion } : {}),
      // Digests go out when the next simulated day's checks arrive: no wall-clock hold within a run.
      DIGEST_HOLD_SECONDS: '86400',
      SMTP_URL: `smtp://sim:sim-password@127.0.0.1:${smtpPort}`,
      SLACK_WEBHOOKS: JSON.stringify({ 'ml-alerts': `http://127.0.0.1:${httpPort}/slack/ml-alerts` }),
      WEBHOOKS: JSON.stringify({
        ops: { url: `http://127.0.0.1:${httpPort}/webhook/ops`, secret: 'simulation-webhook-signing-key' },
      }),
    };
    t0 = Date.now();
    for (const name of SERVICES) {
      const role = roleForService(name);
      children.push(
        startNode(
          name,
          `dist/apps/${name}/src/main.js`,
          [],
          { ...env, DATABASE_URL: role ? urlForRole(url, role) : url },
          path.join(workDir, `${name}.log`),
        ),
      );
    }
    for (const name of SERVICES) {
      const child = children.find((c) => c.name === name)!;
      services.set(name, { child, url: await waitForLine(child, serviceStartedUrl, 60_000) });
    }
    console.log(`  ${SERVICES.length} services started in ${secs(Date.now() - t0)}`);

    const tenantIds = seeded.tenantIds;
    // One query at a time: the simulator's one connection.
    const worlds: TenantWorld[] = [];
    for (const [i, tenantId] of tenantIds.entries()) {
      const scenario = scenarioOf(i, o.scenario);
      worlds.push(
        new TenantWorld(
          tenantId,
          scenario,
          scenario === 'steady' ? null : o.driftDay,
          await membersOf(db, tenantId),
          worldSeed(o.seed, tenantId),
          o.outcomeNoise,
        ),
      );
    }
    const history = new Map<string, { retrainDays: number[]; deploymentDays: number[] }>();
    const key = (tenantId: string, model: ModelType) => `${tenantId}:${model}`;
    for (const t of tenantIds)
      for (const m of MODEL_TYPES) history.set(key(t, m), { retrainDays: [], deploymentDays: [] });
    let unresolved: SimClaim[] = [];
    const scheduler = services.get('scheduler')!.url;
    const simStarted = Date.now();

    for (let day = 0; day < o.days; day++) {
      const dayStart = new Date(start.getTime() + day * DAY);
      const dayEnd = new Date(dayStart.getTime() + DAY);
      const date = isoDay(dayStart);
      const since = new Date();
      const began = Date.now();
      const filed = worlds.flatMap((w) => w.claimsOn(day, dayStart, o.claimsPerDay));
      await fileClaims(db, js, topology, filed);
      unresolved = unresolved.concat(filed);
      const due = unresolved.filter((c) => c.resolvedAt < dayEnd);
      unresolved = unresolved.filter((c) => c.resolvedAt >= dayEnd);
      await resolveClaims(db, js, topology, due);
      // The day's predictions and outcomes are in before the day's check reads them.
      for (let wait = 0; (await backlog(jsm, topology, /__claim_/)) > 0; wait++) {
        if (wait * 50 > o.timeoutMs)
          throw new Error(
            `day ${day}: the scorer did not catch up:\n${logTail(services.get('scorer')!.child)}`,
          );
        await sleep(50);
      }
      const fire = await fetch(`${scheduler}/jobs/daily-drift-check/run?at=${date}T12:00:00Z`, {
        method: 'POST',
      });
      if (!fire.ok)
        throw new Error(`the scheduler refused ${date}: HTTP ${fire.status} ${await fire.text()}`);
      const fired = (await fire.json()) as FireResult;
      if (fired.logicalDate !== date || fired.driftChecks !== expected)
        throw new Error(`the scheduler fired ${JSON.stringify(fired)} for ${date}`);
      let quiet = 0;
      while (quiet < 2) {
        quiet = (await settled(db, jsm, topology, date, expected)) ? quiet + 1 : 0;
        const dead = children.find((c) => c.exitedWith !== null);
        if (dead) throw new Error(`${dead.name} exited (${dead.exitedWith}) on ${date}:\n${logTail(dead)}`);
        if (Date.now() - began > o.timeoutMs)
          throw new Error(`${date} did not settle in ${secs(o.timeoutMs)}`);
        if (interrupted) throw new Error(`interrupted (${interrupted})`);
        await sleep(quiet > 0 ? 100 : 50);
      }
      const activity = await activitySince(db, since, date);
      for (const r of activity.runs) history.get(key(r.tenantId, r.model))!.retrainDays.push(day);
      for (const d of activity.deployments) history.get(key(d.tenantId, d.model))!.deploymentDays.push(day);
      const decisions = [...activity.decisions].map(([d, n]) => `${n} ${d}`).join(', ');
      console.log(
        `  day ${String(day + 1).padStart(String(o.days).length)}/${o.days} ${date}  filed ${filed.length}  resolved ${due.length}  checks: ${decisions}  retrains ${activity.runs.length}  deployments ${activity.deployments.length}  (${secs(Date.now() - began)})`,
      );
    }

    // Every day's first check, with what the estimate of its window turned out to be worth: the realized
    // accuracy of the same predictions (the active version's of the 7 days, those with a calibrated
    // probability) once their labels arrived by the run's end.
    const checks = await db.query<CheckRow & { tenant_id: string }>(
      `select distinct on (d.tenant_id, d.model_type, d.logical_date)
              d.tenant_id, d.model_type, d.logical_date::text, d.decision, d.accuracy, d.accuracy_high,
              d.accuracy_source, d.max_psi, d.reasons, d.estimated_accuracy, d.estimated_low, d.estimated_high,
              l.n, l.labelled, l.correct, l.expected_labelled
         from drift_checks d
         left join lateral (
           select count(*)::int as n, count(p.is_correct)::int as labelled,
                  count(*) filter (where p.is_correct)::int as correct,
                  coalesce(sum(p.right_probability) filter (where p.is_correct is not null), 0)::float8 as expected_labelled
             from ml_predictions p
            where p.tenant_id = d.tenant_id and p.model_type = d.model_type and p.model_version = d.model_version
              and p.right_probability is not null
              and p.predicted_at >= (d.logical_date + 1)::timestamp at time zone 'UTC' - interval '7 days'
              and p.predicted_at < (d.logical_date + 1)::timestamp at time zone 'UTC'
         ) l on d.estimated_accuracy is not null
        where d.logical_date >= $1
        order by d.tenant_id, d.model_type, d.logical_date, d.created_at`,
      [isoDay(start)],
    );
    const active = await db.query<{ tenant_id: string; model_type: ModelType; model_version: number }>(
      'select tenant_id, model_type, model_version from model_metadata where is_active',
    );
    const digests = await db.query<{ tenant_id: string; day: string; kinds: Record<AlertItemKind, number> }>(
      `select d.tenant_id, d.day::text,
              (select jsonb_object_agg(k.kind, k.n) from (select i.kind, count(*)::int as n from alert_items i
                where i.digest_id = d.id group by i.kind) k) as kinds
         from alert_digests d order by d.tenant_id, d.day`,
    );
    const others = await db.query<{ tenant_id: string; n: number }>(
      `select tenant_id, count(distinct event_id)::int as n from ml_retraining_notifications
        where event_type <> 'alert.digest' and event_type not like 'seed.%' and not is_reminder group by 1`,
    );
    const dayOf = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - start.getTime()) / DAY);
    // Shadow trials, each promotion judged on the claims after it (scripts/simulate/promotions.ts).
    const trials = new Map<string, ChallengerRecord[]>();
    const orm = await MikroORM.init(ormConfig({ databaseUrl: url, poolMax: 1 }));
    try {
      for (const w of worlds)
        for (const model of MODEL_TYPES)
          trials.set(
            key(w.tenantId, model),
            await challengerRecords(orm.em.fork(), w.tenantId, model, start.getTime(), today),
          );
    } finally {
      await orm.close();
    }
    const histories: TenantHistory[] = worlds.map((w) => {
      const affected = affectedModels(w.scenario);
      const models: ModelHistory[] = MODEL_TYPES.map((model) => ({
        model,
        affected: affected.has(model),
        evidenceDelayDays: evidenceDelayDays(w.scenario, model),
        checks: checks.rows
          .filter((c) => c.tenant_id === w.tenantId && c.model_type === model)
          .map((c) => dayCheckOf(c, start.getTime())),
        ...history.get(key(w.tenantId, model))!,
        finalVersion:
          active.rows.find((a) => a.tenant_id === w.tenantId && a.model_type === model)?.model_version ??
          null,
        challengers: trials.get(key(w.tenantId, model)) ?? [],
      }));
      const alerts = {
        digests: digests.rows
          .filter((d) => d.tenant_id === w.tenantId)
          .map((d) => ({ day: dayOf(d.day), kinds: d.kinds })),
        otherMessages: others.rows.find((r) => r.tenant_id === w.tenantId)?.n ?? 0,
      };
      return { tenantId: w.tenantId, scenario: w.scenario, driftStartDay: w.driftStartDay, models, alerts };
    });
    const report = summarize(o.days, histories, o.promotion ?? 'direct');
    console.log(`\n${renderReport(report)}`);
    console.log(`\n  ${o.days} days simulated in ${secs(Date.now() - simStarted)}`);
    if (o.json) {
      writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`  report written to ${o.json}`);
    }
    const dlq = await jsm.streams.info(topology.deadLetterStream);
    if (dlq.state.messages > 0) throw new Error(`${dlq.state.messages} message(s) were dead-lettered`);
    ok = true;
  } catch (err) {
    console.error(`\nsimulate failed: ${errorMessage(err)}`);
    if (process.env.SIMULATE_DEBUG) console.error(err);
  } finally {
    for (const c of [...children].reverse()) await stopChild(c);
    if (jsm)
      for (const name of [topology.eventsStream, topology.deadLetterStream])
        await jsm.streams.delete(name).catch(() => false);
    await nc?.close();
    await db.end();
  }
  if (ok && !o.keep) {
    await dropDatabase(url);
    rmSync(workDir, { recursive: true, force: true });
  } else {
    console.log(`\n  kept for inspection: database ${base.pathname.slice(1)}, logs in ${workDir}`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
