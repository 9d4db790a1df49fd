// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { claimFeatures, ormConfig } from '@app/database';
import { DAYS_PATTERN, LABEL_VALUES, MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { HDR, publishEnvelope } from '@app/messaging';
import { answerXgbModel, Booster, confidenceOf, predictionText } from '@app/ml';
import { ScorerConfig } from '../../apps/scorer/src/scorer.config';
import { ScorerModule } from '../../apps/scorer/src/scorer.module';
import { ModelCache } from '../../apps/scorer/src/scoring/model-cache';
import { deployVersion, fileNewClaims, trainVersion } from '../../scripts/scoring-fixtures';
import type { TrainedVersion } from '../../scripts/scoring-fixtures';
import { Harness, seedTestDatabase } from './support/harness';
import { pollRows, pollUntil } from './support/poll';

interface PredictionRow extends Record<string, unknown> {
  claim_id: string;
  model_type: ModelType;
  model_version: number;
  predicted_value: string;
  confidence: number;
  predicted_at: Date;
}

// The scorer on real Postgres and NATS: claims filed by a stand-in for the claims application (rows in
// `claims`, then claim.filed), scored by versions trained here as the trainer does and made active as
// the validator does (scripts/scoring-fixtures.ts).
describe('scorer', () => {
  const h = new Harness();
  const tenantId = 'tenant_1601_0';
  const active = new Map<ModelType, TrainedVersion>();
  let orm: MikroORM;
  let cache: ModelCache;
  let durable: string;

  const filed = (claimId: string): Envelope<'claim.filed'> =>
    createEnvelope('claim.filed', { claimId }, { tenantId });
  const publish = async (e: Envelope): Promise<number> => (await publishEnvelope(h.js, h.topology, e)).seq;
  const predictionsOf = (claimIds: readonly string[]) =>
    h.query<PredictionRow>(
      `select claim_id, model_type, model_version, predicted_value, confidence, predicted_at from ml_predictions
        where claim_id = any($1::uuid[]) order by claim_id, model_type, model_version`,
      [claimIds],
    );
  const scoredFor = (claimId: string) =>
    h.query<{ envelope: Envelope<'claim.scored'>; published: boolean }>(
      `select envelope, published_at is not null as published from outbox
        where subject = 'claim.scored' and envelope->'payload'->>'claimId' = $1`,
      [claimId],
    );
  /** Waits until the scorer has acknowledged (or parked) every claim.filed up to stream sequence `seq`. */
  const settled = (seq: number) =>
    pollUntil(
      async () => {
        const info = await h.jsm.consumers.info(h.topology.eventsStream, durable);
        return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0;
      },
      { what: `the scorer done with stream message ${seq}` },
    );

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '1601', '--tenants', '1', '--claims', '3000']);
    orm = await MikroORM.init(ormConfig({ databaseUrl: process.env.DATABASE_URL!, poolMax: 2 }));
    // Version 2 of every model, trained on the tenant's history and active (the seeded version 1 has no artifact).
    for (const modelType of MODEL_TYPES) {
      const model = await trainVersion(orm.em.fork(), tenantId, modelType, { rounds: 30 });
      active.set(modelType, await deployVersion(orm.em.fork(), { tenantId, modelType, version: 2 }, model));
    }
    const scorer = await h.startService('scorer', ScorerConfig, (c, l) => ScorerModule.forRoot(c, l));
    cache = scorer.app.get(ModelCache);
    durable = h.topology.consumerName('scorer', 'claim.filed');
  }, 120_000);
  afterAll(async () => {
    await orm?.close();
    await h.stop();
  });

  it('scores a filed claim once with the active version of each model, and publishes claim.scored', async () => {
    const filedAt = new Date('2026-11-20T10:30:00Z');
    const [claimId] = await fileNewClaims(orm.em.fork(), tenantId, 1, filedAt);
    const event = filed(claimId!);
    await publish(event);
    const rows = await h.rowsUntil<PredictionRow>(
      `select claim_id, model_type, model_version, predicted_value, confidence, predicted_at from ml_predictions
        where claim_id = $1 order by model_type`,
      [claimId],
      { until: (r) => r.length === 4, what: 'four predictions' },
    );
    expect(rows.map((r) => [r.model_type, r.model_version])).toEqual(
      [...MODEL_TYPES].sort().map((m) => [m, 2]),
    );
    // Made at filing: predicted_at is the claim's filing time, not the time it was scored.
    for (const r of rows) expect(r.predicted_at.toISOString()).toBe(filedAt.toISOString());
    for (const r of rows) {
      expect(r.confidence).toBeGreaterThan(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      // Timeline: the predicted days in full (the number as the model answered it).
      if (r.model_type === 'timeline') expect(r.predicted_value).toMatch(new RegExp(DAYS_PATTERN));
      else expect(LABEL_VALUES[r.model_type]).toContain(r.predicted_value);
    }
    // The answers are the models' own: each model, loaded here, on the claim's features read as training
    // data reads them, gives the stored class (or days) and confidence.
    const [features] = await claimFeatures(orm.em.fork(), tenantId, [claimId!]);
    for (const r of rows) {
      const v = active.get(r.model_type)!;
      const booster = Booster.load(v.content);
      try {
        const [answer] = answerXgbModel(r.model_type, booster, MODEL_CONFIGS[r.model_type].features, [
          features!,
        ]);
        expect(r.predicted_value).toBe(predictionText(r.model_type, answer!.value));
        expect(r.confidence).toBeCloseTo(confidenceOf(answer!, v.accuracy), 6);
        // Timeline has no probability of its own: its confidence is its version's hold-out accuracy.
        if (r.model_type === 'timeline') expect(r.confidence).toBeCloseTo(v.accuracy, 6);
      } finally {
        booster.dispose();
      }
    }

    const [scored] = await pollRows(() => scoredFor(claimId!), {
      until: (s) => s.length === 1 && s[0]!.published,
      what: 'claim.scored published',
    });
    expect(scored!.envelope).toMatchObject({
      type: 'claim.scored',
      tenantId,
      correlationId: event.correlationId,
      causationId: event.id,
      payload: { claimId },
    });
    expect(
      [...scored!.envelope.payload.predictions].sort((a, b) => a.modelType.localeCompare(b.modelType)),
    ).toEqual(
      rows.map((r) => ({
        modelType: r.model_type,
        version: 2,
        prediction: r.predicted_value,
        confidence: r.confidence,
      })),
    );
  });

  it('changes nothing when claim.filed comes again: the same event (inbox), or a new one for the same claim', async () => {
    const [claimId] = await fileNewClaims(orm.em.fork(), tenantId, 1);
    const event = filed(claimId!);
    await publish(event);
    const before = await h.rowsUntil<PredictionRow>(
      `select claim_id, model_type, model_version, predicted_value, confidence, predicted_at from ml_predictions
        where claim_id = $1 order by model_type`,
      [claimId],
      { until: (r) => r.length === 4, what: 'four predictions' },
    );
    await pollRows(() => scoredFor(claimId!), { what: 'claim.scored' });
    // The same event redelivered (another Nats-Msg-Id: past the stream's duplicate window), then a second
    // claim.filed of the same claim (the application filing twice).
    await h.js.publish(h.topology.subject('claim.filed'), JSON.stringify(event), { msgID: randomUUID() });
    const second = filed(claimId!);
    await settled(await publish(second));
    expect(await predictionsOf([claimId!])).toEqual(before);
    expect(await scoredFor(claimId!)).toHaveLength(1);
    const inbox = await h.query(
      'select 1 from processed_events where consumer = $1 and event_id = any($2::uuid[])',
      [durable, [event.id, second.id]],
    );
    expect(inbox).toHaveLength(2);
  });

  it('never gives one claim two versions of a model across a deployment, and scores with the version active at scoring time', async () => {
    const em = orm.em.fork();
    const before = await fileNewClaims(em, tenantId, 100);
    const during = await fileNewClaims(em, tenantId, 300);
    const after = await fileNewClaims(em, tenantId, 100);
    const version = (rows: PredictionRow[]) => new Set(rows.map((r) => r.model_version));

    for (const id of before) await publish(filed(id));
    await pollRows(() => predictionsOf(before), {
      until: (r) => r.length === before.length * 4,
      what: 'before',
    });

    // A deployment of every model (version 3) while claims stream in. Two of them are announced
    // (model.deployed); the other two are found in the registry by the next batch.
    const published = Promise.all(during.map((id) => publish(filed(id))));
    for (const modelType of MODEL_TYPES) {
      const v = active.get(modelType)!;
      await deployVersion(orm.em.fork(), { tenantId, modelType, version: 3 }, v);
    }
    for (const modelType of ['claim_outcome', 'timeline'] as const)
      await publish(
        createEnvelope(
          'model.deployed',
          {
            modelType,
            version: 3,
            previousVersion: 2,
            reason: 'validated',
            accuracy: active.get(modelType)!.accuracy,
          },
          { tenantId },
        ),
      );
    await published;
    for (const id of after) await publish(filed(id));
    const all = [...before, ...during, ...after];
    await pollRows(() => predictionsOf(all), {
      until: (r) => r.length === all.length * 4,
      what: 'every claim scored',
      timeoutMs: 60_000,
    });

    // Filed again after the deployment: the claims scored by version 2 must not get version 3 answers.
    let last = 0;
    for (const id of [...before, ...during]) last = await publish(filed(id));
    await settled(last);

    const rows = await predictionsOf(all);
    expect(rows).toHaveLength(all.length * 4);
    const perClaimModel = new Map<string, number>();
    for (const r of rows)
      perClaimModel.set(
        `${r.claim_id}:${r.model_type}`,
        (perClaimModel.get(`${r.claim_id}:${r.model_type}`) ?? 0) + 1,
      );
    expect([...new Set(perClaimModel.values())]).toEqual([1]);
    expect(version(rows.filter((r) => before.includes(r.claim_id)))).toEqual(new Set([2]));
    expect(
      [...version(rows.filter((r) => during.includes(r.claim_id)))].every((v) => v === 2 || v === 3),
    ).toBe(true);
    // Filed after the deployment committed: version 3, announced or not, whatever the cache held.
    expect(version(rows.filter((r) => after.includes(r.claim_id)))).toEqual(new Set([3]));
    for (const modelType of MODEL_TYPES) expect(cache.loadedVersion(tenantId, modelType)).toBe(3);
  });

  it('dead-letters a malformed claim.filed, one naming an unknown claim and one of an unknown tenant, writes nothing for them, and scores the rest', async () => {
    const [good] = await fileNewClaims(orm.em.fork(), tenantId, 1);
    const unknown = filed(randomUUID());
    const notUuid = filed('not-a-uuid');
    const noTenant = createEnvelope('claim.filed', { claimId: good! }, { tenantId: 'tenant_1601_nobody' });
    await h.publishRaw('claim.filed', '{"id": "no closing brace"');
    await publish(notUuid);
    await publish(unknown);
    await publish(noTenant);
    await publish(filed(good!));

    await pollRows(() => predictionsOf([good!]), {
      until: (r) => r.length === 4,
      what: 'the good claim scored',
    });
    const dead = await pollUntil(
      async () => {
        const info = await h.jsm.streams.info(h.topology.deadLetterStream);
        const found: { code: string; reason: string; body: string }[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const m = await h.jsm.streams.getMessage(h.topology.deadLetterStream, { seq }).catch(() => null);
          if (m?.header.get(HDR.dlqConsumer) === durable)
            found.push({
              code: m.header.get(HDR.dlqCode),
              reason: m.header.get(HDR.dlqReason),
              body: m.string(),
            });
        }
        return found.length === 4 ? found : false;
      },
      { what: 'four dead letters' },
    );
    // The malformed ones are parked as they arrive; the others after their tenant's transaction.
    const byId = (id: string) => dead.find((d) => d.body.includes(id))!;
    expect(dead[0]).toMatchObject({ code: 'CONTRACT_VIOLATION', body: '{"id": "no closing brace"' });
    expect(dead[0]!.reason).toMatch(/malformed JSON/);
    expect(byId(notUuid.id).code).toBe('CONTRACT_VIOLATION');
    expect(byId(notUuid.id).reason).toMatch(/payload\.claimId/);
    expect(byId(unknown.id)).toMatchObject({
      code: 'UNKNOWN_CLAIM',
      reason: `claim ${unknown.payload.claimId} does not exist for tenant ${tenantId}`,
    });
    expect(JSON.parse(byId(unknown.id).body)).toEqual(unknown);
    expect(byId(noTenant.id)).toMatchObject({
      code: 'UNKNOWN_TENANT',
      reason: 'tenant "tenant_1601_nobody" does not exist',
    });
    // Nothing written for them: no prediction, no claim.scored, no inbox record; the good claim has its
    // four predictions and one claim.scored (the unknown tenant's event for the same claim id added none).
    expect(await predictionsOf([unknown.payload.claimId])).toEqual([]);
    expect(await scoredFor(unknown.payload.claimId)).toEqual([]);
    expect(await predictionsOf([good!])).toHaveLength(4);
    await pollRows(() => scoredFor(good!), { what: 'claim.scored of the good claim' });
    expect(await scoredFor(good!)).toHaveLength(1);
    expect(
      await h.query('select 1 from processed_events where event_id = any($1::uuid[])', [
        [unknown.id, notUuid.id, noTenant.id],
      ]),
    ).toEqual([]);
  });
});
