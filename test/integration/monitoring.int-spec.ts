// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import type { ModelType } from '@app/domain';
import { DriftMonitorConfig } from '../../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../../apps/drift-monitor/src/drift-monitor.module';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { Harness, seedTestDatabase } from './support/harness';
import { pollRows, pollUntil } from './support/poll';

// Monitoring follows the version in production, and a retrain happens only when it can change something
// (issue 16): the drift monitor and the notifier on seeded data, with the days fired by hand.
describe('monitoring the version in production', () => {
  const h = new Harness();
  const DAY = 86_400_000;
  const today = new Date().toISOString().slice(0, 10);
  const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * DAY);
  const date = (offset: number) => day(offset).toISOString().slice(0, 10);
  const steady = 'tenant_37_0';
  const drifted = 'tenant_38_0';

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '37', '--tenants', '1', '--claims', '6000', '--now', today]);
    await seedTestDatabase([
      ...['--seed', '38', '--tenants', '1', '--claims', '6000', '--now', today],
      ...['--scenario', 'drift'],
    ]);
    await h.startService('drift-monitor', DriftMonitorConfig, (c, l) => DriftMonitorModule.forRoot(c, l));
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
      REMINDER_SWEEP_SECONDS: '3600',
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  type CheckRow = {
    id: string;
    model_version: number | null;
    logical_date: string;
    decision: string;
    labelled_count: number;
    accuracy: number | null;
    max_psi_feature: string | null;
    window_predictions: number | null;
    window_labelled: number | null;
    label_coverage: number | null;
    oldest_unlabelled_at: Date | null;
    new_labels: number | null;
    new_labels_needed: number | null;
    episode_id: string | null;
    psi_window_days: number | null;
    features: { feature: string; band?: string }[];
  };
  const checksOf = (tenantId: string, modelType: ModelType) =>
    h.query<CheckRow>(
      `select id, model_version, to_char(logical_date, 'YYYY-MM-DD') as logical_date, decision, labelled_count, accuracy,
              max_psi_feature, window_predictions, window_labelled, label_coverage, oldest_unlabelled_at,
              new_labels, new_labels_needed, episode_id, psi_window_days, features
         from drift_checks where tenant_id = $1 and model_type = $2 order by created_at`,
      [tenantId, modelType],
    );

  /** Publishes one check and waits for it to be stored; returns its row. */
  async function check(
    tenantId: string,
    modelType: ModelType,
    logicalDate: string,
    requestedBy: 'schedule' | 'test' = 'schedule',
  ): Promise<CheckRow> {
    const before = (await checksOf(tenantId, modelType)).length;
    await h.publish(
      createEnvelope('drift.check.requested', { modelType, logicalDate, requestedBy }, { tenantId }),
    );
    const rows = await pollRows(() => checksOf(tenantId, modelType), {
      until: (r) => r.length > before,
      what: `the ${modelType} check of ${logicalDate}`,
    });
    return rows.at(-1)!;
  }

  const outboxOf = <S extends 'drift.checked' | 'drift.detected'>(subject: S, tenantId: string) =>
    h
      .query<{ envelope: Envelope<S> }>(
        `select envelope from outbox where subject = $1 and envelope->>'tenantId' = $2 order by seq`,
        [subject, tenantId],
      )
      .then((rows) => rows.map((r) => r.envelope));

  it('counts the accuracy of the active version only, against its own baselines, after a deployment', async () => {
    const modelType = 'claim_outcome';
    // v1 (seeded) is active and has predictions whose outcomes became known in the last 7 days.
    const v1 = await check(steady, modelType, today, 'test');
    expect(v1.model_version).toBe(1);
    expect(v1.labelled_count).toBeGreaterThan(0);
    expect(v1.features.find((f) => f.feature === 'department')!.band).not.toBe('significant');

    // v2 deployed (as the validator does it: one active version, its own baselines active). Its department
    // baseline puts every claim in Operations, so the window drifts against v2's baselines, not v1's.
    await h.query(
      `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind, baseline_value,
                                            baseline_complexity, distribution, sample_size, is_active)
       select tenant_id, model_type, 2, feature_name, feature_kind, baseline_value, baseline_complexity,
              case when feature_name = 'department'
                   then '{"version": 1, "kind": "categorical", "numeric": false, "counts": {"Operations": 1000}, "n": 1000}'::jsonb
                   else distribution end,
              sample_size, false
         from model_feature_baselines where tenant_id = $1 and model_type = $2 and model_version = 1`,
      [steady, modelType],
    );
    await h.query(
      `update model_feature_baselines set is_active = (model_version = 2) where tenant_id = $1 and model_type = $2`,
      [steady, modelType],
    );
    await h.query(`update model_metadata set is_active = false where tenant_id = $1 and model_type = $2`, [
      steady,
      modelType,
    ]);
    await h.query(
      `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at)
       values ($1, $2, 2, true, 0.9, $3)`,
      [steady, modelType, day(-6)],
    );
    // v2's predictions: 40 made 5 days ago whose outcome became known yesterday (30 right), and 20 made 2
    // days ago still without an outcome, each on its own claim.
    const claims = await h.query<{ id: string }>(
      `select id from claims where tenant_id = $1 order by id limit 60`,
      [steady],
    );
    for (const [i, c] of claims.entries()) {
      const labelled = i < 40;
      await h.query(
        `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence,
                                     actual_value, is_correct, predicted_at, outcome_known_at)
         values ($1, $2, $3, 2, 'won', 0.8, $4, $5, $6, $7)`,
        [
          steady,
          c.id,
          modelType,
          labelled ? (i < 30 ? 'won' : 'lost') : null,
          labelled ? i < 30 : null,
          labelled ? day(-5) : day(-2),
          labelled ? day(-1) : null,
        ],
      );
    }

    const v2 = await check(steady, modelType, today, 'test');
    expect(v2.model_version).toBe(2);
    // The version in production only: v1's labelled predictions of the same window are not counted.
    expect(v2.labelled_count).toBe(40);
    expect(v2.accuracy).toBeCloseTo(0.75, 10);
    // Label maturity of the window: 60 predictions of v2 made in it, 40 with labels, the oldest without
    // one made 2 days ago.
    expect(v2).toMatchObject({ window_predictions: 60, window_labelled: 40 });
    expect(v2.label_coverage).toBeCloseTo(40 / 60, 10);
    expect(v2.oldest_unlabelled_at!.getTime()).toBe(day(-2).getTime());
    // Inputs against v2's own baselines.
    expect(v2.max_psi_feature).toBe('department');
    expect(v2.features.find((f) => f.feature === 'department')!.band).toBe('significant');
    const [checked] = (await outboxOf('drift.checked', steady)).filter((e) => e.payload.checkId === v2.id);
    expect(checked!.payload.labels).toMatchObject({ windowDays: 7, predictions: 60, labelled: 40 });
    expect(checked!.payload.accuracy).toMatchObject({ labelled: 40, value: 0.75 });
  });

  /** What the tenant's daily digests will tell (or told) of a model: its alert items, by day. */
  const itemsOf = (tenantId: string, modelType: ModelType) =>
    h.query<{ day: string; kind: string; title: string; digest_id: string | null }>(
      `select day::text, kind, title, digest_id from alert_items where tenant_id = $1 and model_type = $2 order by created_at`,
      [tenantId, modelType],
    );
  /** Waits until the notifier has handled these events. */
  const notifierHandled = (events: readonly Envelope[]) =>
    pollUntil(
      async () => {
        const [n] = await h.query<{ n: number }>(
          `select count(*)::int as n from processed_events where consumer like 'notifier%' and event_id = any($1::uuid[])`,
          [events.map((e) => e.id)],
        );
        return n!.n === events.length;
      },
      { what: 'the notifier handled every event' },
    );

  it("watches a first day of drift, opens the episode on the second (2 of 3), retrains once, and tells people once, in the next day's digest", async () => {
    // Four days of drift in a row. v1 has no artifact (seeded): the opening day may retrain; the episode
    // then needs new labels since that retrain before another.
    const modelType = 'claim_outcome';
    const rows: CheckRow[] = [];
    for (const offset of [-3, -2, -1, 0]) rows.push(await check(drifted, modelType, date(offset)));
    expect(rows.map((r) => r.decision)).toEqual([
      'watching',
      'retrain',
      'awaiting_labels',
      'awaiting_labels',
    ]);
    expect(rows[0]!.episode_id).toBeNull();
    expect(new Set(rows.slice(1).map((r) => r.episode_id)).size).toBe(1);
    expect(rows[1]!.episode_id).not.toBeNull();
    for (const r of rows.slice(2)) {
      expect(r.new_labels!).toBeLessThan(r.new_labels_needed!);
      expect(r.window_predictions).toBeGreaterThan(0);
      expect(r.label_coverage).not.toBeNull();
    }
    const [episode] = await h.query<{ status: string; days: number; retrains: number; started_on: string }>(
      `select status, days, retrains, started_on::text from drift_episodes where id = $1`,
      [rows[1]!.episode_id],
    );
    // Dated from the first breached day.
    expect(episode).toMatchObject({ status: 'open', days: 4, retrains: 1, started_on: date(-3) });

    const detected = (await outboxOf('drift.detected', drifted)).filter(
      (e) => e.payload.modelType === modelType,
    );
    expect(detected).toHaveLength(1);
    expect(detected[0]!.payload.episode).toMatchObject({ opened: true, days: 2, retrains: 1 });
    const checked = (await outboxOf('drift.checked', drifted)).filter(
      (e) => e.payload.modelType === modelType,
    );
    expect(
      checked.map((e) => [e.payload.decision, e.payload.episode?.opened, e.payload.logicalDate]),
    ).toEqual([
      ['watching', undefined, date(-3)],
      ['retrain', true, date(-2)],
      ['awaiting_labels', false, date(-1)],
      ['awaiting_labels', false, date(0)],
    ]);
    expect(checked[3]!.payload.eligibility).toMatchObject({ eligible: false });

    // The notifier lists the opening in the digest of its day, sent when the next day's check arrived; no
    // message of its own for any of the eight events.
    await notifierHandled([...detected, ...checked]);
    const items = await itemsOf(drifted, modelType);
    expect(items.map((i) => [i.day, i.kind])).toEqual([[date(-2), 'episode_opened']]);
    expect(items[0]!.title).toMatch(
      new RegExp(
        `^input drift( and low accuracy)? since ${date(-3)} \\(active version 1\\): retraining has been requested$`,
      ),
    );
    const digests = await h.query<{ id: string; day: string; models: string[] }>(
      `select id, day::text, models from alert_digests where tenant_id = $1`,
      [drifted],
    );
    expect(digests).toEqual([{ id: items[0]!.digest_id, day: date(-2), models: [modelType] }]);
    const own = await h.query(
      `select 1 from ml_retraining_notifications where tenant_id = $1 and model_type = $2 and event_type <> 'alert.digest'`,
      [drifted, modelType],
    );
    expect(own).toEqual([]);
    const told = await pollRows(
      () =>
        h.query<{ subject: string; body: string }>(
          `select subject, body from ml_retraining_notifications where event_id = $1`,
          [digests[0]!.id],
        ),
      { what: 'the digest deliveries' },
    );
    expect(told[0]!.subject).toBe(`[Union Eyes ML] ${date(-2)}: Claim Outcome Prediction`);
    expect(told[0]!.body).toContain(`- Claim Outcome Prediction: ${items[0]!.title}`);
  });

  it('lists an episode that opens awaiting labels, without any retrain', async () => {
    // A champion with an artifact, trained on everything up to today: no label is new to it.
    const modelType = 'timeline';
    await h.query(
      `update model_metadata set artifact_id = gen_random_uuid(), training_cutoff = $3, training_samples = 3000
        where tenant_id = $1 and model_type = $2 and is_active`,
      [drifted, modelType, day(1)],
    );
    const rows: CheckRow[] = [];
    for (const offset of [-2, -1, 0]) rows.push(await check(drifted, modelType, date(offset)));
    expect(rows.map((r) => r.decision)).toEqual(['watching', 'awaiting_labels', 'awaiting_labels']);
    expect(rows.slice(1).map((r) => [r.new_labels, r.new_labels_needed])).toEqual([
      [0, 300],
      [0, 300],
    ]);
    expect(
      await outboxOf('drift.detected', drifted).then((e) =>
        e.filter((x) => x.payload.modelType === modelType),
      ),
    ).toEqual([]);
    const checked = (await outboxOf('drift.checked', drifted)).filter(
      (e) => e.payload.modelType === modelType,
    );
    expect(checked.map((e) => e.payload.episode?.opened)).toEqual([undefined, true, false]);
    await notifierHandled(checked);
    const items = await itemsOf(drifted, modelType);
    expect(items.map((i) => [i.day, i.kind])).toEqual([[date(-1), 'episode_opened']]);
    expect(items[0]!.title).toMatch(
      /: awaiting labels: a retrain needs 300 labelled examples new to it \(0 so far\)$/,
    );
    const own = await h.query(
      `select 1 from ml_retraining_notifications where tenant_id = $1 and model_type = $2 and event_type <> 'alert.digest'`,
      [drifted, modelType],
    );
    expect(own).toEqual([]);
  });

  it("counts the validator's no_improvement verdicts against the episode: more labels each time, and no third retrain on drift alone", async () => {
    // Input drift on assignment, whose accuracy holds: the champion is judged by the verdicts on the episode's
    // retrains (model_validations, read by the drift monitor). Labels "since the last retrain" are set on
    // the episode by hand, to stand for the weeks between retrains.
    const modelType = 'assignment';
    expect((await check(drifted, modelType, date(-4))).decision).toBe('watching');
    const first = await check(drifted, modelType, date(-3));
    expect(first.decision).toBe('retrain');
    const base = first.new_labels_needed!;
    const episode = async () =>
      (
        await h.query<{ id: string; last_retrain_new_labels: number; retrains: number }>(
          `select id, last_retrain_new_labels, retrains from drift_episodes where id = $1`,
          [first.episode_id],
        )
      )[0]!;
    const labelsSince = async (n: number) => {
      const e = await episode();
      await h.query(`update drift_episodes set last_retrain_new_labels = $2 where id = $1`, [
        e.id,
        e.last_retrain_new_labels - n,
      ]);
    };
    const rejected = async (r: CheckRow) => {
      const [{ correlation_id }] = (await h.query<{ correlation_id: string }>(
        `select correlation_id from drift_checks where id = $1`,
        [r.id],
      )) as [{ correlation_id: string }];
      await h.query(
        `insert into model_validations (training_run_id, tenant_id, model_type, model_version, passed, result, correlation_id)
         values (gen_random_uuid(), $1, $2, 9, false, $3::jsonb, $4)`,
        [
          drifted,
          modelType,
          JSON.stringify({ gates: [{ name: 'improvement', passed: false, reason: 'no_improvement' }] }),
          correlation_id,
        ],
      );
    };
    await rejected(first);
    // Enough labels for a retrain (base + 1) are no longer enough after one rejection: twice base now.
    await labelsSince(base + 1);
    const second = await check(drifted, modelType, date(-2));
    expect(second.decision).toBe('awaiting_labels');
    expect(second.new_labels_needed).toBe(2 * base);
    await labelsSince(2 * base + 1);
    const third = await check(drifted, modelType, date(-1));
    expect(third.decision).toBe('retrain');
    await rejected(third);
    // Two candidates trained on the drifted data were no better: drift alone retrains no more.
    await labelsSince(100 * base);
    const fourth = await check(drifted, modelType, date(0));
    expect(fourth.decision).toBe('awaiting_labels');
    const [stored] = await h.query<{ reasons: string[] }>(`select reasons from drift_checks where id = $1`, [
      fourth.id,
    ]);
    expect(stored!.reasons.join(' | ')).toMatch(
      /v1 held up against 2 candidates trained on this episode's data \(rejected as no_improvement\): input drift alone does not retrain it again in this episode/,
    );
    expect(new Set([first, second, third, fourth].map((r) => r.episode_id)).size).toBe(1);
    expect((await episode()).retrains).toBe(2);
  });

  it('judges the inputs on the last 10 days when they hold enough claims, on 30 otherwise', async () => {
    // The drifted tenant filed ~80 claims a day lately.
    const [d] = await checksOf(drifted, 'claim_outcome');
    expect(d!.psi_window_days).toBe(10);
    // The steady tenant files ~13 claims a day: too few in 10 days (250 needed), so its inputs are judged on 30.
    const [s] = await checksOf(steady, 'claim_outcome');
    expect(s!.psi_window_days).toBe(30);
  });
});
