import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, FEATURE_SELECT_LIST, LABEL_SQL, migrate } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES, TRAINING_TARGETS } from '@app/domain';
import {
  evaluateXgbModel,
  featureMatrix,
  splitByTime,
  stoppingSplit,
  TrainingSettings,
  trainXgbModel,
} from '@app/ml';
import type { TrainingExample } from '@app/ml';
import { seedPlatform } from '../apps/seeder/src/seeding/seeding.service';

// npm run bench:train -- [--claims 150000]
// Seeds one tenant with about 100,000 labelled examples per model, trains each of the four models with
// this project's XGBoost trainer (same split, same features) and prints time and hold-out accuracy. When
// /usr/bin/python3 has scikit-learn, it exports the same matrices to CSV and trains
// HistGradientBoostingClassifier / Regressor on them in the same run, for comparison.

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

async function main(): Promise<void> {
  const claims = arg('claims', 150_000);
  const base = new URL(
    process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes',
  );
  base.pathname = '/ue_bench_train';
  const url = base.toString();
  await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  const today = new Date(
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()),
  );
  await seedPlatform(
    {
      tenants: 1,
      usersPerTenant: 2000,
      claimsPerTenant: claims,
      seed: 9,
      scenario: 'default',
      reset: false,
      now: today,
    },
    { databaseUrl: url, runId: randomUUID() },
  );
  const db = new Client({ connectionString: url });
  await db.connect();
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
  if (sk)
    console.log(
      `target: accuracy within 1 point of scikit-learn (worst: ours ${worstGap > 0 ? `${(worstGap * 100).toFixed(2)} pts below` : 'never below'}), time at most 2x (worst: ${slowest.toFixed(2)}x)`,
    );
}

const PATIENCE = new TrainingSettings().XGB_EARLY_STOPPING_ROUNDS;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
