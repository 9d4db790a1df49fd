import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { MetadataStorage } from '@mikro-orm/core';
import { dropDatabase, ensureDatabase, migrate, ormConfig } from '@app/database';

const ML_TABLES = [
  'ml_predictions',
  'model_metadata',
  'model_feature_baselines',
  'ml_model_training_runs',
  'ml_retraining_notifications',
  'ml_alert_acknowledgments',
];

async function describeTables(url: string): Promise<{ columns: unknown[]; indexes: unknown[] }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const columns = await c.query(
      `select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
        where table_schema = 'public' and table_name = any($1) order by table_name, column_name`,
      [ML_TABLES],
    );
    const indexes = await c.query(
      `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = any($1) order by tablename, indexname`,
      [ML_TABLES],
    );
    return { columns: columns.rows, indexes: indexes.rows };
  } finally {
    await c.end();
  }
}

describe('database schema', () => {
  const url = process.env.DATABASE_URL!;
  // migrate() and MikroORM.init leave MikroORM's global metadata behind: clear it for the next file in
  // this worker, whose entity decorators will register again (MikroORM #3783).
  afterAll(() => MetadataStorage.clear());

  it('database/ml-retraining-schema.sql creates the same six ML tables as the migrations, and runs twice', async () => {
    const scratch = url.replace(/\/([^/?]+)(\?|$)/, '/$1_sqlfile$2');
    await dropDatabase(scratch);
    await ensureDatabase(scratch);
    const sql = readFileSync(path.join(__dirname, '../../database/ml-retraining-schema.sql'), 'utf8');
    const c = new Client({ connectionString: scratch });
    await c.connect();
    try {
      await c.query(sql);
      await c.query(sql);
    } finally {
      await c.end();
    }
    const fromFile = await describeTables(scratch);
    const fromMigrations = await describeTables(url);
    await dropDatabase(scratch);
    expect(fromFile.columns.length).toBeGreaterThan(60);
    expect(fromFile).toEqual(fromMigrations);
  });

  it('migrations match the entities exactly (no pending schema change)', async () => {
    const orm = await MikroORM.init(ormConfig({ databaseUrl: url, poolMax: 1 }));
    try {
      const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close(true);
      MetadataStorage.clear();
    }
  });

  it('db:migrate is harmless when run again', async () => {
    const again = await migrate(url);
    expect(again).toMatchObject({ databaseCreated: false, applied: [] });
  });

  it("runs the spec's monitoring queries verbatim", async () => {
    const spec = [
      `SELECT 
  model_type,
  training_started_at,
  training_completed_at,
  validation_accuracy,
  status
FROM ml_model_training_runs
ORDER BY training_started_at DESC
LIMIT 10;`,
      `SELECT 
  model_type,
  model_version,
  baseline_accuracy,
  deployed_at
FROM model_metadata
WHERE is_active = true;`,
      `SELECT 
  model_type,
  baseline_value,
  baseline_complexity,
  created_at
FROM model_feature_baselines
WHERE is_active = true;`,
      `SELECT 
  feedback_category,
  COUNT(*) as count,
  AVG(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END) * 100 as resolution_rate
FROM member_ai_feedback
GROUP BY feedback_category
ORDER BY count DESC;`,
    ];
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      for (const q of spec) await expect(c.query(q)).resolves.toBeDefined();
    } finally {
      await c.end();
    }
  });

  it('allows one active version per tenant and model, and one run in progress', async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy) values ('t_schema', 'timeline', 1, true, 0.8)`,
      );
      await expect(
        c.query(
          `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy) values ('t_schema', 'timeline', 2, true, 0.8)`,
        ),
      ).rejects.toThrow(/model_metadata_one_active/);
      await c.query(
        `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id) values ('t_schema', 'timeline', 'running', 'manual', 'x')`,
      );
      await expect(
        c.query(
          `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id) values ('t_schema', 'timeline', 'queued', 'manual', 'y')`,
        ),
      ).rejects.toThrow(/ml_model_training_runs_one_in_progress/);
    } finally {
      await c.end();
    }
  });
});
