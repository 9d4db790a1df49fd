import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { FEATURE_SELECT_LIST } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { Booster, calibrationOf, predictXgbModel, rightProbability } from '@app/ml';
import type { ClaimFeatures } from '@app/ml';
import { LeaseSweeper } from '../../apps/trainer/src/lease-sweeper';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { Harness, seedTestDatabase } from './support/harness';
import { pollUntil } from './support/poll';
import { retrainTrigger } from './support/retrain';

// The trainer on real Postgres and NATS with seeded data (no drift): XGBoost candidates, artifacts,
// baselines, and the life of a run.
describe('trainer', () => {
  const h = new Harness();
  const tenantId = 'tenant_51_0';
  let trainer: Awaited<ReturnType<Harness['startService']>>;

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '51', '--tenants', '1', '--claims', '5000']);
    trainer = await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), {
      LEASE_SWEEP_SECONDS: '3600',
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  type Run = {
    id: string;
    status: string;
    candidate_version: number | null;
    validation_accuracy: number | null;
    training_samples: number;
    validation_samples: number;
    split: { cutoff: string; train: number; holdout: number };
    error: string | null;
  };
  const runOf = (correlationId: string) =>
    h.query<Run>(
      `select id, status, candidate_version, validation_accuracy, training_samples, validation_samples, split, error from ml_model_training_runs where correlation_id = $1 order by created_at`,
      [correlationId],
    );
  const retrain = async (modelType: ModelType, id?: string, logicalDate?: string) => {
    const e = retrainTrigger(tenantId, modelType, 'test', id, logicalDate);
    await h.publish(e);
    return e;
  };
  const finished = (correlationId: string) =>
    pollUntil(
      async () => {
        const rows = await runOf(correlationId);
        return rows.length > 0 &&
          rows.every((r) => r.status === 'completed' || r.status === 'failed' || r.status === 'coalesced')
          ? rows
          : false;
      },
      { what: 'the run to finish', timeoutMs: 60_000 },
    );

  it('trains each model with XGBoost to its accuracy threshold on a time-based hold-out', async () => {
    const stoppedEarly: ModelType[] = [];
    for (const modelType of MODEL_TYPES) {
      const e = await retrain(modelType);
      const [run] = await finished(e.correlationId);
      process.stdout.write(
        `trained ${modelType}: hold-out accuracy ${(run!.validation_accuracy! * 100).toFixed(1)}% (${run!.training_samples} train / ${run!.validation_samples} hold-out)\n`,
      );
      expect(run).toMatchObject({ status: 'completed', candidate_version: 2, error: null });
      // Completed after it started (the completion time is the clock's, not the transaction's start).
      const [times] = await h.query<{ ok: boolean }>(
        `select training_completed_at > training_started_at as ok from ml_model_training_runs where correlation_id = $1`,
        [e.correlationId],
      );
      expect(times).toEqual({ ok: true });
      expect(run!.validation_accuracy).toBeGreaterThanOrEqual(MODEL_CONFIGS[modelType].accuracyThreshold);
      // The hold-out is 20% of the examples, every other one of the most recent 40% (from the cut-off on).
      expect(run!.validation_samples).toBe(
        Math.round((run!.training_samples + run!.validation_samples) * 0.2),
      );
      const [latestTrain] = await h.query<{ n: number }>(
        `select count(*)::int as n from claims where tenant_id = $1 and filed_at >= $2`,
        [tenantId, run!.split.cutoff],
      );
      expect(latestTrain!.n).toBeGreaterThanOrEqual(run!.validation_samples);
      const published = await pollUntil(
        async () =>
          (
            await h.query<{ envelope: { payload: { candidateVersion: number; artifactId: string } } }>(
              `select envelope from outbox where subject = 'model.trained' and envelope->>'correlationId' = $1`,
              [e.correlationId],
            )
          )[0],
      );
      expect(published.envelope.payload.candidateVersion).toBe(2);
      // Early stopping: with 2,000 examples or more (and 100 effective stopping rows under the recency
      // weights), a tenth of the training examples decided the rounds and, under 10,000, the model was
      // fitted again on all of them; the artifact holds the rounds recorded.
      const [stored] = await h.query<{
        content: Buffer;
        metrics: {
          rounds: number;
          earlyStopping: {
            patience: number;
            maxRounds: number;
            roundsRun: number;
            examples: number;
            refit: boolean;
          } | null;
        };
      }>(
        `select a.content, r.metrics
           from model_artifacts a join ml_model_training_runs r
             on r.tenant_id = a.tenant_id and r.model_type = a.model_type and r.candidate_version = a.model_version
          where r.correlation_id = $1`,
        [e.correlationId],
      );
      const { rounds, earlyStopping } = stored!.metrics;
      if (earlyStopping) {
        stoppedEarly.push(modelType);
        expect(run!.training_samples).toBeGreaterThanOrEqual(2000);
        expect(earlyStopping).toMatchObject({
          patience: 10,
          maxRounds: 100,
          refit: run!.training_samples < 10_000,
          examples: Math.ceil(run!.training_samples / 10),
        });
        expect(rounds).toBeLessThanOrEqual(100);
        // It stopped `patience` rounds after the kept one, or ran them all.
        expect([rounds + 10, 100]).toContain(earlyStopping.roundsRun);
      } else {
        expect(rounds).toBe(100);
      }
      const booster = Booster.load(stored!.content);
      try {
        expect(booster.boostedRounds()).toBe(rounds);
      } finally {
        booster.dispose();
      }
    }
    // The tenant's 5,000 claims give about 2,700 examples for three of the models: those stop early.
    expect(stoppedEarly.length).toBeGreaterThan(0);
  });

  it("saves each version's calibration inside its artifact: read back, it gives the hold-out's accuracy", async () => {
    for (const modelType of MODEL_TYPES) {
      const [row] = await h.query<{
        content: Buffer;
        validation_accuracy: number;
        metrics: { calibration: { kind: string; n: number; expectedAccuracy: number } };
      }>(
        `select a.content, r.validation_accuracy, r.metrics
           from model_artifacts a join ml_model_training_runs r
             on r.tenant_id = a.tenant_id and r.model_type = a.model_type and r.candidate_version = a.model_version
          where a.tenant_id = $1 and a.model_type = $2 and a.model_version = 2`,
        [tenantId, modelType],
      );
      const booster = Booster.load(row!.content);
      try {
        const calibration = calibrationOf(booster);
        const kind = modelType === 'timeline' ? 'timeline_errors' : 'isotonic';
        expect(calibration?.kind).toBe(kind);
        expect(row!.metrics.calibration).toMatchObject({ kind });
        // Isotonic regression keeps the mean: over the hold-out it fitted, the mean probability of a right
        // answer is the hold-out's accuracy. The timeline's error quantiles give it within a few points.
        const tolerance = kind === 'isotonic' ? 1e-6 : 0.05;
        expect(Math.abs(row!.metrics.calibration.expectedAccuracy - row!.validation_accuracy)).toBeLessThan(
          tolerance,
        );
        if (calibration?.kind === 'isotonic') {
          // Monotone: a more confident answer is never less likely right.
          const ps = [0.3, 0.5, 0.7, 0.9, 0.99].map((p) =>
            rightProbability(calibration, { value: 'x', probability: p }),
          );
          expect([...ps].sort((a, b) => a - b)).toEqual(ps);
        }
      } finally {
        booster.dispose();
      }
    }
  });

  it('stores a checksummed XGBoost UBJ artifact that loads back to the same predictions, and the candidate baselines', async () => {
    const [artifact] = await h.query<{ format: string; checksum: string; content: Buffer }>(
      `select format, checksum, content from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version = 2`,
      [tenantId],
    );
    expect(artifact!.format).toBe('xgboost-ubj/1.7');
    expect(createHash('sha256').update(artifact!.content).digest('hex')).toBe(artifact!.checksum);
    // What the binary holds, read back through XGBoost's JSON of the loaded model.
    const reread = Booster.load(artifact!.content);
    const json = JSON.parse(reread.save('json').toString('utf8')) as {
      learner: { attributes: Record<string, string>; objective: { name: string } };
    };
    reread.dispose();
    expect(json.learner.objective.name).toBe('multi:softprob');
    expect(JSON.parse(json.learner.attributes.ue_classes!)).toEqual(['won', 'settled', 'lost', 'withdrawn']);
    const rows = await h.query<ClaimFeatures & Record<string, unknown>>(
      `select ${FEATURE_SELECT_LIST} from claims where tenant_id = $1 limit 200`,
      [tenantId],
    );
    const features = MODEL_CONFIGS.claim_outcome.features;
    const a = Booster.load(artifact!.content);
    const b = Booster.load(Buffer.from(artifact!.content));
    try {
      const pa = predictXgbModel(
        'claim_outcome',
        a,
        features,
        rows.map((r) => ({ ...r, union_tenure_years: Number(r.union_tenure_years) })),
      );
      expect(
        predictXgbModel(
          'claim_outcome',
          b,
          features,
          rows.map((r) => ({ ...r, union_tenure_years: Number(r.union_tenure_years) })),
        ),
      ).toEqual(pa);
    } finally {
      a.dispose();
      b.dispose();
    }
    // The candidate's baselines travel with its artifact; the validator copies them when it deploys it.
    const [stored] = await h.query<{ feature_baselines: { featureName: string; sampleSize: number }[] }>(
      `select feature_baselines from model_artifacts where tenant_id = $1 and model_type = 'claim_outcome' and model_version = 2`,
      [tenantId],
    );
    expect(stored!.feature_baselines.map((x) => x.featureName).sort()).toEqual(
      [...MODEL_CONFIGS.claim_outcome.features].sort(),
    );
    expect(stored!.feature_baselines.every((x) => x.sampleSize > 0)).toBe(true);
  });

  it('is deterministic: the same data gives the same model, byte for byte', async () => {
    const e = await retrain('churn_risk');
    const [run] = await finished(e.correlationId);
    expect(run!.candidate_version).toBe(3);
    const sums = await h.query<{ model_version: number; checksum: string }>(
      `select model_version, checksum from model_artifacts where tenant_id = $1 and model_type = 'churn_risk' and model_version > 1 order by model_version`,
      [tenantId],
    );
    expect(sums).toHaveLength(2);
    expect(sums[0]!.checksum).toBe(sums[1]!.checksum);
  });

  it('coalesces a trigger that arrives while a run is in progress', async () => {
    await h.query(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id, lease_expires_at) values ($1, 'timeline', 'running', 'drift', 'other', now() + interval '1 hour')`,
      [tenantId],
    );
    const e = await retrain('timeline');
    const [run] = await finished(e.correlationId);
    expect(run).toMatchObject({ status: 'coalesced', error: 'another run was in progress' });
    await h.query(`delete from ml_model_training_runs where correlation_id = 'other'`);
  });

  it('takes over its own run when the trigger is redelivered after a crash', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    // What a killed trainer leaves behind: a running run for this very event, lease still valid.
    await h.query(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, lease_expires_at) values ($1, 'assignment', 'running', 'manual', $2::uuid, $2::text, now() + interval '1 hour')`,
      [tenantId, id],
    );
    await retrain('assignment', id);
    const runs = await finished(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('completed');
  });

  it('fails a run whose heartbeats stopped once its lease expires, and says so', async () => {
    const [dead] = await h.query<{ id: string }>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id, heartbeat_at, lease_expires_at)
       values ($1, 'claim_outcome', 'running', 'drift', 'killed-run', now() - interval '10 minutes', now() - interval '8 minutes') returning id`,
      [tenantId],
    );
    expect(await trainer.app.get(LeaseSweeper).sweep()).toBe(1);
    const [run] = await h.query<{ status: string; error: string }>(
      `select status, error from ml_model_training_runs where id = $1`,
      [dead!.id],
    );
    expect(run!.status).toBe('failed');
    expect(run!.error).toMatch(
      /^abandoned: no heartbeat since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(lease expired\)$/,
    );
    const [event] = await h.rowsUntil<{ payload: { code: string; runId: string } }>(
      `select envelope->'payload' as payload from outbox where subject = 'training.failed' and envelope->>'correlationId' = 'killed-run'`,
    );
    expect(event!.payload).toMatchObject({ code: 'LEASE_EXPIRED', runId: dead!.id });
    expect(await trainer.app.get(LeaseSweeper).sweep()).toBe(0);
  });

  it("trains as of the end of the check's logical date: a claim resolved after it is not an example", async () => {
    // 60 days before the end of the seeded history: many claims filed before then were resolved since.
    const logicalDate = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    const asOf = `${logicalDate}T23:59:59.999Z`;
    const e = await retrain('timeline', undefined, logicalDate);
    const [run] = await finished(e.correlationId);
    expect(run).toMatchObject({ status: 'completed', error: null });
    const [recorded] = await h.query<{ as_of: Date; split: { asOf: string; cutoff: string } }>(
      `select as_of, split from ml_model_training_runs where id = $1`,
      [run!.id],
    );
    expect(recorded!.as_of.toISOString()).toBe(asOf);
    expect(recorded!.split.asOf).toBe(asOf);
    expect(Date.parse(recorded!.split.cutoff)).toBeLessThanOrEqual(Date.parse(asOf));
    // The examples: claims of the 12 months before it whose resolution was known by then, and no other.
    const [counts] = await h.query<{ then: number; since: number }>(
      `select count(*) filter (where resolved_at <= $2)::int as then, count(*) filter (where resolved_at > $2)::int as since
         from claims where tenant_id = $1 and resolution_days is not null
          and filed_at >= $2::timestamptz - interval '12 months' and filed_at <= $2`,
      [tenantId, asOf],
    );
    expect(counts!.since).toBeGreaterThan(0);
    expect(run!.training_samples + run!.validation_samples).toBe(counts!.then);
  });
});
