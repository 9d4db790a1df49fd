// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { ormConfig } from '@app/database';
import { pairedSequentialTest } from '@app/drift';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { publishEnvelope } from '@app/messaging';
import { XGB_FORMAT } from '@app/ml';
import { ScorerConfig } from '../../apps/scorer/src/scorer.config';
import { ScorerModule } from '../../apps/scorer/src/scorer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { deployVersion, fileNewClaims, trainVersion } from '../../scripts/scoring-fixtures';
import { storeCandidate, trainCandidate } from './support/candidate';
import { championFromStoredPredictions } from './support/champion';
import { Harness, seedTestDatabase } from './support/harness';
import { pollUntil } from './support/poll';

interface ChallengerRow extends Record<string, unknown> {
  challenger_version: number;
  champion_version: number;
  state: string;
  decision: string | null;
  reason: string | null;
  labelled_pairs: number;
  discordant_pairs: number;
  challenger_wins: number;
  log_likelihood_ratio: number;
  evaluated_on: string | null;
  decided_on: string | null;
}

// Shadow challengers (issue 19) on real Postgres and NATS, with the validator (every model's promotion
// `shadow`) and the scorer running: a validated candidate starts as the challenger instead of being deployed,
// scores every new claim beside the champion without its answers being told, and is promoted or retired by
// the sequential test at the daily checks (drift.checked), here on scripted outcomes; a rollback ends it.
describe('shadow challengers', () => {
  const h = new Harness();
  const tenantId = 'tenant_1901_0';
  let orm: MikroORM;

  const challengerRows = (modelType: ModelType) =>
    h.query<ChallengerRow>(
      `select challenger_version, champion_version, state, decision, reason, labelled_pairs, discordant_pairs,
              challenger_wins, log_likelihood_ratio, to_char(evaluated_on, 'YYYY-MM-DD') as evaluated_on,
              to_char(decided_on, 'YYYY-MM-DD') as decided_on
         from model_challengers where tenant_id = $1 and model_type = $2 order by created_at`,
      [tenantId, modelType],
    );
  const activeVersion = async (modelType: ModelType) =>
    (
      await h.query<{ model_version: number }>(
        `select model_version from model_metadata where tenant_id = $1 and model_type = $2 and is_active`,
        [tenantId, modelType],
      )
    )[0]?.model_version;
  const outboxOf = <T>(subject: string, modelType: ModelType) =>
    h.query<{ payload: T }>(
      `select envelope->'payload' as payload from outbox
        where subject = $1 and envelope->>'tenantId' = $2 and envelope->'payload'->>'modelType' = $3 order by seq`,
      [subject, tenantId, modelType],
    );
  /** A day's check of one model, as the drift monitor publishes it: what re-evaluates the challenger. */
  const dailyCheck = (modelType: ModelType, logicalDate: string): Envelope<'drift.checked'> =>
    createEnvelope(
      'drift.checked',
      { checkId: randomUUID(), modelType, decision: 'no_action', features: [], reasons: [], logicalDate },
      { tenantId },
    );
  const checked = async (e: Envelope<'drift.checked'>) => {
    await h.publish(e);
    await pollUntil(
      async () =>
        (
          await h.query(
            `select 1 from processed_events where consumer like '%validator%' and event_id = $1`,
            [e.id],
          )
        ).length === 1,
      { what: `the validator done with the check of ${e.payload.logicalDate}` },
    );
  };

  /** A version stored as the validator registers a challenger: artifact, inactive metadata, a running trial. */
  async function registerChallenger(
    modelType: ModelType,
    version: number,
    champion: number,
    content: Buffer | null,
    startedOn = '2026-11-01',
  ): Promise<void> {
    let artifactId: string | null = null;
    if (content) {
      const [a] = await h.query<{ id: string }>(
        `insert into model_artifacts (tenant_id, model_type, model_version, format, checksum, content)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [
          tenantId,
          modelType,
          version,
          XGB_FORMAT,
          createHash('sha256').update(content).digest('hex'),
          content,
        ],
      );
      artifactId = a!.id;
    }
    await h.query(
      `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at, artifact_id)
       values ($1, $2, $3, false, 0.9, null, $4)`,
      [tenantId, modelType, version, artifactId],
    );
    await h.query(
      `insert into model_challengers (tenant_id, model_type, challenger_version, champion_version, state, started_on, correlation_id)
       values ($1, $2, $3, $4, 'running', $5, 'scripted-trial')`,
      [tenantId, modelType, version, champion, startedOn],
    );
  }

  /**
   * Scripted outcomes: `outcomes.length` of the champion's predictions (from `offset`, in filing order) get
   * a known outcome and a challenger prediction beside them, each pair set to [champion right, challenger
   * right]. The outcomes become known in filing order.
   */
  async function scriptPairs(
    modelType: ModelType,
    champion: number,
    challenger: number,
    outcomes: readonly [boolean, boolean][],
    offset = 0,
  ): Promise<void> {
    const rows = await h.query<{ claim_id: string }>(
      `select claim_id from ml_predictions
        where tenant_id = $1 and model_type = $2 and model_version = $3 and role = 'champion'
        order by predicted_at, claim_id offset $4 limit $5`,
      [tenantId, modelType, champion, offset, outcomes.length],
    );
    expect(rows).toHaveLength(outcomes.length);
    for (const [i, r] of rows.entries()) {
      const [championRight, challengerRight] = outcomes[i]!;
      await h.query(
        `update ml_predictions
            set is_correct = $4, actual_value = coalesce(actual_value, predicted_value),
                outcome_known_at = predicted_at + interval '30 days'
          where claim_id = $1 and model_type = $2 and model_version = $3`,
        [r.claim_id, modelType, champion, championRight],
      );
      await h.query(
        `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, role, predicted_value, confidence,
                                     predicted_at, actual_value, is_correct, outcome_known_at)
         select tenant_id, claim_id, model_type, $3, 'challenger', predicted_value, confidence, predicted_at,
                actual_value, $4, outcome_known_at
           from ml_predictions where claim_id = $1 and model_type = $2 and model_version = $5`,
        [r.claim_id, modelType, challenger, challengerRight, champion],
      );
    }
  }

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '1901', '--tenants', '1', '--claims', '3000']);
    orm = await MikroORM.init(ormConfig({ databaseUrl: process.env.DATABASE_URL!, poolMax: 2 }));
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l), {
      PROMOTION_POLICY: 'shadow',
    });
    await h.startService('scorer', ScorerConfig, (c, l) => ScorerModule.forRoot(c, l));
  }, 120_000);
  afterAll(async () => {
    await orm?.close();
    await h.stop();
  });

  it('starts a candidate that passes as the challenger: registered, never active, at most one per model', async () => {
    // v1 as a champion wrong on every claim, without an artifact (scored by its stored predictions): the
    // scorer cannot answer with it, so there is nothing to pair a challenger with, and a candidate that
    // passes is deployed directly, shadow or not. Here a poor one: a claim_outcome model (the same features)
    // stored as assignment's v2, whose answers are outcome classes read as teams, mostly wrong.
    await championFromStoredPredictions(h, tenantId, 'assignment', false);
    const poor = await trainCandidate(orm.em.fork(), tenantId, 'claim_outcome', 10);
    await h.publish(
      await storeCandidate(h, {
        tenantId,
        modelType: 'assignment',
        version: 2,
        correlationId: 'poor',
        model: poor,
      }),
    );
    await pollUntil(async () => (await activeVersion('assignment')) === 2, { what: 'v2 deployed directly' });
    expect(await challengerRows('assignment')).toEqual([]);
    // Against v2, which the scorer answers with, a real assignment model passes and starts a trial.
    const model = await trainCandidate(orm.em.fork(), tenantId, 'assignment');
    const first = await storeCandidate(h, {
      tenantId,
      modelType: 'assignment',
      version: 3,
      correlationId: 'shadow-first',
      model,
    });
    await h.publish(first);
    await pollUntil(async () => (await challengerRows('assignment')).length === 1, { what: 'a trial' });
    expect(await challengerRows('assignment')).toMatchObject([
      { challenger_version: 3, champion_version: 2, state: 'running', decision: null },
    ]);
    // Not deployed: v2 stays active, v3 is a version never deployed, with its baselines stored but off.
    expect(await activeVersion('assignment')).toBe(2);
    const [v3] = await h.query<{ is_active: boolean; deployed_at: Date | null; n: number }>(
      `select m.is_active, m.deployed_at,
              (select count(*)::int from model_feature_baselines b
                where b.tenant_id = m.tenant_id and b.model_type = m.model_type and b.model_version = 3 and not b.is_active) as n
         from model_metadata m where tenant_id = $1 and model_type = 'assignment' and model_version = 3`,
      [tenantId],
    );
    expect(v3).toEqual({ is_active: false, deployed_at: null, n: model.baselines.length });
    // The second verdict (the first is v2's, deployed directly).
    const [, validated] = await outboxOf<{ passed: boolean; challenger?: boolean }>(
      'model.validated',
      'assignment',
    );
    expect(validated!.payload).toMatchObject({ passed: true, challenger: true });
    expect(
      (await outboxOf<{ version: number }>('model.deployed', 'assignment')).map((d) => d.payload.version),
    ).toEqual([2]);

    // A newer candidate that passes replaces the one on trial: still one running.
    const second = await storeCandidate(h, {
      tenantId,
      modelType: 'assignment',
      version: 4,
      correlationId: 'shadow-second',
      model,
    });
    await h.publish(second);
    await pollUntil(async () => (await challengerRows('assignment')).length === 2, {
      what: 'a second trial',
    });
    const [superseded, running] = await challengerRows('assignment');
    expect(superseded).toMatchObject({
      challenger_version: 3,
      state: 'retired',
      decision: 'retired_superseded',
    });
    expect(running).toMatchObject({ challenger_version: 4, state: 'running' });
    const decided = await outboxOf<{ decision: string; challengerVersion: number }>(
      'model.challenger.decided',
      'assignment',
    );
    expect(decided.map((d) => [d.payload.challengerVersion, d.payload.decision])).toEqual([
      [3, 'retired_superseded'],
    ]);
    // The database keeps it so whatever races: a second running trial of the model is refused.
    await expect(
      h.query(
        `insert into model_challengers (tenant_id, model_type, challenger_version, champion_version, state, started_on, correlation_id)
         values ($1, 'assignment', 9, 2, 'running', '2026-11-01', 'race')`,
        [tenantId],
      ),
    ).rejects.toThrow(/model_challengers_one_running/);
    // A late candidate older than the one on trial is stale: not judged, the trial goes on.
    const late = await storeCandidate(h, {
      tenantId,
      modelType: 'assignment',
      version: 10,
      correlationId: 'shadow-late',
      model,
    });
    await h.publish(createEnvelope('model.trained', { ...late.payload, candidateVersion: 3 }, { tenantId }));
    await pollUntil(
      async () =>
        (await outboxOf<{ gates: { name: string; detail: string }[] }>('model.validated', 'assignment'))
          .length === 4,
      { what: 'the late candidate judged stale' },
    );
    const stale = (
      await outboxOf<{ passed: boolean; gates: { detail: string }[] }>('model.validated', 'assignment')
    )[3]!;
    expect(stale.payload.passed).toBe(false);
    expect(stale.payload.gates[0]!.detail).toMatch(/challenger v4 on trial/);
    expect((await challengerRows('assignment')).filter((c) => c.state === 'running')).toHaveLength(1);
  }, 120_000);

  it('scores each claim with the champion and the challenger, tells only the champion, and fills both outcomes', async () => {
    // claim_outcome: v2 champion (deployed), v3 on trial, both real models trained on the tenant's claims.
    const em = orm.em.fork();
    const champion = await trainVersion(em, tenantId, 'claim_outcome', { rounds: 20 });
    await deployVersion(orm.em.fork(), { tenantId, modelType: 'claim_outcome', version: 2 }, champion);
    const challenger = await trainVersion(orm.em.fork(), tenantId, 'claim_outcome', { rounds: 40 });
    await registerChallenger('claim_outcome', 3, 2, challenger.content);

    const claimIds = await fileNewClaims(orm.em.fork(), tenantId, 3, new Date('2026-11-20T09:00:00Z'));
    for (const claimId of claimIds) await h.publish(createEnvelope('claim.filed', { claimId }, { tenantId }));
    const rows = await h.rowsUntil<{ claim_id: string; model_version: number; role: string }>(
      `select claim_id, model_version, role from ml_predictions
        where claim_id = any($1::uuid[]) and model_type = 'claim_outcome' order by claim_id, role`,
      [claimIds],
      { until: (r) => r.length === 6, what: 'two claim_outcome predictions per claim' },
    );
    for (const id of claimIds)
      expect(rows.filter((r) => r.claim_id === id).map((r) => [r.role, r.model_version])).toEqual([
        ['challenger', 3],
        ['champion', 2],
      ]);
    // claim.scored carries the champion's answers only: one per model (assignment's v4 on trial since the
    // first test answers too, and is not told either), claim_outcome's by v2.
    const scored = await h.rowsUntil<{ predictions: { modelType: string; version: number }[] }>(
      `select envelope->'payload'->'predictions' as predictions from outbox
        where subject = 'claim.scored' and envelope->'payload'->>'claimId' = any($1::text[])`,
      [claimIds],
      { until: (r) => r.length === 3, what: 'claim.scored of the three claims' },
    );
    for (const s of scored) {
      expect(s.predictions.map((p) => p.modelType).sort()).toEqual([...MODEL_TYPES].sort());
      expect(s.predictions.find((p) => p.modelType === 'assignment')!.version).toBe(2);
      expect(s.predictions.find((p) => p.modelType === 'claim_outcome')!.version).toBe(2);
    }

    // A claim.filed delivered again (a new event for the same claim) stores no second answer of either role.
    const again = createEnvelope('claim.filed', { claimId: claimIds[0]! }, { tenantId });
    await publishEnvelope(h.js, h.topology, again);
    await pollUntil(
      async () =>
        (await h.query(`select 1 from processed_events where event_id = $1`, [again.id])).length === 1,
      { what: 'the repeated claim.filed handled' },
    );
    const [count] = await h.query<{ n: number }>(
      `select count(*)::int as n from ml_predictions where claim_id = $1 and model_type = 'claim_outcome'`,
      [claimIds[0]],
    );
    expect(count!.n).toBe(2);

    // The outcome arrives: both predictions get it, each judged right or wrong on its own answer.
    await h.query(
      `update claims set resolved_at = filed_at + interval '5 days', resolution_days = 5, outcome = 'won', assigned_team = 'safety', status = 'resolved'
        where id = $1`,
      [claimIds[0]],
    );
    await h.publish(createEnvelope('claim.resolved', { claimId: claimIds[0]! }, { tenantId }));
    const filled = await h.rowsUntil<{
      role: string;
      actual_value: string | null;
      is_correct: boolean | null;
    }>(
      `select role, actual_value, is_correct from ml_predictions
        where claim_id = $1 and model_type = 'claim_outcome' order by role`,
      [claimIds[0]],
      { until: (r) => r.every((x) => x.is_correct !== null), what: 'both outcomes filled' },
    );
    expect(filled.map((f) => [f.role, f.actual_value])).toEqual([
      ['challenger', 'won'],
      ['champion', 'won'],
    ]);
  }, 120_000);

  it('promotes a challenger that is right where the champion is wrong, as a deployment with its evidence', async () => {
    // timeline: the seeded v1 is the champion; v2 on trial; 40 labelled pairs, the challenger right on each.
    await registerChallenger('timeline', 2, 1, null);
    const outcomes = Array.from({ length: 40 }, (): [boolean, boolean] => [false, true]);
    await scriptPairs('timeline', 1, 2, outcomes);
    await checked(dailyCheck('timeline', '2026-11-21'));

    const expected = pairedSequentialTest(Array(40).fill(true) as boolean[]);
    expect(expected.verdict).toBe('promote');
    expect(await challengerRows('timeline')).toMatchObject([
      {
        state: 'promoted',
        decision: 'promoted',
        labelled_pairs: 40,
        discordant_pairs: expected.pairs,
        challenger_wins: expected.pairs,
        decided_on: '2026-11-21',
      },
    ]);
    expect(await activeVersion('timeline')).toBe(2);
    const [deployment] = await h.query<{
      from_version: number;
      to_version: number;
      reason: string;
      evidence: Record<string, unknown>;
    }>(
      `select from_version, to_version, reason, evidence from model_deployments
        where tenant_id = $1 and model_type = 'timeline' order by deployed_at desc limit 1`,
      [tenantId],
    );
    expect(deployment).toMatchObject({
      from_version: 1,
      to_version: 2,
      reason: 'promoted',
      evidence: { labelledPairs: 40, discordantPairs: expected.pairs, startedOn: '2026-11-01', days: 20 },
    });
    const [deployed] = await outboxOf<{ reason: string; version: number }>('model.deployed', 'timeline');
    expect(deployed!.payload).toMatchObject({ reason: 'promoted', version: 2, previousVersion: 1 });
    const [decided] = await outboxOf<{ decision: string; evidence: { days: number } }>(
      'model.challenger.decided',
      'timeline',
    );
    expect(decided!.payload).toMatchObject({ decision: 'promoted', evidence: { days: 20 } });
    // The daily check of the next day finds no trial: nothing more happens.
    await checked(dailyCheck('timeline', '2026-11-22'));
    expect(await outboxOf('model.challenger.decided', 'timeline')).toHaveLength(1);
  }, 60_000);

  it('keeps an undecided trial running, counts each pair once however often it is asked, and retires a worse one', async () => {
    await registerChallenger('churn_risk', 2, 1, null);
    // Five pairs, the challenger right on each: not enough evidence yet.
    await scriptPairs(
      'churn_risk',
      1,
      2,
      Array.from({ length: 5 }, (): [boolean, boolean] => [false, true]),
    );
    // Twenty claims both got right: labelled pairs, not discordant ones.
    await scriptPairs(
      'churn_risk',
      1,
      2,
      Array.from({ length: 20 }, (): [boolean, boolean] => [true, true]),
      5,
    );
    await checked(dailyCheck('churn_risk', '2026-11-10'));
    await checked(dailyCheck('churn_risk', '2026-11-10')); // the same day asked again (a forced check)
    await checked(dailyCheck('churn_risk', '2026-11-11'));
    expect(await challengerRows('churn_risk')).toMatchObject([
      {
        state: 'running',
        labelled_pairs: 25,
        discordant_pairs: 5,
        challenger_wins: 5,
        evaluated_on: '2026-11-11',
      },
    ]);
    expect(await outboxOf('model.challenger.decided', 'churn_risk')).toEqual([]);
    // A check of an older day (a catch-up, a replay) says nothing new about the trial: ignored.
    await checked(dailyCheck('churn_risk', '2026-11-05'));
    expect((await challengerRows('churn_risk'))[0]!.evaluated_on).toBe('2026-11-11');

    // Then the champion is right where the challenger is wrong, claim after claim.
    await scriptPairs(
      'churn_risk',
      1,
      2,
      Array.from({ length: 40 }, (): [boolean, boolean] => [true, false]),
      25,
    );
    await checked(dailyCheck('churn_risk', '2026-11-12'));
    const expected = pairedSequentialTest([
      ...(Array(5).fill(true) as boolean[]),
      ...(Array(40).fill(false) as boolean[]),
    ]);
    expect(expected.verdict).toBe('retire_worse');
    expect(await challengerRows('churn_risk')).toMatchObject([
      {
        state: 'retired',
        decision: 'retired_worse',
        discordant_pairs: expected.pairs,
        challenger_wins: 5,
        decided_on: '2026-11-12',
      },
    ]);
    expect(await activeVersion('churn_risk')).toBe(1);
    const [decided] = await outboxOf<{ decision: string; reason: string }>(
      'model.challenger.decided',
      'churn_risk',
    );
    expect(decided!.payload.decision).toBe('retired_worse');
    expect(decided!.payload.reason).toMatch(/worse on live claims/);
    expect(await outboxOf('model.deployed', 'churn_risk')).toEqual([]);
  }, 60_000);

  it('ends the trial when the champion is rolled back, and never rolls back to a version that was not deployed', async () => {
    // claim_outcome: v2 champion with v3 on trial (the scoring test above).
    expect(await activeVersion('claim_outcome')).toBe(2);
    await h.publish(
      createEnvelope(
        'model.rollback.requested',
        { modelType: 'claim_outcome', requestedBy: 'test', reason: 'v2 misbehaves' },
        { tenantId },
      ),
    );
    await pollUntil(async () => (await activeVersion('claim_outcome')) === 1, { what: 'v1 active again' });
    expect(await challengerRows('claim_outcome')).toMatchObject([
      { challenger_version: 3, state: 'retired', decision: 'retired_champion_changed' },
    ]);
    const [decided] = await outboxOf<{ decision: string }>('model.challenger.decided', 'claim_outcome');
    expect(decided!.payload.decision).toBe('retired_champion_changed');

    // The retired challenger is no version to roll back to: refused (dead-lettered with its code).
    const refused = createEnvelope(
      'model.rollback.requested',
      { modelType: 'claim_outcome', toVersion: 3, requestedBy: 'test', reason: 'try the challenger' },
      { tenantId },
    );
    await h.publish(refused);
    const durable = h.topology.consumerName('validator', 'model.rollback.requested');
    const dead = await pollUntil(
      async () => (await h.deadLetters(durable)).find((d) => d.body.includes(refused.id)) ?? false,
      { what: 'the refused rollback dead-lettered' },
    );
    expect(dead.code).toBe('NEVER_DEPLOYED');
    expect(dead.reason).toMatch(/v3 was never in production/);
    expect(await activeVersion('claim_outcome')).toBe(1);

    // New claims are scored by the champion alone now.
    const [claimId] = await fileNewClaims(orm.em.fork(), tenantId, 1, new Date('2026-11-25T09:00:00Z'));
    await h.publish(createEnvelope('claim.filed', { claimId: claimId! }, { tenantId }));
    const rows = await h.rowsUntil<{ role: string; model_version: number }>(
      `select role, model_version from ml_predictions where claim_id = $1 and model_type = 'claim_outcome'`,
      [claimId],
      { until: (r) => r.length >= 1, what: 'the new claim scored' },
    );
    expect(rows).toEqual([{ role: 'champion', model_version: 1 }]);
  }, 60_000);
});
