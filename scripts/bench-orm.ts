import os from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  dropDatabase,
  ensureDatabase,
  migrate,
  ModelFeatureBaseline,
  ModelMetadata,
  ModelValidation,
  ormConfig,
} from '@app/database';

// npm run bench:orm -- [--statements N]
// What one ordinary statement costs the calling service in CPU when it goes through MikroORM (entities,
// QueryBuilder) against the same SQL sent as a string: issue 15 moved the services' ordinary reads and
// writes onto the ORM, and bench:pipeline's services' CPU went up by about this much per statement. The
// statements are the validator's per-deployment ones, against an empty registry in a private database,
// so the database's own work is next to nothing and what is left is the client's.

const i = process.argv.indexOf('--statements');
const N = i > 0 ? Number(process.argv[i + 1]) : 3000;
if (!Number.isInteger(N) || N < 100) {
  process.stderr.write('usage: bench:orm [--statements N] (N >= 100)\n');
  process.exit(2);
}

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/union_eyes';
const url = base.replace(/\/[^/?]*(\?|$)/, '/ue_bench_orm$1');
const model = { tenantId: 'tenant_bench', modelType: 'claim_outcome' } as const;
const runId = '00000000-0000-4000-8000-000000000000';

interface Pair {
  label: string;
  orm: (em: EntityManager) => Promise<unknown>;
  sql: (em: EntityManager) => Promise<unknown>;
}

const pairs: Pair[] = [
  {
    label: 'read the active version (findOne, 3 fields)',
    orm: (em) =>
      em.findOne(
        ModelMetadata,
        { ...model, isActive: true },
        { fields: ['modelVersion', 'baselineAccuracy', 'artifactId'], disableIdentityMap: true },
      ),
    sql: (em) =>
      em
        .getConnection()
        .execute(
          'select model_version, baseline_accuracy, artifact_id from model_metadata where tenant_id = ? and model_type = ? and is_active limit 1',
          [model.tenantId, model.modelType],
        ),
  },
  {
    label: 'is this run validated (count)',
    orm: (em) => em.count(ModelValidation, { trainingRunId: runId }),
    sql: (em) =>
      em.getConnection().execute('select count(*) from model_validations where training_run_id = ?', [runId]),
  },
  {
    label: 'deactivate the active version (nativeUpdate)',
    orm: (em) => em.nativeUpdate(ModelMetadata, { ...model, isActive: true }, { isActive: false }),
    sql: (em) =>
      em
        .getConnection()
        .execute(
          'update model_metadata set is_active = false where tenant_id = ? and model_type = ? and is_active',
          [model.tenantId, model.modelType],
        ),
  },
  {
    label: 'switch baselines on (nativeUpdate)',
    orm: (em) => em.nativeUpdate(ModelFeatureBaseline, { ...model, modelVersion: 7 }, { isActive: true }),
    sql: (em) =>
      em
        .getConnection()
        .execute(
          'update model_feature_baselines set is_active = true where tenant_id = ? and model_type = ? and model_version = ?',
          [model.tenantId, model.modelType, 7],
        ),
  },
];

/** CPU (user + system) of this process per statement, and wall time, after a warm-up. */
async function measure(f: () => Promise<unknown>): Promise<{ cpuUs: number; wallUs: number }> {
  for (let k = 0; k < 200; k++) await f();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) await f();
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / N, wallUs: Number(process.hrtime.bigint() - t0) / 1000 / N };
}

async function main(): Promise<void> {
  await ensureDatabase(url);
  await migrate(url);
  const orm = await MikroORM.init(ormConfig({ databaseUrl: url, poolMax: 1 }));
  try {
    const em = orm.em.fork();
    console.log(
      `bench:orm  ${N.toLocaleString('en-US')} statements of each kind, one connection; ${os.cpus().length} cores, Node ${process.version}`,
    );
    console.log(
      `  ${'statement'.padEnd(46)} ${'ORM CPU'.padStart(9)} ${'SQL CPU'.padStart(9)} ${'extra'.padStart(9)}`,
    );
    let extra = 0;
    for (const p of pairs) {
      const viaOrm = await measure(() => p.orm(em));
      const viaSql = await measure(() => p.sql(em));
      const d = viaOrm.cpuUs - viaSql.cpuUs;
      extra += d;
      const us = (v: number) => `${v.toFixed(0)} µs`.padStart(9);
      console.log(`  ${p.label.padEnd(46)} ${us(viaOrm.cpuUs)} ${us(viaSql.cpuUs)} ${us(d)}`);
    }
    console.log(
      `ORM's extra CPU per statement, mean of ${pairs.length} kinds: ${(extra / pairs.length).toFixed(0)} µs`,
    );
  } finally {
    await orm.close();
    await dropDatabase(url);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
