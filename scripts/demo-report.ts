import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { latestNotifiedCorrelation, pipelineOutcomes } from '@app/database';
import type { PipelineOutcome } from '@app/database';
import { HDR, natsConnectOptions, Topology } from '@app/messaging';
import { withDatabase } from '../apps/cli/src/database';

// Prints what the demo's pipelines did, from the database (the same tables the spec's monitoring
// queries read) and, with --trace, the service log lines of one pipeline. Exits 1 when a pipeline it
// follows ended somewhere it should not: a failed training, a dead letter, or no end before --wait.
//
//   demo-report [--wait SECONDS] [--since ISO-TIME]     follow the last scheduled run's pipelines
//   demo-report --trace LOG_DIR                          the log lines of one pipeline

/** One pipeline of the demo: a drift check and what followed it (libs/database's operator report). */
export type PipelineRow = PipelineOutcome;

/** A message a service gave up on (UE_DLQ), as its headers describe it. */
export interface DeadLetter {
  consumer: string;
  subject: string;
  code: string;
  reason: string;
  correlationId: string;
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/**
 * Has the pipeline reached its end: nothing to do, or the notifier has handled the event that ends it
 * (read from its inbox, not from how many notifications it wrote: that depends on the recipients).
 */
export function finished(r: PipelineRow): boolean {
  if (r.decision !== 'retrain') return true;
  return (r.runStatus === 'failed' || r.validation !== null) && r.notifiedEnd;
}

/** Where a pipeline that has not finished is waiting, and who should have answered. */
function stage(r: PipelineRow): string {
  if (r.runStatus === null) return 'no training run yet (trainer)';
  if (r.runStatus === 'failed') return 'training failed, not yet handled by the notifier';
  if (r.validation === null) return `training ${r.runStatus}, not validated yet (trainer, validator)`;
  return 'validated, the outcome not yet handled by the notifier';
}

/**
 * What went wrong, one line each: a failed training (with its whole reason: it may say what to install),
 * a pipeline that did not end in time, a dead-lettered message. A candidate rejected by the gates is an
 * answer, not a problem.
 */
export function pipelineProblems(rows: PipelineRow[], deadLetters: DeadLetter[], waited: number): string[] {
  const problems: string[] = [];
  if (rows.length === 0) problems.push('no drift check of the last scheduled run was recorded');
  for (const r of rows) {
    const who = `${r.tenantId} ${r.modelType}`;
    if (r.runStatus === 'failed') problems.push(`${who}: training failed: ${r.runError ?? '(no reason)'}`);
    else if (!finished(r)) problems.push(`${who}: not finished after ${waited} s: ${stage(r)}`);
  }
  for (const d of deadLetters)
    problems.push(
      // A handler's reason can carry a whole SQL statement: its start says enough, UE_DLQ keeps the rest.
      `dead letter: ${d.subject} given up by ${d.consumer} (${d.code}): ${d.reason.length > 300 ? `${d.reason.slice(0, 300)}…` : d.reason} [correlation ${d.correlationId || '-'}]`,
    );
  return problems;
}

/** The dead-letter stream's messages stored since `since` (the machine's NATS keeps older demos' too). */
async function deadLettersSince(natsUrl: string, topology: Topology, since: Date): Promise<DeadLetter[]> {
  const nc = await connect({ ...natsConnectOptions(natsUrl), name: 'demo-report' });
  try {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(topology.deadLetterStream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    const found: DeadLetter[] = [];
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
      let n = 0;
      for await (const m of batch) {
        n++;
        const h = (name: string) => m.headers?.get(name) ?? '';
        let correlationId = h(HDR.correlationId);
        if (!correlationId) {
          try {
            correlationId = String(
              (JSON.parse(m.string()) as { correlationId?: unknown }).correlationId ?? '',
            );
          } catch {
            correlationId = '(unreadable message)';
          }
        }
        found.push({
          consumer: h(HDR.dlqConsumer),
          subject: topology.unprefix(h(HDR.dlqOriginalSubject)),
          code: h(HDR.dlqCode),
          reason: h(HDR.dlqReason),
          correlationId,
        });
      }
      if (n === 0) return found;
    }
  } finally {
    await nc.close();
  }
}

function printTable(rows: PipelineRow[], out: (line: string) => void): void {
  const line = (cols: string[]) =>
    out(cols.map((c, i) => c.padEnd([18, 14, 18, 16, 30, 8, 6][i] ?? 10)).join(' '));
  line(['tenant', 'model', 'decision', '7-day accuracy', 'training / validation', 'active', 'alerts']);
  for (const r of rows) {
    const training =
      r.decision !== 'retrain'
        ? '-'
        : r.runStatus === 'failed'
          ? `failed: ${r.runError?.split('\n')[0]?.slice(0, 40) ?? ''}`
          : r.validation
            ? `${pct(r.validationAccuracy)} ${
                r.validation.passed
                  ? 'deployed'
                  : `rejected (${r.validation.gates
                      .filter((g) => !g.passed)
                      .map((g) => g.name)
                      .join(',')})`
              }`
            : (r.runStatus ?? 'waiting');
    line([
      r.tenantId,
      r.modelType,
      r.decision,
      `${pct(r.accuracy)} n=${r.labelledCount}`,
      training,
      `v${r.activeVersion ?? '-'}`,
      String(r.notifications),
    ]);
  }
}

/** Waits for the pipelines, prints them, and returns the exit code: 0 all ended as they should, 1 not. */
export async function followAndReport(opts: {
  databaseUrl: string;
  natsUrl: string;
  subjectPrefix: string;
  wait: number;
  since: Date;
  /** Default: the last scheduled run's date. */
  logicalDate?: string;
  tenantIds?: string[];
  out?: (line: string) => void;
}): Promise<0 | 1> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const query = { logicalDate: opts.logicalDate, tenantIds: opts.tenantIds };
  const rows = await withDatabase(opts.databaseUrl, async (em) => {
    const deadline = Date.now() + opts.wait * 1000;
    let found = await pipelineOutcomes(em, query);
    while ((found.length === 0 || !found.every(finished)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      found = await pipelineOutcomes(em, query);
    }
    return found;
  });
  printTable(rows, out);
  out(`\nReasons:\n${rows.map((r) => `  ${r.tenantId} ${r.modelType}: ${r.reasons.join('; ')}`).join('\n')}`);
  const deadLetters = await deadLettersSince(opts.natsUrl, new Topology(opts.subjectPrefix), opts.since);
  const problems = pipelineProblems(rows, deadLetters, opts.wait);
  if (problems.length === 0) {
    out(`\nAll ${rows.length} pipelines ended as they should (no failed training, no dead letter).`);
    return 0;
  }
  out(`\n${problems.length} problem(s):`);
  for (const p of problems) out(`  - ${p.replace(/\n/g, '\n    ')}`);
  return 1;
}

async function trace(dir: string, databaseUrl: string): Promise<void> {
  // The latest deployment's pipeline, and the latest seeding.
  const [pipeline, seeding] = await withDatabase(databaseUrl, async (em) => [
    await latestNotifiedCorrelation(em, 'model.deployed'),
    await latestNotifiedCorrelation(em, 'seed.completed'),
  ]);
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

const USAGE = 'usage: demo-report [--wait SECONDS] [--since ISO-TIME] | --trace LOG_DIR';

async function main(args: string[]): Promise<number> {
  const env = process.env;
  const databaseUrl = env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes';
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args[0] === '--trace') {
    await trace(args[1] ?? '.demo/logs', databaseUrl);
    return 0;
  }
  const wait = Number(flag('--wait') ?? 90);
  const since = new Date(flag('--since') ?? Date.now() - 3600_000);
  if (!Number.isFinite(wait) || wait < 0 || Number.isNaN(since.getTime())) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return followAndReport({
    databaseUrl,
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    subjectPrefix: env.SUBJECT_PREFIX ?? '',
    wait,
    since,
  });
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
