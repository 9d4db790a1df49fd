import type { Envelope } from '@app/contracts';
import { HDR } from '@app/messaging';
import type { Harness } from '../../integration/support/harness';
import { pollUntil } from '../../integration/support/poll';

/** A dead letter a case expects (a poison message, a message out of deliveries). */
export interface ExpectedDeadLetter {
  eventId: string;
  consumer: string;
  code: string;
}

export interface InvariantScope {
  /** Tenants whose database state is checked (active versions, runs, deployments, notifications). */
  tenants: readonly string[];
  /** Outbox rows written since then are this file's (test files run one after the other). */
  since: Date;
  /** Exactly these dead letters, and no other. */
  deadLetters?: readonly ExpectedDeadLetter[];
  /** How long the system may take to settle (every consumer caught up, outbox drained, nothing pending). */
  settleMs?: number;
}

/** One message of the file's event stream. */
export interface StreamEvent {
  seq: number;
  subject: string;
  envelope: Envelope | null;
}

interface DeadLetter {
  consumer: string;
  code: string;
  streamSeq: number;
  eventId: string | null;
}

interface ConsumerState {
  durable: string;
  subject: string;
  /** Why it has not caught up with its subject's messages, if it has not. */
  behind: string | null;
}

export interface InvariantReport {
  events: StreamEvent[];
  /** How many messages of the stream carry each envelope id. */
  copies: Map<string, number>;
}

function parse(data: Uint8Array): Envelope | null {
  try {
    const v = JSON.parse(Buffer.from(data).toString('utf8')) as Envelope;
    return typeof v?.id === 'string' ? v : null;
  } catch {
    return null;
  }
}

async function streamMessages(h: Harness, stream: string) {
  const info = await h.jsm.streams.info(stream);
  const out = [];
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const m = await h.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m) out.push(m);
  }
  return out;
}

async function consumers(h: Harness): Promise<ConsumerState[]> {
  const stream = h.topology.eventsStream;
  const out: ConsumerState[] = [];
  for await (const c of h.jsm.consumers.list(stream)) {
    const filter = c.config.filter_subject ?? '';
    // Caught up: it has been given the last message of its subject (the stream's own state, exact at
    // once, unlike num_pending) and holds nothing unacknowledged (naked retries included).
    const last = await h.jsm.streams
      .getMessage(stream, { last_by_subj: filter })
      .then((m) => m?.seq ?? 0)
      .catch(() => 0);
    const behind =
      c.delivered.stream_seq < last
        ? `delivered up to #${c.delivered.stream_seq} of #${last}`
        : c.num_ack_pending > 0
          ? `${c.num_ack_pending} unacknowledged`
          : null;
    out.push({ durable: c.config.durable_name ?? c.name, subject: h.topology.unprefix(filter), behind });
  }
  return out;
}

/** Rows of `sql` (which selects one `problem` text column each) as problem lines. */
async function problems(h: Harness, sql: string, params: unknown[]): Promise<string[]> {
  return (await h.query<{ problem: string }>(sql, params)).map((r) => r.problem);
}

/**
 * Waits until the system has settled, then checks what must hold after any fault:
 * - no event lost: every message of the file's stream was handled by every durable consumer of its
 *   subject (a `processed_events` row) or dead-lettered by it, and the dead letters are exactly the
 *   expected ones; every outbox row of the file was published; what the handlers were for exists
 *   (runs for triggers, validations for candidates, deployments for passed candidates, notifications);
 * - nothing done twice: each outbox row is in the stream once (Nats-Msg-Id), one inbox row per
 *   (consumer, event), one training run per trigger event, one deployment per run, one model.trained
 *   or training.failed per run, one notification per (event, channel, recipient) or an item of the daily
 *   digest;
 * - exactly one active version per tenant and model;
 * - no training run left queued or running.
 * Returns the stream's messages for the case's own assertions.
 */
export async function checkInvariants(h: Harness, scope: InvariantScope): Promise<InvariantReport> {
  const tenants = [...scope.tenants];
  // Settled: every consumer caught up, the outbox drained, no notification waiting for another attempt,
  // and nothing moved since the previous look (a handler may commit between two reads of one look).
  let previous = '';
  await pollUntil(
    async () => {
      const busy = (await consumers(h)).filter((c) => c.behind).map((c) => `${c.durable}: ${c.behind}`);
      const [db] = await h.query<{ unpublished: number; pending: number; moved: string }>(
        `select (select count(*)::int from outbox where created_at >= $1 and published_at is null) as unpublished,
                (select count(*)::int from ml_retraining_notifications where tenant_id = any($2) and status = 'pending') as pending,
                (select count(*) from outbox where created_at >= $1) || '/' || (select count(*) from processed_events where processed_at >= $1)
                  || '/' || (select count(*) from ml_retraining_notifications where tenant_id = any($2) and status <> 'pending') as moved`,
        [scope.since, tenants],
      );
      if (db!.unpublished > 0) busy.push(`${db!.unpublished} unpublished outbox rows`);
      if (db!.pending > 0) busy.push(`${db!.pending} pending notifications`);
      const seqs = await Promise.all(
        [h.topology.eventsStream, h.topology.deadLetterStream].map(
          async (s) => (await h.jsm.streams.info(s)).state.last_seq,
        ),
      );
      const now = `${seqs.join('/')}/${db!.moved}`;
      const still = now === previous;
      previous = now;
      // Thrown, not returned: pollUntil keeps the last error as the reason when it times out.
      if (busy.length > 0) throw new Error(busy.join('; '));
      return still;
    },
    { what: 'the system to settle', timeoutMs: scope.settleMs ?? 60_000, intervalMs: 250 },
  );

  const found: string[] = [];
  const events: StreamEvent[] = (await streamMessages(h, h.topology.eventsStream)).map((m) => ({
    seq: m.seq,
    subject: h.topology.unprefix(m.subject),
    envelope: parse(m.data),
  }));
  const copies = new Map<string, number>();
  for (const e of events) if (e.envelope) copies.set(e.envelope.id, (copies.get(e.envelope.id) ?? 0) + 1);

  const deadLetters: DeadLetter[] = (await streamMessages(h, h.topology.deadLetterStream)).map((m) => ({
    consumer: m.header.get(HDR.dlqConsumer),
    code: m.header.get(HDR.dlqCode),
    streamSeq: Number(m.header.get(HDR.dlqStreamSeq)),
    eventId: parse(m.data)?.id ?? null,
  }));
  const key = (d: { consumer: string; code: string; eventId: string | null }) =>
    `${d.consumer} ${d.code} ${d.eventId ?? 'unparseable'}`;
  const expected = (scope.deadLetters ?? []).map(key).sort();
  const actual = deadLetters.map(key).sort();
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    found.push(`dead letters ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);

  // No event lost, none handled twice: every (consumer, message) pair is in the inbox once, or dead-lettered.
  const ids = [...copies.keys()];
  const inbox = await h.query<{ consumer: string; event_id: string; n: number }>(
    `select consumer, event_id::text, count(*)::int as n from processed_events where event_id = any($1::uuid[]) group by 1, 2`,
    [ids],
  );
  const handled = new Map(inbox.map((r) => [`${r.consumer} ${r.event_id}`, r.n]));
  for (const c of await consumers(h)) {
    for (const e of events.filter((x) => x.subject === c.subject)) {
      const n = e.envelope ? (handled.get(`${c.durable} ${e.envelope.id}`) ?? 0) : 0;
      const parked = deadLetters.some((d) => d.consumer === c.durable && d.streamSeq === e.seq);
      if (n > 1) found.push(`${c.durable} recorded ${e.envelope!.id} ${n} times`);
      if (n === 0 && !parked)
        found.push(
          `${c.durable} neither handled nor dead-lettered ${e.subject} #${e.seq} (${e.envelope?.id})`,
        );
    }
  }

  // The outbox: every row of the file published, and in the stream exactly once.
  const outbox = await h.query<{ id: string; subject: string; published: boolean }>(
    `select id::text, subject, published_at is not null as published from outbox where created_at >= $1`,
    [scope.since],
  );
  for (const row of outbox) {
    if (!row.published) found.push(`outbox ${row.subject} ${row.id} never published`);
    const n = copies.get(row.id) ?? 0;
    if (n !== 1) found.push(`outbox ${row.subject} ${row.id} is in the stream ${n} times`);
  }

  const byType = (type: string) => events.filter((e) => e.envelope?.type === type).map((e) => e.envelope!);
  const handledBy = (consumer: string, e: Envelope) => handled.has(`${consumer} ${e.id}`);

  // What the handlers were for exists.
  const triggers = byType('drift.detected').filter((e) => handledBy('trainer__drift_detected', e));
  found.push(
    ...(await problems(
      h,
      `select 'no training run for trigger ' || t as problem from unnest($1::uuid[]) t
        where not exists (select 1 from ml_model_training_runs r where r.trigger_event_id = t)`,
      [triggers.map((e) => e.id)],
    )),
  );
  const candidates = byType('model.trained').filter((e) => handledBy('validator__model_trained', e));
  found.push(
    ...(await problems(
      h,
      `select 'run ' || r.id || ' was never validated' as problem from ml_model_training_runs r
        where r.id = any($1::uuid[]) and not exists (select 1 from model_validations v where v.training_run_id = r.id)`,
      [candidates.map((e) => (e as Envelope<'model.trained'>).payload.runId)],
    )),
  );
  const passed = byType('model.validated')
    .map((e) => e as Envelope<'model.validated'>)
    .filter((e) => e.payload.passed);
  found.push(
    ...(await problems(
      h,
      `select 'passed run ' || t || ' was never deployed' as problem from unnest($1::uuid[]) t
        where not exists (select 1 from model_deployments d where d.training_run_id = t)`,
      [passed.map((e) => e.payload.runId)],
    )),
  );
  const told = [
    ...byType('drift.detected'),
    ...byType('model.deployed'),
    ...byType('training.failed'),
    ...byType('model.validated').filter((e) => !(e as Envelope<'model.validated'>).payload.passed),
  ].filter((e) => handledBy(`notifier__${e.type.replace(/\./g, '_')}`, e));
  // Told: a message of its own, or an item of the tenant's daily digest (sent, or waiting for its day); an
  // episode's drift.detected is listed by its check's item (same correlation id).
  found.push(
    ...(await problems(
      h,
      `select 'nobody was told about ' || t.id as problem from unnest($1::uuid[], $2::text[]) as t(id, correlation_id)
        where not exists (select 1 from ml_retraining_notifications n where n.event_id = t.id)
          and not exists (select 1 from alert_items i where i.event_id = t.id)
          and not exists (select 1 from alert_items i where i.correlation_id = t.correlation_id
                            and i.kind in ('episode_opened', 'retrain_requested'))`,
      [told.map((e) => e.id), told.map((e) => e.correlationId)],
    )),
  );

  // The tenants' state: one active version, nothing stuck, nothing twice.
  found.push(
    ...(await problems(
      h,
      `select tenant_id || '/' || model_type || ' has ' || count(*) filter (where is_active) || ' active versions' as problem
         from model_metadata where tenant_id = any($1) group by tenant_id, model_type having count(*) filter (where is_active) <> 1
       union all
       select 'run ' || id || ' is still ' || status from ml_model_training_runs where tenant_id = any($1) and status in ('queued', 'running')
       union all
       select 'trigger ' || trigger_event_id || ' has ' || count(*) || ' training runs' from ml_model_training_runs
        where tenant_id = any($1) and trigger_event_id is not null group by trigger_event_id having count(*) > 1
       union all
       select 'run ' || training_run_id || ' was deployed ' || count(*) || ' times' from model_deployments
        where tenant_id = any($1) and training_run_id is not null group by training_run_id having count(*) > 1
       union all
       select 'run ' || (envelope->'payload'->>'runId') || ' announced ' || subject || ' ' || count(*) || ' times' from outbox
        where envelope->>'tenantId' = any($1) and subject in ('model.trained', 'training.failed')
        group by envelope->'payload'->>'runId', subject having count(*) > 1
       union all
       select 'event ' || event_id || ' sent ' || count(*) || ' times to ' || channel || ' ' || recipient from ml_retraining_notifications
        where tenant_id = any($1) group by event_id, channel, recipient having count(*) > 1`,
      [tenants],
    )),
  );

  if (found.length > 0) throw new Error(`invariants violated:\n  ${found.join('\n  ')}`);
  return { events, copies };
}

/** The database's clock now: the `since` of a file's invariants. */
export async function databaseNow(h: Harness): Promise<Date> {
  const [row] = await h.query<{ now: Date }>('select clock_timestamp() as now');
  return row!.now;
}
