import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { pollUntil } from '../integration/support/poll';
import { FaultHarness, seedTenant } from './support/fault-harness';
import { checkInvariants, databaseNow } from './support/invariants';
import { LockHolder, terminateBackend } from './support/pg-locks';
import { retrainTrigger } from '../integration/support/retrain';

// A Postgres connection dies in the middle of a deployment: the validator's backend is terminated
// (pg_terminate_backend) while its deployment transaction has already switched the active version.
describe('faults: a Postgres connection killed during a deployment', () => {
  const h = new FaultHarness();
  let tenantId: string;
  let since: Date;

  beforeAll(async () => {
    await h.start();
    since = await databaseNow(h);
    tenantId = await seedTenant(7201);
    await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l));
    await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
  }, 120_000);
  afterAll(async () => {
    await LockHolder.releaseAll();
    await h.stop();
  }, 120_000);

  const activeVersions = () =>
    h
      .query<{ model_version: number }>(
        `select model_version from model_metadata where tenant_id = $1 and model_type = 'timeline' and is_active`,
        [tenantId],
      )
      .then((rows) => rows.map((r) => r.model_version));

  it('keeps the old version the only active one, retries the message, and the retry deploys once', async () => {
    const retrain = retrainTrigger(tenantId, 'timeline', 'fault: connection killed');
    await h.publish(retrain);
    const trained = await h.published(retrain.correlationId, 'model.trained');
    const candidate = trained.payload.candidateVersion;
    expect(candidate).toBe(2);

    // The active (v1) baselines are locked by the test, so the deployment stops when it switches them off:
    // after deactivating v1 and inserting v2 as active, in its uncommitted transaction.
    const baselines = await LockHolder.hold(
      `select 1 from model_feature_baselines where tenant_id = $1 and model_type = 'timeline' and model_version = 1 for update`,
      [tenantId],
    );
    const validator = await h.startService('validator', ValidatorConfig, (c, l) =>
      ValidatorModule.forRoot(c, l),
    );
    const deploying = await baselines.blocked(
      h,
      /update "?model_feature_baselines"? set "?is_active"? = false/i,
      'the validator to switch the baselines',
    );
    expect(await activeVersions()).toEqual([1]);

    await terminateBackend(h, deploying.pid);
    const failed = await pollUntil(async () => h.logLine('handler failed; will retry', trained.id), {
      what: 'the validator to give the message back',
    });
    expect(failed.service).toBe('validator');
    expect(failed.delivery).toBe(1);
    // The killed transaction left nothing: v1 is still the only active version, no v2 row, no history.
    expect(await activeVersions()).toEqual([1]);
    expect(
      await h.query(
        `select 1 from model_metadata where tenant_id = $1 and model_type = 'timeline' and model_version = $2`,
        [tenantId, candidate],
      ),
    ).toEqual([]);
    expect(
      await h.query(`select 1 from model_deployments where correlation_id = $1`, [retrain.correlationId]),
    ).toEqual([]);

    await baselines.release();
    await h.notified(retrain.correlationId, 'model.deployed');

    await checkInvariants(h, { tenants: [tenantId], since });
    expect(await activeVersions()).toEqual([candidate]);
    expect(
      await h.query(`select from_version, to_version from model_deployments where correlation_id = $1`, [
        retrain.correlationId,
      ]),
    ).toEqual([{ from_version: 1, to_version: candidate }]);
    expect(
      await h.query<{ is_active: boolean; n: number }>(
        `select is_active, count(*)::int as n from model_feature_baselines where tenant_id = $1 and model_type = 'timeline' and model_version = $2 group by 1`,
        [tenantId, candidate],
      ),
    ).toEqual([{ is_active: true, n: expect.any(Number) as unknown }]);
    // The message was handled twice: the killed attempt (retry), then the one that deployed (ok).
    const metrics = await (await fetch(`${validator.url}/metrics`)).text();
    const handled = (outcome: string) =>
      new RegExp(
        `^ue_events_handled_total\\{[^}]*subject="model\\.trained"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`,
        'm',
      ).exec(metrics)?.[1];
    expect([handled('retry'), handled('ok')]).toEqual(['1', '1']);
  }, 180_000);
});
