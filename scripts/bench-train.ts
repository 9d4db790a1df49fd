import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, FEATURE_SELECT_LIST, LABEL_SQL, migrate } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES, TRAINING_TARGETS, trainingHalfLifeDays } from '@app/domain';
import {
  EARLY_STOPPING_FORM,
  evaluateXgbModel,
  featureMatrix,
  fitCandidate,
  splitByTime,
  stoppingSplit,
  TrainingSettings,
  trainXgbModel,
} from '@app/ml';
import type { FittedCandidate, TrainingExample } from '@app/ml';
import { seedPlatform } from '../apps/seeder/src/seeding/seeding.service';

// npm run bench:train -- [--claims 150000] [--small-tenants 20]
// Seeds one tenant with about 100,000 labelled examples per model, trains each of the four models with
// this project's XGBoost trainer (same split, same features) and prints time and hold-out accuracy, with
// every round and with early stopping; then small tenants (--small-tenants of 3,000 claims) fitted as the
// trainer fits them, both ways. When /usr/bin/python3 has scikit-learn, it exports the large tenant's
// matrices to CSV and trains HistGradientBoostingClassifier / Regressor on them in the same run, for
// comparison.

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const PYTHON = `
import sys, time, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
task, path = sys.argv[1], sys.argv[2]
d = np.loadtxt(path, delimiter=',', skiprows=1)
split, y, X = d[:, 0], d[:, 1], d[:, 2:]
tr, te = split == 0, split == 1
Model = HistGradientBoostingRegressor if task == 'regression' else HistGradientBoostingClassifier
m = Model(max_iter=100, learning_rate=0.2, max_depth=6, early_stopping=False, random_state=42)
t = time.perf_counter(); m.fit(X[tr], y[tr]); secs = time.perf_counter() - t
p = m.predict(X[te])
if task == 'regression':
    acc = float(np.mean(np.abs(p - y[te]) <= np.maximum(7, 0.25 * y[te])))
else:
    acc = float(np.mean(p == y[te]))
print(f"{secs:.3f} {acc:.4f}")
`;

function sklearnAvailable(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh database `name` beside `base`'s, seeded (default scenario), and a connection to it. */
async function seededDatabase(
  base: URL,
  name: string,
  plan: { tenants: number; usersPerTenant: number; claimsPerTenant: number; seed: number; now: Date },
): Promise<{ url: string; db: Client }> {
  const u = new URL(base.toString());
  u.pathname = `/${name}`;
  const url = u.toString();
  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  await seedPlatform(
    { ...plan, scenario: 'default', reset: false },
    { databaseUrl: url, runId: randomUUID() },
  );
  const db = new Client({ connectionString: url });
  await db.connect();
  return { url, db };
}

async function main(): Promise<void> {
  const claims = arg('claims', 150_000);
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  const today = new Date(
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()),
  );
  const { url, db } = await seededDatabase(base, 'ue_bench_train', {
    tenants: 1,
    usersPerTenant: 2000,
    claimsPerTenant: claims,
    seed: 9,
    now: today,
  });
  const sk = sklearnAvailable();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ue-bench-train-'));
  const script = path.join(dir, 'hgb.py');
  writeFileSync(script, PYTHON);
  const lines: string[] = [];
  const earlyLines: string[] = [];
  let worstEarly = 0;
  let slowest = 0;
  let worstGap = 0;
  for (const modelType of MODEL_TYPES) {
    const cfg = MODEL_CONFIGS[modelType];
    const target = TRAINING_TARGETS[modelType];
    const labelSql = LABEL_SQL[modelType];
    const { rows } = await db.query<TrainingExample & Record<string, unknown>>(
      `select ${FEATURE_SELECT_LIST}, ${labelSql.target} as target, filed_at as at from claims where ${labelSql.known} order by filed_at, id`,
    );
    const examples = rows.map((r) => ({
      ...r,
      union_tenure_years: Number(r.union_tenure_years),
      at: new Date(r.at),
      label: String(r.target),
    }));
    const split = splitByTime(examples, cfg.validationSplit);
    const t0 = process.hrtime.bigint();
    const booster = await trainXgbModel(modelType, cfg.features, split.train, { rounds: 100, threads: 2 });
    const ours = Number(process.hrtime.bigint() - t0) / 1e9;
    const acc = evaluateXgbModel(modelType, booster, cfg.features, split.holdout).accuracy;
    booster.dispose();
    // The trainer's early stopping (XGB_EARLY_STOPPING_ROUNDS) on the same split: the same procedure as
    // fitCandidate, a tenth of the training examples set apart, at most 100 rounds.
    const fit = stoppingSplit(split.train, new Float32Array(split.train.length).fill(1), PATIENCE);
    const t1 = process.hrtime.bigint();
    const stopped = await trainXgbModel(modelType, cfg.features, fit.train, {
      rounds: 100,
      threads: 2,
      earlyStopping: fit.stopping,
    });
    const early = Number(process.hrtime.bigint() - t1) / 1e9;
    const earlyAcc = evaluateXgbModel(modelType, stopped, cfg.features, split.holdout).accuracy;
    const kept = stopped.training?.rounds ?? 100;
    stopped.dispose();
    earlyLines.push(
      `${modelType.padEnd(14)} 100 rounds ${ours.toFixed(2).padStart(5)} s ${(acc * 100).toFixed(2)}%   early stopping: ${String(kept).padStart(3)} rounds ${early.toFixed(2).padStart(5)} s ${(earlyAcc * 100).toFixed(2)}%   time ${((early / ours) * 100).toFixed(0)}%, accuracy ${((earlyAcc - acc) * 100).toFixed(2)} pts`,
    );
    worstEarly = Math.min(worstEarly, earlyAcc - acc);
    let line = `${modelType.padEnd(14)} ${String(examples.length).padStart(7)}  xgboost ${ours.toFixed(2).padStart(6)} s  ${(acc * 100).toFixed(2)}%`;
    if (sk) {
      // The same matrix, labels (class index or days) and split, as CSV.
      const all = [...split.train, ...split.holdout];
      const m = featureMatrix(all, cfg.features);
      const header = ['split', 'y', ...m.columns].join(',');
      const body: string[] = [];
      for (let i = 0; i < all.length; i++) {
        const y =
          target.task === 'regression'
            ? Number(all[i]!.target)
            : target.classes.indexOf(String(all[i]!.target));
        body.push(
          [
            i < split.train.length ? 0 : 1,
            y,
            ...Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
          ].join(','),
        );
      }
      const csv = path.join(dir, `${modelType}.csv`);
      writeFileSync(csv, `${header}\n${body.join('\n')}\n`);
      const [secs, skAcc] = execFileSync('/usr/bin/python3', [script, target.task, csv], { encoding: 'utf8' })
        .trim()
        .split(' ')
        .map(Number) as [number, number];
      line += `   sklearn HGB ${secs.toFixed(2).padStart(6)} s  ${(skAcc * 100).toFixed(2)}%   accuracy gap ${((acc - skAcc) * 100).toFixed(2)} pts, time ratio ${(ours / secs).toFixed(2)}x`;
      slowest = Math.max(slowest, ours / secs);
      worstGap = Math.max(worstGap, skAcc - acc);
    }
    lines.push(line);
  }
  await db.end();
  await dropDatabase(url);
  rmSync(dir, { recursive: true, force: true });
  const small = arg('small-tenants', 20);
  const smallLines = small > 0 ? await smallTenants(base, small) : [];
  console.log(
    `\nbench:train  one tenant, ${claims.toLocaleString('en-US')} seeded claims; 100 rounds, depth 6, learning rate 0.2, 2 threads; hold-out = the most recent 20% (${os.cpus().length} cores)`,
  );
  console.log(
    `model          examples  ours (XGBoost ${'1.7.4'} via koffi)        ${sk ? 'scikit-learn (same CSV)' : '(scikit-learn not installed: apt-get install -y python3-sklearn)'}`,
  );
  for (const l of lines) console.log(`  ${l}`);
  console.log(
    `\nearly stopping (patience ${PATIENCE} rounds, a tenth of the training examples set apart, the same hold-out):`,
  );
  for (const l of earlyLines) console.log(`  ${l}`);
  console.log(
    `early stopping against 100 rounds: worst accuracy change ${(worstEarly * 100).toFixed(2)} pts`,
  );
  if (smallLines.length > 0) {
    console.log(
      `\nsmall tenants (${small} x 3,000 claims), fitted with fitCandidate (recency weights, one thread): every round; the trainer's early stopping (from 2,000 examples and 100 effective stopping rows, fitted again on all under 10,000); and three forms measured and not adopted (docs/decisions.md): whatever the stopping rows' weights, also without the second fit, and from 500 examples. Mean hold-out accuracy (against every round), rounds, fitting time, artifact`,
    );
    for (const l of smallLines) console.log(`  ${l}`);
  }
  if (sk)
    console.log(
      `target: accuracy within 1 point of scikit-learn (worst: ours ${worstGap > 0 ? `${(worstGap * 100).toFixed(2)} pts below` : 'never below'}), time at most 2x (worst: ${slowest.toFixed(2)}x)`,
    );
}

const PATIENCE = new TrainingSettings().XGB_EARLY_STOPPING_ROUNDS;
/**
 * The forms measured before the trainer's and not adopted (docs/decisions.md): without the guard on the
 * stopping rows' effective number; also without the second fit; and from 500 examples.
 */
const UNGUARDED = { ...EARLY_STOPPING_FORM, minEffectiveRows: 0 };
const NO_REFIT = { ...UNGUARDED, refitBelow: 0 };
const FROM_500 = { ...UNGUARDED, minExamples: 500 };

/**
 * Small tenants (3,000 claims each, about 1,000-2,700 examples a model): fitCandidate as the trainer calls
 * it with every round (XGB_EARLY_STOPPING_ROUNDS=0), with the trainer's early stopping, and with the
 * forms that were not adopted (UNGUARDED, NO_REFIT, FROM_500), on the same examples. Prints each model's mean hold-out accuracy, rounds, fitting time
 * and artifact size.
 */
async function smallTenants(base: URL, tenants: number): Promise<string[]> {
  const asOf = new Date(Date.UTC(2026, 10, 26));
  const { url, db } = await seededDatabase(base, 'ue_bench_train_small', {
    tenants,
    usersPerTenant: 300,
    claimsPerTenant: 3000,
    seed: 6,
    now: asOf,
  });
  type Sum = {
    fits: number;
    examples: number;
    accuracy: number;
    rounds: number;
    seconds: number;
    bytes: number;
  };
  const sums = new Map<string, Sum>();
  const add = (key: string, examples: number, f: FittedCandidate) => {
    const s = sums.get(key) ?? { fits: 0, examples: 0, accuracy: 0, rounds: 0, seconds: 0, bytes: 0 };
    s.fits += 1;
    s.examples += examples;
    s.accuracy += f.holdoutAccuracy;
    s.rounds += Number(f.metrics.rounds);
    s.seconds += Number(f.metrics.trainingSeconds);
    s.bytes += f.content.length;
    sums.set(key, s);
  };
  try {
    const ids = (await db.query<{ id: string }>('select id from tenants order by id')).rows.map((r) => r.id);
    for (const tenantId of ids)
      for (const modelType of MODEL_TYPES) {
        const l = LABEL_SQL[modelType];
        const { rows } = await db.query<TrainingExample & Record<string, unknown>>(
          `select ${FEATURE_SELECT_LIST}, ${l.target} as target, filed_at as at
             from claims where tenant_id = $1 and ${l.known} order by filed_at, id`,
          [tenantId],
        );
        const examples = rows.map((r) => ({
          ...r,
          union_tenure_years: Number(r.union_tenure_years),
          at: new Date(r.at),
        }));
        if (examples.length < MODEL_CONFIGS[modelType].minTrainingSamples) continue;
        const job = {
          tenantId,
          modelType,
          rounds: 100,
          threads: 1,
          asOf,
          halfLifeDays: trainingHalfLifeDays(modelType),
        };
        for (const [form, settings] of [
          ['every', { earlyStoppingRounds: 0 }],
          ['trainer', { earlyStoppingRounds: PATIENCE }],
          ['unguarded', { earlyStoppingRounds: PATIENCE, earlyStoppingForm: UNGUARDED }],
          ['norefit', { earlyStoppingRounds: PATIENCE, earlyStoppingForm: NO_REFIT }],
          ['from500', { earlyStoppingRounds: PATIENCE, earlyStoppingForm: FROM_500 }],
        ] as const)
          add(`${modelType}:${form}`, examples.length, await fitCandidate(examples, { ...job, ...settings }));
      }
  } finally {
    await db.end();
    await dropDatabase(url);
  }
  const lines: string[] = [];
  for (const modelType of MODEL_TYPES) {
    const all = sums.get(`${modelType}:every`);
    const trainer = sums.get(`${modelType}:trainer`);
    const unguarded = sums.get(`${modelType}:unguarded`);
    const norefit = sums.get(`${modelType}:norefit`);
    const from500 = sums.get(`${modelType}:from500`);
    if (!all || !trainer || !unguarded || !norefit || !from500) continue;
    const f = (s: Sum) =>
      `${((s.accuracy / s.fits) * 100).toFixed(2)}% (${(((s.accuracy - all.accuracy) / all.fits) * 100).toFixed(2)} pts), ${(s.rounds / s.fits).toFixed(0).padStart(3)} rounds, ${((s.seconds / s.fits) * 1000).toFixed(0).padStart(4)} ms, ${(s.bytes / s.fits / 1024).toFixed(0).padStart(4)} KiB`;
    lines.push(
      `${modelType.padEnd(14)} ${String(all.fits).padStart(3)} fits of ${Math.round(all.examples / all.fits)} examples on average`,
    );
    lines.push(`  every round              ${f(all)}`);
    lines.push(`  the trainer's            ${f(trainer)}`);
    lines.push(`  any weights              ${f(unguarded)}`);
    lines.push(`  any weights, no refit    ${f(norefit)}`);
    lines.push(`  any weights, from 500    ${f(from500)}`);
  }
  return lines;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
