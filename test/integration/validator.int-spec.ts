import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { runCli } from '../../apps/cli/src/main';
import { runSeedCommand } from '../../apps/seeder/src/command';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { Harness } from './support/harness';
import { pollUntil } from './support/poll';
import { retrainTrigger } from './support/retrain';

// Validation and deployment on real Postgres and NATS: one trained candidate, then many deployments at
// once, duplicates, stale candidates and a rollback.
describe('validator', () => {
  const h = new Harness();
  const tenantId = 'tenant_71_0';
  let trained: Envelope<'model.trained'>;

  beforeAll(async () => {
    await h.start();
    expect(
      await runSeedCommand(
        ['--seed', '71', '--tenants', '1', '--claims', '3000'],
        () => undefined,
        process.env,
      ),
    ).toBe(0);
    // A real candidate (v2) from the trainer; the validator is not running yet.
    const trainer = await h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l));
    const request = retrainTrigger(tenantId, 'assignment', 'test');
    await h.publish(request);
    const [row] = await pollUntil(
      async () => {
        const rows = await h.query<{ envelope: Envelope<'model.trained'> }>(
          `select envelope from outbox where subject = 'model.trained' and envelope->>'correlationId' = $1`,
          [request.correlationId],
        );
        return rows.length > 0 ? rows : false;
      },
      { what: 'model.trained', timeoutMs: 30_000 },
    );
    trained = row!.envelope;
    await h.stopService(trainer);
    await h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l), {
      CONSUMER_CONCURRENCY: '8',
      DB_POOL_MAX: '12',
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  const active = () =>
    h.query<{ model_version: number }>(
      `select model_version from model_metadata where tenant_id = $1 and model_type = 'assignment' and is_active`,
      [tenantId],
    );
  const validated = (correlationId: string) =>
    h.query<{ passed: boolean; gates: { name: string; passed: boolean }[] }>(
      `select (envelope->'payload'->>'passed')::boolean as passed, envelope->'payload'->'gates' as gates from outbox where subject = 'model.validated' and envelope->>'correlationId' = $1`,
      [correlationId],
    );
  const candidate = (version: number, correlationId: string) =>
    createEnvelope(
      'model.trained',
      { ...trained.payload, candidateVersion: version },
      { tenantId, correlationId },
    );

  it('deploys a candidate that passes every gate, switching the active baselines, all in one transaction', async () => {
    await h.publish(trained);
    await pollUntil(async () => (await active())[0]?.model_version === 2, { what: 'v2 active' });
    const [v] = await validated(trained.correlationId);
    expect(v!.passed).toBe(true);
    expect(v!.gates.map((g) => g.name)).toEqual([
      'accuracy_floor',
      'enough_evidence',
      'champion_comparison',
      'champion_mcnemar',
      'fairness',
    ]);
    const baselines = await h.query<{ model_version: number; n: number }>(
      `select model_version, count(*)::int as n from model_feature_baselines where tenant_id = $1 and model_type = 'assignment' and is_active group by 1`,
      [tenantId],
    );
    expect(baselines).toEqual([{ model_version: 2, n: 5 }]);
    const [run] = await h.query<{ validation_result: { passed: boolean; subgroups: unknown[] } }>(
      `select validation_result from ml_model_training_runs where id = $1`,
      [trained.payload.runId],
    );
    expect(run!.validation_result.passed).toBe(true);
    expect(run!.validation_result.subgroups.length).toBeGreaterThan(5);
  });

  it('leaves exactly one active version when many deployments run at once', async () => {
    const events = Array.from({ length: 8 }, (_, i) => candidate(3 + i, `concurrent-${i}`));
    await Promise.all(events.map((e) => h.publish(e)));
    await pollUntil(
      async () => {
        const all = await Promise.all(events.map((e) => validated(e.correlationId)));
        return all.every((rows) => rows.length === 1);
      },
      { what: 'every candidate validated', timeoutMs: 60_000 },
    );
    const actives = await active();
    expect(actives).toHaveLength(1);
    const deployments = await h.query<{ to_version: number }>(
      `select to_version from model_deployments where tenant_id = $1 and model_type = 'assignment' and correlation_id like 'concurrent-%' order by deployed_at`,
      [tenantId],
    );
    // Versions only ever go up, and the last one deployed is the one active.
    expect(deployments.map((d) => d.to_version)).toEqual(
      [...deployments.map((d) => d.to_version)].sort((a, b) => a - b),
    );
    expect(actives[0]!.model_version).toBe(deployments.at(-1)!.to_version);
    const stale = (await Promise.all(events.map((e) => validated(e.correlationId))))
      .flat()
      .filter((v) => !v.passed);
    for (const s of stale)
      expect(s.gates).toEqual([expect.objectContaining({ name: 'newer_than_active', passed: false })]);
    expect(stale.length + deployments.length).toBe(8);
  });

  it('ignores a duplicate and never lets an older candidate replace a newer model', async () => {
    const before = (await active())[0]!.model_version;
    await h.publish(trained, `again-${trained.id}`); // the same event, a new Nats-Msg-Id: the inbox drops it
    const old = candidate(2, 'out-of-order');
    await h.publish(old);
    const [v] = await pollUntil(async () => {
      const rows = await validated('out-of-order');
      return rows.length > 0 ? rows : false;
    });
    expect(v!.passed).toBe(false);
    expect(v!.gates[0]).toMatchObject({ name: 'newer_than_active', passed: false });
    expect(await active()).toEqual([{ model_version: before }]);
    expect(await validated(trained.correlationId)).toHaveLength(1);
  });

  it('rolls back to an earlier version from the command line, with its baselines, and records why', async () => {
    const before = (await active())[0]!.model_version;
    const out: string[] = [];
    const code = await runCli(
      ['rollback', '--tenant', tenantId, '--model', 'assignment', '--to-version', '1'],
      (l) => out.push(l),
      { ...process.env, SUBJECT_PREFIX: h.prefix },
    );
    expect(out.join('\n')).toContain(`v1 is active again (was v${before})`);
    expect(code).toBe(0);
    expect(await active()).toEqual([{ model_version: 1 }]);
    const [history] = await h.query(
      `select from_version, to_version, reason from model_deployments where tenant_id = $1 and model_type = 'assignment' order by deployed_at desc limit 1`,
      [tenantId],
    );
    expect(history).toEqual({ from_version: before, to_version: 1, reason: 'rollback' });
    const baselines = await h.query(
      `select distinct model_version from model_feature_baselines where tenant_id = $1 and model_type = 'assignment' and is_active`,
      [tenantId],
    );
    expect(baselines).toEqual([{ model_version: 1 }]);
  });

  it('refuses a rollback to a version that does not exist, before publishing anything', async () => {
    const out: string[] = [];
    expect(
      await runCli(
        ['rollback', '--tenant', tenantId, '--model', 'assignment', '--to-version', '99'],
        (l) => out.push(l),
        { ...process.env, SUBJECT_PREFIX: h.prefix },
      ),
    ).toBe(1);
    expect(out[0]).toMatch(/has no assignment version 99 \(versions: 1, 2, /);
    expect(await runCli(['rollback', '--tenant', tenantId], (l) => out.push(l), process.env)).toBe(2);
  });
});
