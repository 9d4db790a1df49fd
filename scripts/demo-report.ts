import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

// Prints what the demo's pipelines did, from the database (the same tables the spec's monitoring
// queries read) and, with --trace, the service log lines of one pipeline.

interface Row {
  tenant_id: string;
  model_type: string;
  decision: string;
  accuracy: number | null;
  labelled_count: number;
  reasons: string[];
  correlation_id: string;
  run_status: string | null;
  run_error: string | null;
  validation_accuracy: number | null;
  validation_result: { passed: boolean; gates: { name: string; passed: boolean }[] } | null;
  active_version: number | null;
  notifications: number;
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

async function pipelines(db: Client): Promise<Row[]> {
  const { rows } = await db.query<Row>(`
    select c.tenant_id, c.model_type, c.decision, c.accuracy, c.labelled_count, c.reasons, c.correlation_id,
           r.status as run_status, r.error as run_error, r.validation_accuracy, r.validation_result,
           (select model_version from model_metadata m where m.tenant_id = c.tenant_id and m.model_type = c.model_type and m.is_active) as active_version,
           (select count(*)::int from ml_retraining_notifications n where n.correlation_id = c.correlation_id) as notifications
      from drift_checks c
      left join ml_model_training_runs r on r.correlation_id = c.correlation_id and r.status <> 'coalesced'
     where c.logical_date = (select max(logical_date) from scheduled_runs)
     order by c.tenant_id, c.model_type`);
  return rows;
}

function finished(r: Row): boolean {
  if (r.decision !== 'retrain') return true;
  if (r.run_status === 'failed') return r.notifications > 0;
  // drift.detected plus either model.deployed or the rejection (model.validated) reached the notifier.
  return r.validation_result !== null && r.notifications >= 2;
}

async function waitAndPrint(wait: number): Promise<void> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    const deadline = Date.now() + wait * 1000;
    let rows = await pipelines(db);
    while ((rows.length === 0 || !rows.every(finished)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rows = await pipelines(db);
    }
    const line = (cols: string[]) =>
      console.log(cols.map((c, i) => c.padEnd([18, 14, 18, 16, 30, 8, 6][i] ?? 10)).join(' '));
    line(['tenant', 'model', 'decision', '7-day accuracy', 'training / validation', 'active', 'alerts']);
    for (const r of rows) {
      const training =
        r.decision !== 'retrain'
          ? '-'
          : r.run_status === 'failed'
            ? `failed: ${r.run_error?.slice(0, 40) ?? ''}`
            : r.validation_result
              ? `${pct(r.validation_accuracy)} ${
                  r.validation_result.passed
                    ? 'deployed'
                    : `rejected (${r.validation_result.gates
                        .filter((g) => !g.passed)
                        .map((g) => g.name)
                        .join(',')})`
                }`
              : (r.run_status ?? 'waiting');
      line([
        r.tenant_id,
        r.model_type,
        r.decision,
        `${pct(r.accuracy)} n=${r.labelled_count}`,
        training,
        `v${r.active_version ?? '-'}`,
        String(r.notifications),
      ]);
    }
    const pending = rows.filter((r) => !finished(r)).length;
    if (pending > 0) console.log(`\n${pending} pipeline(s) had not finished after ${wait} s; see the logs.`);
    console.log(
      `\nReasons:\n${rows.map((r) => `  ${r.tenant_id} ${r.model_type}: ${r.reasons.join('; ')}`).join('\n')}`,
    );
  } finally {
    await db.end();
  }
}

async function trace(dir: string): Promise<void> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  let correlationIds: string[];
  try {
    const { rows } = await db.query<{ correlation_id: string }>(
      `(select correlation_id from ml_retraining_notifications where event_type = 'model.deployed' order by created_at desc limit 1)
       union all
       (select correlation_id from ml_retraining_notifications where event_type = 'seed.completed' order by created_at desc limit 1)`,
    );
    correlationIds = rows.map((r) => r.correlation_id);
  } finally {
    await db.end();
  }
  const lines: { time: string; service: string; msg: string; correlationId?: string; tenantId?: string }[] =
    [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    for (const l of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (!l.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(l) as (typeof lines)[number]);
      } catch {
        /* not a log record */
      }
    }
  }
  const [pipeline, seeding] = correlationIds;
  for (const id of [pipeline, seeding]) {
    if (!id) continue;
    console.log(`correlationId ${id}:`);
    // The scheduler fires all checks at once (one line, no single correlation id); show it before the pipeline.
    const wanted = lines.filter(
      (x) => x.correlationId === id || (id === pipeline && x.msg === 'daily drift check fired'),
    );
    for (const l of wanted.sort((a, b) => a.time.localeCompare(b.time))) {
      console.log(`  ${l.time.slice(11, 23)} ${l.service.padEnd(14)} ${l.tenantId ?? ''} ${l.msg}`);
    }
  }
}

const args = process.argv.slice(2);
const task = args[0] === '--trace' ? trace(args[1] ?? '.demo/logs') : waitAndPrint(Number(args[1] ?? 90));
task.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
