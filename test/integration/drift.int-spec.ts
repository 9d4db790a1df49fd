// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { createEnvelope } from '@app/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  currentHistograms,
  driftChecks,
  FEATURE_COLUMNS,
  latestDriftCheck,
  ormConfig,
  tenantWindowValues,
} from '@app/database';
import { countsFromBins, countsFromValues, histogramFromValues, parseBaseline } from '@app/drift';
import type { FeatureBaseline } from '@app/drift';
import { FEATURES, MODEL_TYPES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import { DriftMonitorConfig } from '../../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../../apps/drift-monitor/src/drift-monitor.module';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { Harness, seedTestDatabase } from './support/harness';
import { pollUntil } from './support/poll';

// The drift monitor on seeded data: SQL histograms, PSI, decisions, and no trigger storm.
describe('drift monitoring', () => {
  const h = new Harness();
  const today = new Date().toISOString().slice(0, 10);
  const drifted = 'tenant_31_0';
  const steady = 'tenant_32_0';

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase([
      ...['--seed', '31', '--tenants', '1', '--claims', '6000', '--now', today],
      ...['--scenario', 'drift'],
    ]);
    await seedTestDatabase(['--seed', '32', '--tenants', '1', '--claims', '6000', '--now', today]);
    // One breached day opens an episode here: this suite is about the signals (PSI, SQL counts, suppression);
    // monitoring.int-spec runs the default k of n.
    await h.startService('drift-monitor', DriftMonitorConfig, (c, l) => DriftMonitorModule.forRoot(c, l), {
      EPISODE_OPENING: '1/1',
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  const run = <T extends object[]>(sql: string, params: unknown[]) => {
    let i = 0;
    return h.db
      .query(
        sql.replace(/\?/g, () => `$${++i}`),
        params,
      )
      .then((r) => r.rows as T);
  };

  it('counts the window in SQL exactly as the in-memory histogram does', async () => {
    const to = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
    const from = new Date(to.getTime() - 30 * 86_400_000);
    for (const tenantId of [drifted, steady]) {
      const rows = await currentHistograms(run, { tenantId, modelType: 'claim_outcome', from, to });
      const features = [...new Set(rows.map((r) => r.feature_name))] as FeatureName[];
      expect(features.sort()).toEqual([
        'case_complexity',
        'claim_type',
        'department',
        'member_age',
        'union_tenure_years',
      ]);
      for (const feature of features) {
        const bins = rows.filter((r) => r.feature_name === feature);
        const baseline: FeatureBaseline = parseBaseline(bins[0]!.distribution);
        const raw = await h.query<{ v: string | number }>(
          `select ${FEATURE_COLUMNS[feature]} as v from claims where tenant_id = $1 and filed_at >= $2 and filed_at < $3`,
          [tenantId, from, to],
        );
        const values = raw.map((r) => (FEATURES[feature].kind === 'numeric' ? Number(r.v) : String(r.v)));
        const inMemory =
          baseline.kind === 'numeric_binned'
            ? histogramFromValues(baseline, values as number[])
            : histogramFromValues(baseline, values as never);
        expect(countsFromBins(baseline, bins)).toEqual(inMemory);
      }
    }
  });

  it("counts a tenant's short and long windows by value as the drift monitor does, equal to the in-memory histograms", async () => {
    const to = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
    const longFrom = new Date(to.getTime() - 30 * 86_400_000);
    const shortFrom = new Date(to.getTime() - 7 * 86_400_000);
    for (const tenantId of [drifted, steady]) {
      const window = await tenantWindowValues(run, {
        tenantId,
        versions: MODEL_TYPES.map((modelType) => ({ modelType, version: 1 })),
        shortFrom,
        longFrom,
        to,
      });
      // Every model's baselines of version 1, in (model, feature) order.
      const seen = window.baselines.map((b) => `${b.modelType}:${b.featureName}`);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(window.baselines.map((b) => b.modelType))).toEqual(new Set(MODEL_TYPES));
      for (const b of window.baselines) {
        const feature = b.featureName as FeatureName;
        const baseline: FeatureBaseline = parseBaseline(b.distribution);
        const values = window.values.get(feature) ?? [];
        for (const [from, pick] of [
          [shortFrom, 'nShort'],
          [longFrom, 'nLong'],
        ] as const) {
          const raw = await h.query<{ v: string | number }>(
            `select ${FEATURE_COLUMNS[feature]} as v from claims where tenant_id = $1 and filed_at >= $2 and filed_at < $3`,
            [tenantId, from, to],
          );
          expect(raw.length).toBeGreaterThan(0);
          expect(values.reduce((sum, v) => sum + v[pick], 0)).toBe(raw.length);
          const inMemory =
            baseline.kind === 'numeric_binned'
              ? histogramFromValues(
                  baseline,
                  raw.map((r) => Number(r.v)),
                )
              : histogramFromValues(
                  baseline,
                  raw.map((r) => (FEATURES[feature].kind === 'numeric' ? Number(r.v) : String(r.v))) as never,
                );
          expect(
            countsFromValues(
              baseline,
              values.map((v) => ({ value: v.value, n: v[pick] })),
            ),
          ).toEqual(inMemory);
        }
      }
    }
  });

  const checks = (tenantId: string) =>
    h.query<{
      model_type: string;
      decision: string;
      max_psi: number | null;
      max_psi_feature: string | null;
      reasons: string[];
      accuracy: number | null;
      estimated_accuracy: number | null;
      estimated_count: number;
      accuracy_source: string | null;
    }>(
      `select model_type, decision, max_psi, max_psi_feature, reasons, accuracy, estimated_accuracy, estimated_count, accuracy_source
         from drift_checks where tenant_id = $1
        order by created_at, array_position($2::text[], model_type)`,
      // A tenant's checks of a day share one transaction (one created_at): in MODEL_TYPES order.
      [tenantId, MODEL_TYPES],
    );
  const detected = (tenantId: string) =>
    h.query<{ model: string }>(
      `select envelope->'payload'->>'modelType' as model from outbox where subject = 'drift.detected' and envelope->>'tenantId' = $1`,
      [tenantId],
    );

  it('detects drift in the drifted tenant and leaves the steady one alone', async () => {
    for (const tenantId of [drifted, steady]) {
      for (const modelType of MODEL_TYPES) {
        await h.publish(
          createEnvelope(
            'drift.check.requested',
            { modelType, logicalDate: today, requestedBy: 'schedule' },
            { tenantId },
          ),
        );
      }
    }
    const d = await pollUntil(async () => ((await checks(drifted)).length === 4 ? checks(drifted) : false), {
      what: 'drifted checks',
    });
    const s = await pollUntil(async () => ((await checks(steady)).length === 4 ? checks(steady) : false), {
      what: 'steady checks',
    });
    process.stdout.write(
      `drifted: ${JSON.stringify(d.map((c) => [c.model_type, c.decision, c.max_psi_feature, c.max_psi]))}\nsteady: ${JSON.stringify(s.map((c) => [c.model_type, c.decision, c.max_psi]))}\n`,
    );
    expect(d.map((c) => c.decision)).toEqual(['retrain', 'retrain', 'retrain', 'retrain']);
    for (const c of d) {
      expect(c.max_psi).toBeGreaterThan(0.25);
      expect(c.reasons[0]).toMatch(/PSI \d\.\d{3} > 0\.25 \(significant drift\)/);
    }
    // Version 1 answered claims filed since its deployment, 90 days ago: none of its churn answers has a
    // label yet (180 days), so churn's realized accuracy cannot be judged; its estimated accuracy (the
    // calibration version 1 carries) is, and decides.
    process.stdout.write(
      `steady accuracy (realized, estimated, n): ${JSON.stringify(s.map((c) => [c.model_type, c.accuracy, c.estimated_accuracy, c.estimated_count]))}\n`,
    );
    expect(s.map((c) => c.decision)).toEqual(['no_action', 'no_action', 'no_action', 'no_action']);
    expect(s.map((c) => c.accuracy_source)).toEqual(['realized', 'realized', 'estimated', 'realized']);
    expect(s[2]!.reasons).toContain(
      'only 0 labelled predictions in the last 7 days (need 30): judged by the estimate',
    );
    for (const c of s) {
      expect(c.max_psi).toBeLessThan(0.1);
      expect(c.estimated_count).toBeGreaterThan(30);
      // A steady tenant: the estimate agrees with the labels where both exist.
      if (c.accuracy !== null) expect(Math.abs(c.estimated_accuracy! - c.accuracy)).toBeLessThan(0.08);
    }
    expect((await detected(drifted)).map((r) => r.model).sort()).toEqual([...MODEL_TYPES].sort());
    expect(await detected(steady)).toEqual([]);
  });

  it('does not trigger twice for the same version and date, nor twice in an episode; a forced trigger during a retrain is coalesced by the trainer', async () => {
    // The same scheduled check again (another event, e.g. a second scheduler or a catch-up).
    await h.publish(
      createEnvelope(
        'drift.check.requested',
        { modelType: 'timeline', logicalDate: today, requestedBy: 'catch_up' },
        { tenantId: drifted },
      ),
    );
    await pollUntil(async () => (await checks(drifted)).length === 5, { what: 'the repeated check' });
    const repeated = (await checks(drifted))[4]!;
    expect(repeated.decision).toBe('suppressed');
    expect(repeated.reasons[0]).toBe(`version 1 was already checked for ${today}: not triggering again`);

    // An operator's check of the same day, not forced: the drift persists, but the episode already
    // retrained today on these labels, so it waits for new ones and publishes no drift.detected.
    await h.publish(
      createEnvelope(
        'drift.check.requested',
        { modelType: 'churn_risk', logicalDate: today, requestedBy: 'cli' },
        { tenantId: drifted },
      ),
    );
    await pollUntil(async () => (await checks(drifted)).length === 6, { what: 'the operator check' });
    expect((await checks(drifted))[5]!.decision).toBe('awaiting_labels');
    expect(await detected(drifted)).toHaveLength(4);

    // A forced check (ml:retrain --force) while a retrain is in progress. The drift monitor does not read
    // the trainer's runs: it retrains on demand, and the trainer, which owns the runs, coalesces the
    // trigger into the run in progress. No storm: still one retrain at a time per model.
    for (const modelType of MODEL_TYPES)
      await h.query(
        `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id) values ($1, $2, 'running', 'drift', 'x')`,
        [drifted, modelType],
      );
    await h.publish(
      createEnvelope(
        'drift.check.requested',
        { modelType: 'churn_risk', logicalDate: today, requestedBy: 'cli', force: true },
        { tenantId: drifted },
      ),
    );
    await pollUntil(async () => (await checks(drifted)).length === 7, { what: 'the check during a retrain' });
    const during = (await checks(drifted))[6]!;
    expect(during.decision).toBe('retrain');
    expect(await detected(drifted)).toHaveLength(5);
    // The trainer, started now, finds every drift.detected of this tenant (the four scheduled ones and the
    // operator's) while a run of that model is in progress: each is coalesced, none starts a second run.
    await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l));
    const runs = () =>
      h.query<{ model_type: string; status: string }>(
        `select model_type, status from ml_model_training_runs where tenant_id = $1 order by model_type, status`,
        [drifted],
      );
    await pollUntil(async () => (await runs()).filter((r) => r.status === 'coalesced').length === 5, {
      what: 'the triggers coalesced',
    });
    const all = await runs();
    expect(all.filter((r) => r.status === 'running')).toHaveLength(4);
    expect(all.filter((r) => r.status === 'coalesced' && r.model_type === 'churn_risk')).toHaveLength(2);
    expect(all.filter((r) => r.status !== 'running' && r.status !== 'coalesced')).toEqual([]);
  });

  it('stores every feature of a check with its PSI, band and sample sizes', async () => {
    const [row] = await h.query<{
      features: { feature: string; psi: number; band: string; baselineSize: number; currentSize: number }[];
    }>(
      `select features from drift_checks where tenant_id = $1 and model_type = 'claim_outcome' order by created_at limit 1`,
      [drifted],
    );
    expect(row!.features.map((f) => f.feature).sort()).toEqual([
      'case_complexity',
      'claim_type',
      'department',
      'member_age',
      'union_tenure_years',
    ]);
    // Version 1's baselines describe every claim filed in the 90 days before its training time.
    const [inputs] = await h.query<{ n: number }>(
      `select count(*)::int as n from claims c, model_metadata m
        where m.tenant_id = $1 and m.model_type = 'claim_outcome' and m.model_version = 1 and c.tenant_id = m.tenant_id
          and c.filed_at > (m.metrics->'split'->>'asOf')::timestamptz - interval '90 days'
          and c.filed_at <= (m.metrics->'split'->>'asOf')::timestamptz`,
      [drifted],
    );
    expect(inputs!.n).toBeGreaterThan(250);
    for (const f of row!.features) {
      expect(f.baselineSize).toBe(inputs!.n);
      expect(f.currentSize).toBeGreaterThan(50);
      expect(['stable', 'moderate', 'significant']).toContain(f.band);
    }
  });

  it('reads the checks back through the drift read models, typed and camelCase', async () => {
    const orm = await MikroORM.init(ormConfig({ databaseUrl: process.env.DATABASE_URL!, poolMax: 1 }));
    try {
      const em = orm.em.fork();
      const history = await driftChecks(em, drifted, 'churn_risk');
      expect(history.map((c) => c.decision)).toEqual(['retrain', 'awaiting_labels', 'retrain']);
      // The scheduled check opened the episode; the operator's, on the same day, continued it.
      expect(history[0]!.episodeId).not.toBeNull();
      expect(history[1]!.episodeId).toBe(history[0]!.episodeId);
      expect(history[1]!.newLabels).toMatchObject({ have: 0 });
      expect(history[0]!.labels).toMatchObject({ predictions: expect.any(Number) as number });
      const last = await latestDriftCheck(em, drifted, 'timeline');
      expect(last).toMatchObject({
        tenantId: drifted,
        modelType: 'timeline',
        version: 1,
        logicalDate: today,
        decision: 'suppressed',
        reasons: [`version 1 was already checked for ${today}: not triggering again`],
      });
      expect(last!.checkedAt).toBeInstanceOf(Date);
      expect(await latestDriftCheck(em, 'no_such_tenant', 'timeline')).toBeNull();
    } finally {
      await orm.close();
    }
  });

  it('does not judge with a corrupt baseline: its DriftMathError reaches the message edge, feature named', async () => {
    await h.query(
      `update model_feature_baselines set distribution = jsonb_set(distribution, '{version}', '99')
        where tenant_id = $1 and model_type = 'timeline' and feature_name = 'member_age' and is_active`,
      [steady],
    );
    const request = createEnvelope(
      'drift.check.requested',
      { modelType: 'timeline', logicalDate: today, requestedBy: 'cli' },
      { tenantId: steady },
    );
    await h.publish(request);
    const line = await pollUntil(
      () =>
        Promise.resolve(
          h.logs.find((l) => l.includes(request.correlationId) && l.includes('INVALID_BASELINE')) ?? false,
        ),
      { what: 'the failure at the message edge' },
    );
    expect(line).toContain('DriftMathError');
    expect(line).toContain('baseline of member_age (v1)');
    // Nothing was stored or announced for it.
    const stored = await h.query(`select 1 from drift_checks where correlation_id = $1`, [
      request.correlationId,
    ]);
    expect(stored).toEqual([]);
  });
});
