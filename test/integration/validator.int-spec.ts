// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { activeBaselines, ormConfig, validationOfRun } from '@app/database';
import type { FeatureBaselineDraft } from '@app/database';
import { runCli } from '../../apps/cli/src/main';
import { scoreOnHoldout } from '../../apps/validator/src/champion-scoring';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { Harness, seedTestDatabase } from './support/harness';
import { pollRows, pollUntil } from './support/poll';
import { championFromStoredPredictions } from './support/champion';
import { storeCandidate, trainCandidate } from './support/candidate';
import type { TrainedCandidate } from './support/candidate';

// Validation and deployment on real Postgres and NATS: one trained candidate, then many deployments at
// once, duplicates, stale candidates and a rollback. The candidates are trained here as the trainer does
// (a real XGBoost model on the tenant's claims, its artifact with its drift baselines, the run with its
// hold-out cut-off), so that this file tests the validator alone.
describe('validator', () => {
  const h = new Harness();
  const tenantId = 'tenant_71_0';
  const modelType = 'assignment';
  let orm: MikroORM;
  let model: TrainedCandidate;
  let baselines: FeatureBaselineDraft[];
  let trained: Envelope<'model.trained'>;

  /** A stored candidate of this file's model (support/candidate.ts): the model.trained the trainer would publish. */
  const candidate = (
    version: number,
    correlationId: string,
    withBaselines: FeatureBaselineDraft[] | null = baselines,
    split: { asOf: Date; cutoff: Date } = model,
  ): Promise<Envelope<'model.trained'>> =>
    storeCandidate(h, {
      tenantId,
      modelType,
      version,
      correlationId,
      model,
      baselines: withBaselines,
      split,
    });

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '71', '--tenants', '1', '--claims', '3000']);
    // Seeded version 1 is a real model, as good as a candidate trained on the same data, and a candidate
    // is deployed only when it improves on its champion. Here v1 is a champion without an artifact (the
    // validator scores it by the predictions it stored) that was wrong on every claim.
    await championFromStoredPredictions(h, tenantId, 'assignment', false);
    // A real candidate, trained as the trainer does; the validator is not running yet.
    orm = await MikroORM.init(ormConfig({ databaseUrl: process.env.DATABASE_URL!, poolMax: 2 }));
    model = await trainCandidate(orm.em.fork(), tenantId, modelType);
    baselines = model.baselines;
    trained = await candidate(2, 'first-candidate');
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l), {
      CONSUMER_CONCURRENCY: '8',
      DB_POOL_MAX: '12',
    });
  });
  afterAll(async () => {
    await orm?.close();
    await h.stop();
  });

  const active = () =>
    h.query<{ model_version: number }>(
      `select model_version from model_metadata where tenant_id = $1 and model_type = 'assignment' and is_active`,
      [tenantId],
    );
  const activeBaselineVersions = () =>
    h.query<{ model_version: number; n: number }>(
      `select model_version, count(*)::int as n from model_feature_baselines where tenant_id = $1 and model_type = 'assignment' and is_active group by 1`,
      [tenantId],
    );
  const validated = (correlationId: string) =>
    h.query<{
      passed: boolean;
      gates: { name: string; passed: boolean; rule?: string; reason?: string; detail: string }[];
    }>(
      `select (envelope->'payload'->>'passed')::boolean as passed, envelope->'payload'->'gates' as gates from outbox where subject = 'model.validated' and envelope->>'correlationId' = $1`,
      [correlationId],
    );
  const handled = (eventId: string) =>
    h.query(`select 1 from processed_events where consumer like '%validator%' and event_id = $1`, [eventId]);

  it('deploys a candidate that passes every gate, storing and switching to its baselines, all in one transaction', async () => {
    await h.publish(trained);
    await pollUntil(async () => (await active())[0]?.model_version === 2, { what: 'v2 active' });
    const [v] = await validated(trained.correlationId);
    expect(v!.passed).toBe(true);
    expect(v!.gates.map((g) => g.name)).toEqual([
      'accuracy_floor',
      'enough_evidence',
      'champion_comparison',
      'champion_mcnemar',
      'improvement',
      'fairness',
    ]);
    // v1 is the seeded version (its stored predictions): the gate says which rule let v2 replace it.
    expect(v!.gates.find((g) => g.name === 'improvement')).toMatchObject({
      passed: true,
      rule: expect.stringMatching(/^(significant|min_gain|floor)$/) as unknown,
    });
    expect(await activeBaselineVersions()).toEqual([{ model_version: 2, n: 5 }]);
    // The baselines deployed are the ones the trainer stored with the artifact.
    const em = orm.em.fork();
    const deployed = await activeBaselines(em, tenantId, modelType);
    expect(deployed.map((b) => [b.version, b.featureName, b.sampleSize])).toEqual(
      [...baselines]
        .sort((a, b) => a.featureName.localeCompare(b.featureName))
        .map((b) => [2, b.featureName, b.sampleSize]),
    );
    expect(deployed.find((b) => b.featureName === 'department')!.distribution).toEqual(
      baselines.find((b) => b.featureName === 'department')!.distribution,
    );
    // The verdict is the validator's own row, with every gate, figure and subgroup.
    const verdict = await validationOfRun(em, trained.payload.runId);
    expect(verdict).toMatchObject({ tenantId, modelType, version: 2, passed: true });
    const result = verdict!.result as { passed: boolean; gates: { name: string }[]; subgroups: unknown[] };
    expect(result.passed).toBe(true);
    expect(result.gates).toHaveLength(6);
    expect(result.subgroups.length).toBeGreaterThan(5);
    // The trainer's run is the trainer's: the validator did not touch it.
    const [run] = await h.query(
      `select status, candidate_version from ml_model_training_runs where id = $1`,
      [trained.payload.runId],
    );
    expect(run).toEqual({ status: 'completed', candidate_version: 2 });
    // What says which labels are new to v2, stored with it for the drift monitor.
    const [meta] = await h.query<{ training_cutoff: Date; training_samples: number }>(
      `select training_cutoff, training_samples from model_metadata where tenant_id = $1 and model_type = $2 and model_version = 2`,
      [tenantId, modelType],
    );
    expect(meta).toEqual({ training_cutoff: model.newest, training_samples: model.train });
  });

  it('rejects a candidate that is not better than the champion as no_improvement, and keeps the champion', async () => {
    // The same model as the active v2, as a newer version: as good, not better.
    const same = await candidate(50, 'not-better');
    await h.publish(same);
    const [v] = await pollRows(() => validated('not-better'), { what: 'the verdict on the same model' });
    expect(v!.passed).toBe(false);
    expect(v!.gates.filter((g) => !g.passed).map((g) => [g.name, g.reason])).toEqual([
      ['improvement', 'no_improvement'],
    ]);
    expect(v!.gates.find((g) => g.name === 'improvement')!.detail).toMatch(
      /candidate-only right 0, champion-only right 0: no_improvement .*: the champion stays$/,
    );
    expect(await active()).toEqual([{ model_version: 2 }]);
    const verdict = await validationOfRun(orm.em.fork(), same.payload.runId);
    expect(verdict).toMatchObject({ passed: false, version: 50 });
  });

  it('validates a run once: model.trained delivered again (a new event for the same run) is acked and ignored', async () => {
    const again = createEnvelope('model.trained', trained.payload, {
      tenantId,
      correlationId: trained.correlationId,
    });
    await h.publish(again);
    await pollRows(() => handled(again.id), { what: 'the second delivery handled' });
    expect(await validated(trained.correlationId)).toHaveLength(1);
    const [n] = await h.query<{ n: number }>(
      `select count(*)::int as n from model_validations where training_run_id = $1`,
      [trained.payload.runId],
    );
    expect(n!.n).toBe(1);
    expect(await active()).toEqual([{ model_version: 2 }]);
  });

  /** Reactivates v1 (the seeded version, worse than any trained candidate) through the validator. */
  async function backToV1(): Promise<void> {
    await h.publish(
      createEnvelope(
        'model.rollback.requested',
        { modelType, toVersion: 1, requestedBy: 'test', reason: 'test' },
        { tenantId },
      ),
    );
    await pollUntil(async () => (await active())[0]?.model_version === 1, { what: 'v1 active again' });
  }

  it('leaves exactly one active version when many deployments run at once', async () => {
    // From v1: the first candidate validated improves on it and is deployed; every other is then either
    // older than the one deployed (stale) or the same model again (no improvement).
    await backToV1();
    const events: Envelope<'model.trained'>[] = [];
    for (let i = 0; i < 8; i++) events.push(await candidate(3 + i, `concurrent-${i}`));
    await Promise.all(events.map((e) => h.publish(e)));
    await pollUntil(
      async () => {
        const all = await Promise.all(events.map((e) => validated(e.correlationId)));
        return all.every((rows) => rows.length === 1);
      },
      { what: 'every candidate validated', timeoutMs: 60_000 },
    );
    const actives = await active();
    expect(actives).toHaveLength(1);
    const deployments = await h.query<{ to_version: number }>(
      `select to_version from model_deployments where tenant_id = $1 and model_type = 'assignment' and correlation_id like 'concurrent-%' order by deployed_at`,
      [tenantId],
    );
    // Versions only ever go up, and the last one deployed is the one active, with its baselines.
    expect(deployments.map((d) => d.to_version)).toEqual(
      [...deployments.map((d) => d.to_version)].sort((a, b) => a - b),
    );
    expect(actives[0]!.model_version).toBe(deployments.at(-1)!.to_version);
    expect(await activeBaselineVersions()).toEqual([{ model_version: actives[0]!.model_version, n: 5 }]);
    const stale = (await Promise.all(events.map((e) => validated(e.correlationId))))
      .flat()
      .filter((v) => !v.passed);
    expect(deployments).toHaveLength(1);
    for (const s of stale) {
      const failed = s.gates.filter((g) => !g.passed).map((g) => g.reason ?? g.name);
      expect(failed).toEqual([expect.stringMatching(/^(newer_than_active|no_improvement)$/)]);
    }
    expect(stale.length + deployments.length).toBe(8);
    const [verdicts] = await h.query<{ n: number }>(
      `select count(*)::int as n from model_validations where correlation_id like 'concurrent-%'`,
    );
    expect(verdicts!.n).toBe(8);
  });

  it('ignores a duplicate and never lets an older candidate replace a newer model', async () => {
    const before = (await active())[0]!.model_version;
    await h.publish(trained, `again-${trained.id}`); // the same event, a new Nats-Msg-Id: the inbox drops it
    const old = await candidate(2 + 100, 'out-of-order');
    const stale = createEnvelope(
      'model.trained',
      { ...old.payload, candidateVersion: 2 },
      { tenantId, correlationId: 'out-of-order' },
    );
    await h.publish(stale);
    const [v] = await pollRows(() => validated('out-of-order'));
    expect(v!.passed).toBe(false);
    expect(v!.gates[0]).toMatchObject({ name: 'newer_than_active', passed: false });
    expect(await active()).toEqual([{ model_version: before }]);
    expect(await validated(trained.correlationId)).toHaveLength(1);
    const verdict = await validationOfRun(orm.em.fork(), stale.payload.runId);
    expect(verdict).toMatchObject({ passed: false, version: 2 });
  });

  it('deploys a version whose artifact has no baselines with the rows already stored for it', async () => {
    const version = (await active())[0]!.model_version + 1000;
    // It must improve on the champion to be deployed: v1 again.
    await backToV1();
    const legacy = await candidate(version, 'legacy-baselines', null);
    // Stored before baselines travelled with the artifact (inactive, by an older trainer).
    for (const b of baselines.slice(0, 2))
      await h.query(
        `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind, baseline_value, baseline_complexity, distribution, sample_size, is_active)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false)`,
        [
          tenantId,
          modelType,
          version,
          b.featureName,
          b.featureKind,
          b.baselineValue,
          b.baselineComplexity,
          JSON.stringify(b.distribution),
          b.sampleSize,
        ],
      );
    await h.publish(legacy);
    await pollUntil(async () => (await active())[0]?.model_version === version, {
      what: 'the legacy version active',
    });
    expect(await activeBaselineVersions()).toEqual([{ model_version: version, n: 2 }]);
  });

  it('rolls back to an earlier version from the command line, with its baselines, and records why', async () => {
    const before = (await active())[0]!.model_version;
    const out: string[] = [];
    const code = await runCli(
      ['rollback', '--tenant', tenantId, '--model', 'assignment', '--to-version', '1'],
      (l) => out.push(l),
      { ...process.env, SUBJECT_PREFIX: h.prefix },
    );
    expect(out.join('\n')).toContain(`v1 is active again (was v${before})`);
    expect(code).toBe(0);
    expect(await active()).toEqual([{ model_version: 1 }]);
    const [history] = await h.query(
      `select from_version, to_version, reason from model_deployments where tenant_id = $1 and model_type = 'assignment' order by deployed_at desc limit 1`,
      [tenantId],
    );
    expect(history).toEqual({ from_version: before, to_version: 1, reason: 'rollback' });
    const baselines = await h.query(
      `select distinct model_version from model_feature_baselines where tenant_id = $1 and model_type = 'assignment' and is_active`,
      [tenantId],
    );
    expect(baselines).toEqual([{ model_version: 1 }]);
  });

  it('rolls back without a version to the one the current replaced, re-activating its stored baselines', async () => {
    // Without a version, a rollback goes to the one the current replaced (read-models/registry.ts): v1
    // replaced the legacy version, whose stored baselines come back with it.
    const [was] = await h.query<{ from_version: number }>(
      `select from_version from model_deployments where tenant_id = $1 and model_type = 'assignment' and to_version = 1 and from_version is not null order by deployed_at desc limit 1`,
      [tenantId],
    );
    const request = createEnvelope(
      'model.rollback.requested',
      { modelType, requestedBy: 'test', reason: 'test' },
      { tenantId },
    );
    await h.publish(request);
    await pollUntil(async () => (await active())[0]?.model_version === was!.from_version, {
      what: 'the previous version active',
    });
    const [n] = await activeBaselineVersions();
    expect(n!.model_version).toBe(was!.from_version);
  });

  it('refuses a rollback to a version that does not exist, before publishing anything', async () => {
    const out: string[] = [];
    expect(
      await runCli(
        ['rollback', '--tenant', tenantId, '--model', 'assignment', '--to-version', '99'],
        (l) => out.push(l),
        { ...process.env, SUBJECT_PREFIX: h.prefix },
      ),
    ).toBe(1);
    expect(out[0]).toMatch(/has no assignment version 99 \(versions: 1, 2, /);
    expect(await runCli(['rollback', '--tenant', tenantId], (l) => out.push(l), process.env)).toBe(2);
  });

  it("rebuilds a candidate's hold-out as of its run's recorded time: a claim resolved after it is not in it", async () => {
    // A run as of 60 days before the end of the seeded history, its hold-out from 120 days before that.
    const asOf = new Date(Date.now() - 60 * 86_400_000);
    const cutoff = new Date(asOf.getTime() - 120 * 86_400_000);
    const e = await candidate(9000, 'as-of', baselines, { asOf, cutoff });
    const scores = await scoreOnHoldout(orm.em.fork(), {
      tenantId,
      modelType,
      runId: e.payload.runId,
      candidateArtifactId: e.payload.artifactId,
      champion: null,
    });
    const [counts] = await h.query<{ then: number; now: number }>(
      `select count(*) filter (where resolved_at <= $3)::int as then, count(*)::int as now from claims
        where tenant_id = $1 and resolved_at is not null and filed_at >= $2 and filed_at <= $3`,
      [tenantId, cutoff, asOf],
    );
    expect(scores.holdout).toHaveLength(counts!.then);
    // Claims of that period resolved after the run's time exist, and none of them is in its hold-out.
    const later = await h.query<{ id: string }>(
      `select id from claims where tenant_id = $1 and filed_at >= $2 and filed_at <= $3 and resolved_at > $3`,
      [tenantId, cutoff, asOf],
    );
    expect(later.length).toBeGreaterThan(0);
    expect(counts!.now).toBe(counts!.then + later.length);
    const held = new Set(scores.holdout.map((c) => c.id));
    expect(later.filter((c) => held.has(c.id))).toEqual([]);
  });
});
