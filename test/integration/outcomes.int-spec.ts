// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { CORRECT_SQL } from '@app/database';
import { predictionOutcome } from '@app/domain';
import type { ClaimLabels, ModelType } from '@app/domain';
import { HDR } from '@app/messaging';
import { CORRECTNESS_CASES } from '../../libs/domain/src/correctness.fixtures';
import { ScorerConfig } from '../../apps/scorer/src/scorer.config';
import { ScorerModule } from '../../apps/scorer/src/scorer.module';
import { createTenant, Harness } from './support/harness';
import { pollUntil } from './support/poll';

const DAY = 86_400_000;

interface ClaimSpec {
  filedAt: Date;
  resolvedAt?: Date | null;
  outcome?: string | null;
  resolutionDays?: number | null;
  team?: string | null;
  churned?: boolean | null;
}

interface PredictionRow extends Record<string, unknown> {
  model_type: ModelType;
  model_version: number;
  predicted_value: string;
  actual_value: string | null;
  is_correct: boolean | null;
  outcome_known_at: Date | null;
}

// The scorer's outcomes: claim.resolved and claim.outcomes.due fill every version's predictions from the
// claims' rows, at the labels' own times, with the one definition of "correct".
describe('scorer outcomes', () => {
  const h = new Harness();
  const tenant = 'tenant_outcomes_a';
  const other = 'tenant_outcomes_b';
  const members = new Map<string, string>();
  let claimNo = 0;

  async function member(tenantId: string): Promise<string> {
    await createTenant(h, tenantId);
    const [row] = await h.query<{ id: string }>(
      `insert into profiles (tenant_id, user_id, first_name, last_name, email, role, department, birth_date, union_joined_at)
       values ($1, $2, 'Ada', 'Member', $3, 'member', 'Operations', '1980-01-01', '2010-01-01') returning id`,
      [tenantId, `mock_user_${tenantId}_1`, `${tenantId}@example.test`],
    );
    return row!.id;
  }

  async function claim(tenantId: string, s: ClaimSpec): Promise<string> {
    claimNo += 1;
    const [row] = await h.query<{ id: string }>(
      `insert into claims (tenant_id, claim_number, member_id, claim_type, status, priority, department, description,
                           case_complexity, member_age, union_tenure_years, filed_at, resolved_at, resolution_days,
                           outcome, assigned_team, member_churned)
       values ($1, $2, $3, 'workplace_safety', 'submitted', 'medium', 'Operations', 'test claim', 5, 40, 8,
               $4, $5, $6, $7, $8, $9) returning id`,
      [
        tenantId,
        `CLM-OUT-${claimNo}`,
        members.get(tenantId),
        s.filedAt.toISOString(),
        s.resolvedAt?.toISOString() ?? null,
        s.resolutionDays ?? null,
        s.outcome ?? null,
        s.team ?? null,
        s.churned ?? null,
      ],
    );
    return row!.id;
  }

  async function predict(
    tenantId: string,
    claimId: string,
    model: ModelType,
    version: number,
    predicted: string,
  ): Promise<void> {
    await h.query(
      `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
       select tenant_id, id, $3, $4, $5, 0.8, filed_at from claims where tenant_id = $1 and id = $2`,
      [tenantId, claimId, model, version, predicted],
    );
  }

  const predictions = (claimId: string) =>
    h.query<PredictionRow>(
      `select model_type, model_version, predicted_value, actual_value, is_correct, outcome_known_at
         from ml_predictions where claim_id = $1 order by model_type, model_version`,
      [claimId],
    );

  const labelsOf = async (claimId: string): Promise<ClaimLabels> => {
    const [c] = await h.query<{
      filed_at: Date;
      resolved_at: Date | null;
      outcome: string | null;
      resolution_days: number | null;
      assigned_team: string | null;
      member_churned: boolean | null;
    }>(
      `select filed_at, resolved_at, outcome, resolution_days, assigned_team, member_churned from claims where id = $1`,
      [claimId],
    );
    return {
      filedAt: c!.filed_at,
      resolvedAt: c!.resolved_at,
      outcome: c!.outcome,
      resolutionDays: c!.resolution_days,
      assignedTeam: c!.assigned_team,
      memberChurned: c!.member_churned,
    };
  };

  /** Publishes an event and waits until the scorer has handled it (its inbox holds it). */
  async function handled(envelope: Envelope): Promise<void> {
    await h.publish(envelope);
    await h.rowsUntil('select 1 from processed_events where event_id = $1', [envelope.id], {
      what: `${envelope.type} ${envelope.id} handled`,
    });
  }

  const resolved = (tenantId: string, claimId: string) =>
    createEnvelope('claim.resolved', { claimId }, { tenantId });

  beforeAll(async () => {
    await h.start();
    members.set(tenant, await member(tenant));
    members.set(other, await member(other));
    await h.startService('scorer', ScorerConfig, (c, l) => ScorerModule.forRoot(c, l));
  });
  afterAll(async () => {
    await h.stop();
  });

  it('asks Postgres the fixed correctness cases and gets the answers the TS definition gives', async () => {
    for (const c of CORRECTNESS_CASES) {
      const [row] = await h.query<{ correct: boolean }>(
        `select ${CORRECT_SQL[c.model]('$1::text', '$2::text')} as correct`,
        [c.predicted, c.actual],
      );
      expect({ ...c, correct: row!.correct }).toEqual(c);
    }
  });

  it("fills every version's prediction of a resolved claim, at its resolution time, once", async () => {
    // Filed and scored by two versions while open; resolved in a past the wall clock has long left.
    const filedAt = new Date('2030-03-01T12:00:00Z');
    const resolvedAt = new Date('2030-03-21T15:30:00Z');
    const id = await claim(tenant, { filedAt });
    const open = await claim(tenant, { filedAt });
    const answers: [ModelType, string, string][] = [
      ['claim_outcome', 'won', 'lost'],
      ['timeline', '27', '27.5'],
      ['assignment', 'safety', 'contract'],
      ['churn_risk', 'retained', 'churned'],
    ];
    for (const [model, v1, v2] of answers) {
      await predict(tenant, id, model, 1, v1);
      await predict(tenant, id, model, 2, v2);
    }
    await predict(tenant, open, 'claim_outcome', 2, 'won');
    await h.query(
      `update claims set resolved_at = $2, resolution_days = 20, outcome = 'won', assigned_team = 'safety', status = 'resolved'
        where id = $1`,
      [id, resolvedAt.toISOString()],
    );

    await handled(resolved(tenant, id));

    const rows = await predictions(id);
    const known = (actual: string, correct: boolean) => ({
      actual_value: actual,
      is_correct: correct,
      outcome_known_at: resolvedAt,
    });
    const open_ = { actual_value: null, is_correct: null, outcome_known_at: null };
    expect(
      rows.map((r) => ({
        model_type: r.model_type,
        model_version: r.model_version,
        actual_value: r.actual_value,
        is_correct: r.is_correct,
        outcome_known_at: r.outcome_known_at,
      })),
    ).toEqual([
      { model_type: 'assignment', model_version: 1, ...known('safety', true) },
      { model_type: 'assignment', model_version: 2, ...known('safety', false) },
      // Churn is known 180 days after filing, not at a resolution 20 days after it.
      { model_type: 'churn_risk', model_version: 1, ...open_ },
      { model_type: 'churn_risk', model_version: 2, ...open_ },
      { model_type: 'claim_outcome', model_version: 1, ...known('won', true) },
      { model_type: 'claim_outcome', model_version: 2, ...known('won', false) },
      // 27 is 7 days over 20: right; 27.5 is not.
      { model_type: 'timeline', model_version: 1, ...known('20', true) },
      { model_type: 'timeline', model_version: 2, ...known('20', false) },
    ]);
    // The SQL fill and the TS definition agree on every row.
    const labels = await labelsOf(id);
    for (const r of rows) {
      const twin = predictionOutcome(r.model_type, r.predicted_value, labels, resolvedAt);
      expect(
        r.actual_value === null
          ? null
          : { actualValue: r.actual_value, isCorrect: r.is_correct, outcomeKnownAt: r.outcome_known_at },
      ).toEqual(twin);
    }
    // Another claim's prediction is not touched.
    expect((await predictions(open)).map((r) => r.actual_value)).toEqual([null]);

    // Told again, after the row changed and a third version scored it: what was filled stays, what was
    // open is filled (from the row as it is now).
    const later = new Date(resolvedAt.getTime() + 3_600_000);
    await h.query(`update claims set resolved_at = $2 where id = $1`, [id, later.toISOString()]);
    await predict(tenant, id, 'claim_outcome', 3, 'settled');
    await handled(resolved(tenant, id));
    const again = await predictions(id);
    expect(again.filter((r) => r.model_version < 3)).toEqual(rows);
    expect(again.find((r) => r.model_version === 3)).toMatchObject({
      actual_value: 'won',
      is_correct: false,
      outcome_known_at: later,
    });
  });

  it('fills churn when it matures: 180 days after filing, by the end of the logical date', async () => {
    const logicalDate = '2030-06-30';
    const end = Date.parse('2030-07-01T00:00:00Z');
    const midday = Date.parse(`${logicalDate}T12:00:00Z`);
    const churnClaim = async (
      tenantId: string,
      filedAt: number,
      churned: boolean | null,
      predicted: string,
    ) => {
      const id = await claim(tenantId, { filedAt: new Date(filedAt), churned });
      await predict(tenantId, id, 'churn_risk', 1, predicted);
      return id;
    };
    const days179 = await churnClaim(tenant, midday - 179 * DAY, true, 'churned');
    const days180 = await churnClaim(tenant, midday - 180 * DAY, true, 'churned');
    const days181 = await churnClaim(tenant, midday - 181 * DAY, false, 'churned');
    const atEnd = await churnClaim(tenant, end - 180 * DAY, true, 'churned');
    const justBefore = await churnClaim(tenant, end - 180 * DAY - 1000, false, 'retained');
    const notRecorded = await churnClaim(tenant, midday - 200 * DAY, null, 'retained');
    const othersTenant = await churnClaim(other, midday - 200 * DAY, true, 'churned');
    const filledBefore = await churnClaim(tenant, midday - 300 * DAY, false, 'churned');
    await h.query(
      `update ml_predictions set actual_value = 'churned', is_correct = true, outcome_known_at = '2029-01-01T00:00:00Z'
        where claim_id = $1`,
      [filledBefore],
    );
    // A resolution the scorer never filled (its prediction was stored after the resolution was handled):
    // the day's tick fills it too, when it was known by the end of the day.
    const resolvedToday = await claim(tenant, {
      filedAt: new Date(midday - 30 * DAY),
      resolvedAt: new Date(end - 3_600_000),
      resolutionDays: 30,
      outcome: 'settled',
      team: 'safety',
    });
    await predict(tenant, resolvedToday, 'claim_outcome', 1, 'settled');
    const resolvedTomorrow = await claim(tenant, {
      filedAt: new Date(midday - 30 * DAY),
      resolvedAt: new Date(end + 3_600_000),
      resolutionDays: 31,
      outcome: 'settled',
      team: 'safety',
    });
    await predict(tenant, resolvedTomorrow, 'claim_outcome', 1, 'settled');

    await handled(createEnvelope('claim.outcomes.due', { logicalDate }, { tenantId: tenant }));

    const outcome = async (claimId: string) => {
      const [r] = await predictions(claimId);
      return r!.outcome_known_at === null
        ? null
        : { actual: r!.actual_value, correct: r!.is_correct, knownAt: r!.outcome_known_at.toISOString() };
    };
    const at = (t: number) => new Date(t).toISOString();
    expect(await outcome(days179)).toBeNull();
    expect(await outcome(days180)).toEqual({ actual: 'churned', correct: true, knownAt: at(midday) });
    expect(await outcome(days181)).toEqual({ actual: 'retained', correct: false, knownAt: at(midday - DAY) });
    expect(await outcome(atEnd)).toBeNull();
    expect(await outcome(justBefore)).toEqual({ actual: 'retained', correct: true, knownAt: at(end - 1000) });
    expect(await outcome(notRecorded)).toBeNull();
    expect(await outcome(othersTenant)).toBeNull();
    expect(await outcome(filledBefore)).toEqual({
      actual: 'churned',
      correct: true,
      knownAt: '2029-01-01T00:00:00.000Z',
    });
    expect(await outcome(resolvedToday)).toEqual({
      actual: 'settled',
      correct: true,
      knownAt: at(end - 3_600_000),
    });
    expect(await outcome(resolvedTomorrow)).toBeNull();

    // The next day's tick: the 179-day claim has matured.
    await handled(createEnvelope('claim.outcomes.due', { logicalDate: '2030-07-01' }, { tenantId: tenant }));
    expect(await outcome(days179)).toEqual({ actual: 'churned', correct: true, knownAt: at(midday + DAY) });
    expect(await outcome(atEnd)).toEqual({ actual: 'churned', correct: true, knownAt: at(end) });
  });

  it('dead-letters a resolution it cannot see in the row, with its code, and writes nothing', async () => {
    const filedAt = new Date('2030-04-01T12:00:00Z');
    const open = await claim(tenant, { filedAt });
    const noOutcome = await claim(tenant, {
      filedAt,
      resolvedAt: new Date('2030-04-20T12:00:00Z'),
      resolutionDays: 19,
      team: 'safety',
    });
    const othersClaim = await claim(other, {
      filedAt,
      resolvedAt: new Date('2030-04-20T12:00:00Z'),
      resolutionDays: 19,
      outcome: 'won',
      team: 'safety',
    });
    for (const id of [open, noOutcome]) await predict(tenant, id, 'claim_outcome', 1, 'won');
    await predict(other, othersClaim, 'claim_outcome', 1, 'won');
    // An unknown claim, another tenant's claim, an open one, and one resolved without its outcome.
    const events = [randomUUID(), othersClaim, open, noOutcome].map((id) => resolved(tenant, id));
    for (const e of events) await h.publish(e);

    const durable = h.topology.consumerName('scorer', 'claim.resolved');
    const wanted = new Set(events.map((e) => e.id));
    const dead = await pollUntil(
      async () => {
        const info = await h.jsm.streams.info(h.topology.deadLetterStream);
        const found = new Map<string, { code: string; reason: string }>();
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const m = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq }).catch(() => null);
          if (m?.header.get(HDR.dlqConsumer) !== durable) continue;
          const { id } = JSON.parse(m.string()) as { id: string };
          if (wanted.has(id))
            found.set(id, { code: m.header.get(HDR.dlqCode), reason: m.header.get(HDR.dlqReason) });
        }
        return found.size === wanted.size ? found : false;
      },
      { what: 'four dead letters' },
    );
    const [unknown, foreign, unresolved, partial] = events.map((e) => dead.get(e.id)!);
    expect(unknown!.code).toBe('UNKNOWN_CLAIM');
    expect(foreign).toEqual({
      code: 'UNKNOWN_CLAIM',
      reason: `claim ${othersClaim} does not exist in tenant ${tenant}`,
    });
    expect(unresolved).toEqual({
      code: 'CLAIM_NOT_RESOLVED',
      reason: `claim ${open} has no resolved_at in its row`,
    });
    expect(partial).toEqual({
      code: 'CLAIM_NOT_RESOLVED',
      reason: `claim ${noOutcome} is resolved but its row has no label for claim_outcome`,
    });
    for (const id of [open, noOutcome, othersClaim])
      expect((await predictions(id)).map((r) => r.outcome_known_at)).toEqual([null]);
    expect(
      await h.query('select 1 from processed_events where event_id = any($1::uuid[])', [[...wanted]]),
    ).toEqual([]);
  });
});
