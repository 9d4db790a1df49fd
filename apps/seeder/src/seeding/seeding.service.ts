import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { SeederError } from './errors';
import { ormConfig } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import { TrainingSettings } from '@app/ml';
import { dropForBulkLoad, rebuildAfterBulkLoad } from './bulk-mode';
import {
  BENCHMARK_COLUMNS,
  FEEDBACK_COLUMNS,
  feedbackRows,
  MonthlyBenchmarks,
  REPORT_COLUMNS,
  scheduledReports,
} from './analytics';
import { copyRows, CopyWriter } from './copy-writer';
import { ClaimFactory, DAY, historyClaim, profileRows, tenantRows } from './generator';
import type { ClaimRow, HistoryClaim, ProfileRow, TenantRow } from './generator';
import { seedActiveAnswers, seedVersionOnes } from './model-seeding';
import { Progress } from './progress';
import { Random } from './random';
import type { SeedPlan, SeedSummary } from './seed-plan';
import {
  activeVersions,
  completedRun,
  copyConnection,
  existingTenants,
  profilesOf,
  recordRun,
  resetSeededTables,
  tenantsWithClaimCounts,
} from './seed-store';
import { monthsBefore, trainVersionOnes } from './version-one';
import type { TrainingOptions, VersionOne } from './version-one';

export { SEEDED_TABLES } from './seed-store';

const TENANT_COLUMNS = ['id', 'name', 'union_local', 'region', 'created_at'];
const RECIPIENT_COLUMNS = ['tenant_id', 'name', 'channel', 'address', 'event_kinds'];

/**
 * Example stakeholders: each admin gets email for failures and warnings and every alert in-app; the ML
 * team's Slack channel ("ml-alerts") gets everything; the operations webhook ("ops") gets failures.
 * Slack and webhook recipients are endpoint NAMES: the URLs and keys live in the notifier's configuration.
 */
function recipientRows(
  tenantId: string,
  admins: readonly { userId: string; email: string; firstName: string; lastName: string }[],
): string[][] {
  return [
    ...admins.flatMap((a) => [
      [tenantId, `${a.firstName} ${a.lastName}`, 'email', a.email, JSON.stringify(['failure', 'warning'])],
      [tenantId, `${a.firstName} ${a.lastName}`, 'in_app', a.userId, JSON.stringify(['*'])],
    ]),
    [tenantId, 'ML team channel', 'slack', 'ml-alerts', JSON.stringify(['*'])],
    [tenantId, 'Operations webhook', 'webhook', 'ops', JSON.stringify(['failure'])],
  ];
}
const PROFILE_COLUMNS = [
  'id',
  'tenant_id',
  'user_id',
  'first_name',
  'last_name',
  'email',
  'role',
  'department',
  'specialty',
  'birth_date',
  'union_joined_at',
  'created_at',
];
const CLAIM_COLUMNS = [
  'id',
  'tenant_id',
  'claim_number',
  'member_id',
  'assigned_steward_id',
  'claim_type',
  'status',
  'priority',
  'department',
  'description',
  'case_complexity',
  'member_age',
  'union_tenure_years',
  'filed_at',
  'resolved_at',
  'resolution_days',
  'outcome',
  'assigned_team',
  'member_churned',
  'created_at',
];
/**
 * Runs `work` in one transaction on a connection of its own (COPY holds it for the whole load): ordinary
 * queries through `em`, rows through COPY on `client`, the same connection and transaction.
 */
async function inTransaction<T>(
  databaseUrl: string,
  work: (em: EntityManager, client: PoolClient) => Promise<T>,
): Promise<T> {
  const orm = await MikroORM.init(ormConfig({ databaseUrl, poolMax: 1 }));
  try {
    return await orm.em.fork().transactional(async (em) => work(em, await copyConnection(em)));
  } finally {
    await orm.close(true);
  }
}

/** A tenant whose users and claims are streamed, waiting for its version 1 to be fitted. */
interface StreamedTenant {
  tenant: TenantRow;
  rnd: Random;
  profiles: ProfileRow[];
  /** Its claims filed since version 1's deployment: what version 1 answers. */
  answered: HistoryClaim[];
  monthly: MonthlyBenchmarks;
  deployedAt: number;
  versions: Promise<VersionOne[]>;
}

/** Days before the end of the seeded history that version 1 of every model was deployed. */
export const VERSION_ONE_AGE_DAYS = 90;
const LONGEST_TRAINING_WINDOW_MONTHS = Math.max(
  ...MODEL_TYPES.map((m) => MODEL_CONFIGS[m].trainingWindowMonths),
);

/** From this many claims in one run, indexes are rebuilt after the load (bulk mode). */
export const BULK_MODE_MIN_CLAIMS = 50_000;

const iso = fastIso;

/**
 * Streams `count` claims of one tenant (numbered from `first`) with COPY, in batches on the caller's
 * connection and transaction, handing each to `onClaim` (version 1's training history, its answers, the
 * analytics).
 */
async function streamClaims(
  client: PoolClient,
  plan: SeedPlan,
  tenantId: string,
  profiles: ProfileRow[],
  rnd: Random,
  first: number,
  count: number,
  onClaim: (c: ClaimRow) => void,
  progress: Progress,
): Promise<void> {
  const factory = new ClaimFactory(plan, tenantId, profiles, rnd);
  const batch = 5000;
  for (let start = first; start < first + count; start += batch) {
    const claimsOut = new CopyWriter(client, 'claims', CLAIM_COLUMNS);
    for (let k = start; k < Math.min(first + count, start + batch); k++) {
      const c = factory.claim(k);
      // Generated values need no COPY escaping (ids, enums, numbers, fixed texts): lines are built directly.
      const filed = iso(c.filed);
      const resolved = c.resolved === null ? N : iso(c.resolved);
      await claimsOut.writeLine(
        `${c.id}\t${c.tenantId}\t${c.claimNumber}\t${c.memberId}\t${c.stewardId ?? N}\t${c.type}\t${c.status}\t${c.priority}\t${c.department}\t${c.description}\t${c.complexity}\t${c.memberAge}\t${c.tenure}\t${filed}\t${resolved}\t${c.resolutionDays ?? N}\t${c.outcome ?? N}\t${c.team}\t${c.churned === null ? N : c.churned ? 't' : 'f'}\t${filed}\n`,
      );
      onClaim(c);
    }
    await claimsOut.end();
    progress.tick(Math.min(batch, first + count - start));
  }
}

/**
 * `seed:claims`: more claims (with predictions) for tenants that exist already, from their own members
 * and stewards. Numbering continues after the tenant's existing claims.
 */
export async function seedClaims(
  plan: SeedPlan,
  opts: SeedOptions & { tenantId?: string },
): Promise<{ tenants: number; claims: number; predictions: number; durationMs: number }> {
  const out = opts.out ?? (() => undefined);
  const started = Date.now();
  return inTransaction(opts.databaseUrl, async (em, client) => {
    const tenants = await tenantsWithClaimCounts(em, opts.tenantId);
    if (tenants.length === 0)
      throw new SeederError(
        'NO_TENANTS',
        opts.tenantId ? `no tenant ${opts.tenantId}` : 'no tenants: run seed:platform first',
      );
    let claims = 0;
    let predictions = 0;
    for (const [i, t] of tenants.entries()) {
      const profiles = await profilesOf(em, t.id);
      if (profiles.length === 0)
        throw new SeederError('NO_PROFILES', `tenant ${t.id} has no users to file claims`);
      const rnd = new Random(plan.seed * 1_000_003 + i * 7919 + t.claims + 17);
      const progress = new Progress(plan.claimsPerTenant, `claims ${t.id}`, out, opts.tty ?? false);
      // The versions in production answer the new claims filed since their deployment.
      const versions = await activeVersions(em, t.id);
      const from = Math.min(...versions.map((v) => v.deployedAt));
      const answered: ClaimRow[] = [];
      await streamClaims(
        client,
        plan,
        t.id,
        profiles,
        rnd,
        t.claims,
        plan.claimsPerTenant,
        (c) => {
          if (c.filed >= from) answered.push(c);
        },
        progress,
      );
      const n = await seedActiveAnswers(client, {
        tenantId: t.id,
        versions,
        claims: answered,
        now: plan.now.getTime(),
        rnd,
        iso,
      });
      out(
        `📋 ${t.id}: ${plan.claimsPerTenant} more claims (now ${t.claims + plan.claimsPerTenant}), 🤖 ${n} predictions by ${versions.length} active version(s)`,
      );
      claims += plan.claimsPerTenant;
      predictions += n;
    }
    return { tenants: tenants.length, claims, predictions, durationMs: Date.now() - started };
  });
}
const date = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface SeedOptions {
  databaseUrl: string;
  /** Id of this seed run; a run with the same id that already completed is not repeated (redelivered events). */
  runId: string;
  out?: (line: string) => void;
  /** Draw a progress bar (terminal) instead of plain progress lines. */
  tty?: boolean;
  /** How version 1 is trained: the trainer's XGB_ROUNDS and XGB_THREADS (their defaults when absent). */
  training?: TrainingOptions;
}

const TRAINER_DEFAULTS = new TrainingSettings();

/** Where a seed's time went (ms, on the seeding connection's thread): what bench:seed prints. */
export interface SeedPhases {
  profiles: number;
  claims: number;
  /** Version 1 of every model fitted (XGBoost), with its examples and baselines. */
  training: number;
  /** Their answers computed and written, with their metadata, artifacts and baselines. */
  predictions: number;
  /** Tenants, analytics, feedback, recipients, the run's record. */
  other: number;
  /** Bulk mode's index and constraint builds. */
  indexes: number;
}

export interface SeedResult {
  /** Absent for a replayed run. */
  phases?: SeedPhases;
  summary: SeedSummary;
  tenantIds: string[];
  deleted: Record<string, number> | null;
  durationMs: number;
  /** true when this run id had already completed and nothing was written. */
  replayed: boolean;
}

/**
 * Seeds the whole platform in one transaction on one connection, streaming rows with COPY. Memory is
 * bounded by one tenant's users and one tenant's baseline sample; claims and predictions stream.
 */
export async function seedPlatform(plan: SeedPlan, opts: SeedOptions): Promise<SeedResult> {
  const out = opts.out ?? (() => undefined);
  const started = Date.now();
  return inTransaction(opts.databaseUrl, async (em, client) => {
    const previous = await completedRun(em, opts.runId);
    if (previous) {
      return {
        summary: previous.summary,
        tenantIds: previous.tenantIds,
        deleted: null,
        durationMs: Date.now() - started,
        replayed: true,
      };
    }
    const deleted = plan.reset ? await reset(em, out) : null;
    const tenants = tenantRows(plan);
    const existing = await existingTenants(
      em,
      tenants.map((t) => t.id),
    );
    if (existing.length > 0) {
      throw new SeederError(
        'SEED_CONFLICT',
        `tenants already seeded with seed ${plan.seed}: ${existing.join(', ')} (use --reset, or another --seed)`,
      );
    }
    // Large seeds build the big tables' indexes once at the end instead of row by row.
    const bulk = plan.tenants * plan.claimsPerTenant >= BULK_MODE_MIN_CLAIMS;
    if (bulk) await em.execute(`set local maintenance_work_mem = '512MB'`);
    const deferred = bulk ? await dropForBulkLoad(client, ['claims', 'ml_predictions']) : [];
    if (bulk)
      out(
        `⚡ Bulk mode: ${deferred.length} indexes and constraints of claims and ml_predictions are rebuilt after the load`,
      );
    const summary: SeedSummary = {
      tenants: 0,
      users: 0,
      claims: 0,
      predictions: 0,
      modelMetadata: 0,
      feedback: 0,
      insufficientSamples: 0,
    };
    const training = opts.training ?? {
      rounds: TRAINER_DEFAULTS.XGB_ROUNDS,
      earlyStoppingRounds: TRAINER_DEFAULTS.XGB_EARLY_STOPPING_ROUNDS,
      threads: TRAINER_DEFAULTS.XGB_THREADS,
    };
    const now = plan.now.getTime();
    const phases: SeedPhases = { profiles: 0, claims: 0, training: 0, predictions: 0, other: 0, indexes: 0 };
    let mark = Date.now();
    const spent = (phase: keyof SeedPhases) => {
      const t = Date.now();
      phases[phase] += t - mark;
      mark = t;
    };
    /** A tenant's version 1 (once fitted), its answers, analytics, feedback and recipients. */
    const finishTenant = async (t: StreamedTenant): Promise<void> => {
      const { tenant, rnd, profiles } = t;
      out(`🤖 Seeding ML data for tenant ${tenant.id}...`);
      const ml = await seedVersionOnes(em, client, {
        tenantId: tenant.id,
        claims: t.answered,
        deployedAt: t.deployedAt,
        now,
        training,
        versions: t.versions,
        rnd,
        iso,
        out,
        phases: {
          trained: () => spent('training'),
          written: () => spent('predictions'),
        },
      });
      out(
        `     ✓ ${ml.trained} of ${MODEL_TYPES.length} models have a version 1, ${ml.predictions} predictions generated${ml.insufficient > 0 ? ` (${ml.insufficient} without one: insufficient samples)` : ''}`,
      );
      summary.predictions += ml.predictions;
      summary.modelMetadata += ml.trained;
      summary.insufficientSamples = (summary.insufficientSamples ?? 0) + ml.insufficient;
      const predictionIds = ml.predictionIds;

      out(`📊 Seeding analytics for tenant ${tenant.id}...`);
      await copyRows(client, 'benchmark_data', BENCHMARK_COLUMNS, t.monthly.rows(tenant.id, rnd));
      const admins = profiles.filter((p) => p.role === 'admin').map((p) => p.email);
      await copyRows(
        client,
        'analytics_scheduled_reports',
        REPORT_COLUMNS,
        scheduledReports(tenant.id, admins, now, rnd),
      );
      out('     ✓ Analytics benchmarks and scheduled reports created');

      out(`💬 Seeding feedback for tenant ${tenant.id}...`);
      const members = profiles.filter((p) => p.role === 'member').map((p) => p.id);
      const feedback = feedbackRows(tenant.id, members, predictionIds, now, rnd);
      await copyRows(client, 'member_ai_feedback', FEEDBACK_COLUMNS, feedback);
      out(`     ✓ ${feedback.length} feedback samples created`);
      summary.feedback += feedback.length;
      const recipients = recipientRows(
        tenant.id,
        profiles.filter((p) => p.role === 'admin'),
      );
      await copyRows(client, 'notification_recipients', RECIPIENT_COLUMNS, recipients);
      out(`🔔 ${recipients.length} notification recipients (email, Slack, in-app, webhook)`);
    };
    out(`🏢 Creating ${tenants.length} tenants...`);
    await copyRows(
      client,
      'tenants',
      TENANT_COLUMNS,
      tenants.map((t) => [t.id, t.name, t.unionLocal, t.region, iso(now - 500 * DAY)]),
    );
    for (const t of tenants) out(`   ✓ Created tenant: ${t.name} (${t.id})`);
    out(`✅ ${tenants.length} tenants created`);
    summary.tenants = tenants.length;

    // Version 1 of a tenant's models is fitted while the next tenant's users and claims stream (issue 20):
    // XGBoost's rounds run, a few at a time, while this thread waits on the COPY streams, and Postgres loads
    // the rows on the other core. That tenant's answers, analytics and feedback are written after.
    let waiting: StreamedTenant | null = null;
    for (const [i, tenant] of tenants.entries()) {
      const rnd = new Random(plan.seed * 1_000_003 + i * 7919 + 1);
      spent('other');
      out('');
      out(`👥 Seeding users for tenant ${tenant.id}...`);
      const profiles = profileRows(plan, tenant.id, rnd);
      await copyRows(
        client,
        'profiles',
        PROFILE_COLUMNS,
        profiles.map((p) => [
          p.id,
          p.tenantId,
          p.userId,
          p.firstName,
          p.lastName,
          p.email,
          p.role,
          p.department,
          p.specialty,
          date(p.birth),
          date(p.joined),
          iso(now - 500 * DAY),
        ]),
      );
      const count = (role: string) => profiles.filter((p) => p.role === role).length;
      out(`   ✓ Created ${count('member')} members, ${count('steward')} stewards, ${count('admin')} admins`);
      summary.users += profiles.length;
      spent('profiles');

      out(`📋 Creating claims for tenant ${tenant.id}...`);
      // Version 1 went into production 90 days before the end of the seeded history (the spec's "deployed
      // 90 days ago"); it was trained on the labels known then.
      const deployedAt = now - VERSION_ONE_AGE_DAYS * DAY;
      const keepFrom = monthsBefore(deployedAt, LONGEST_TRAINING_WINDOW_MONTHS);
      const history: HistoryClaim[] = [];
      const monthly = new MonthlyBenchmarks(now);
      const progress = new Progress(plan.claimsPerTenant, `claims ${tenant.id}`, out, opts.tty ?? false);
      await streamClaims(
        client,
        plan,
        tenant.id,
        profiles,
        rnd,
        0,
        plan.claimsPerTenant,
        (c) => {
          if (c.filed >= keepFrom) history.push(historyClaim(c));
          monthly.add(c);
        },
        progress,
      );
      out(`   ✓ ${plan.claimsPerTenant} claims created`);
      summary.claims += plan.claimsPerTenant;
      spent('claims');
      const versions = trainVersionOnes(tenant.id, history, deployedAt, training);
      // Awaited when the tenant is finished; a failure before then must not go unhandled meanwhile.
      versions.catch(() => undefined);
      if (waiting) await finishTenant(waiting);
      // Version 1 answers the claims since its deployment: the rest of the history is the fit's alone.
      const answered = history.filter((c) => c.filed >= deployedAt);
      waiting = { tenant, rnd, profiles, answered, monthly, deployedAt, versions };
    }
    if (waiting) await finishTenant(waiting);
    spent('other');
    if (bulk) {
      const t0 = Date.now();
      await rebuildAfterBulkLoad(client, deferred);
      out(
        `⚡ Rebuilt ${deferred.length} indexes and constraints in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    spent('indexes');
    const tenantIds = tenants.map((t) => t.id);
    await recordRun(em, { id: opts.runId, plan, summary, tenantIds, startedAt: new Date(started) });
    spent('other');
    return { phases, summary, tenantIds, deleted, durationMs: Date.now() - started, replayed: false };
  });
}

/** Empties the seeded tables and says what it deleted. */
async function reset(em: EntityManager, out: (line: string) => void): Promise<Record<string, number>> {
  const deleted = await resetSeededTables(em);
  const nonEmpty = Object.entries(deleted).filter(([, n]) => n > 0);
  out(
    `🗑  Reset: deleted ${nonEmpty.length === 0 ? 'nothing (the tables were empty)' : nonEmpty.map(([t, n]) => `${n.toLocaleString('en-US')} ${t}`).join(', ')}`,
  );
  return deleted;
}

/** The spec's closing summary. */
export function summaryLines(s: SeedSummary): string[] {
  return [
    '===============================================',
    '✅ Platform seeding complete!',
    '',
    '📊 Summary:',
    `   Tenants: ${s.tenants}`,
    `   Users: ${s.users}`,
    `   Claims: ${s.claims}`,
    `   ML Predictions: ${s.predictions}`,
    `   Model Metadata: ${s.modelMetadata}`,
    `   Feedback Samples: ${s.feedback}`,
    ...(s.insufficientSamples
      ? [
          `   ⚠ Models without a version 1 (insufficient samples: fewer labelled claims than MODEL_CONFIGS minTrainingSamples): ${s.insufficientSamples}`,
        ]
      : []),
  ];
}

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** COPY's text for NULL. */
const N = '\\N';
let cachedDay = Number.NaN;
let cachedDayText = '';

/**
 * `Date.toISOString()` for the COPY hot path (millions of timestamps): the date part is cached per day,
 * the time of day is formatted by hand. Same text as toISOString().
 */
export function fastIso(t: number): string {
  const day = Math.floor(t / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let ms = t - day * 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const sec = Math.floor(ms / 1000);
  const milli = Math.floor(ms - sec * 1000);
  return cachedDayText + PAD2[h]! + ':' + PAD2[m]! + ':' + PAD2[sec]! + '.' + PAD3[milli]! + 'Z';
}
