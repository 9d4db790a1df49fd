import { randomUUID } from 'node:crypto';
import {
  latestNotifiedCorrelation,
  modelStatus,
  notificationCounts,
  pipelineOutcomes,
  tenantIds,
} from '@app/database';
import { withDatabase } from '../../apps/cli/src/database';
import { runCli } from '../../apps/cli/src/main';
import { Harness, seedTestDatabase } from './support/harness';

// The operator reports of libs/database (read-models/reports.ts) over rows written as their owners
// write them, and the CLI commands that read through them without any service running.
describe('operator reports', () => {
  const h = new Harness();
  const tenant = 'tenant_84_0';
  const day = '2030-01-07';
  const correlationId = randomUUID();
  const url = () => process.env.DATABASE_URL!;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, process.env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const notify = async (severity: string, modelType: string | null, cid: string, eventType: string) => {
    const [row] = await h.query<{ id: string }>(
      `insert into ml_retraining_notifications (tenant_id, event_id, event_type, model_type, severity, channel, recipient, subject, body, status, correlation_id)
       values ($1, $2, $3, $4, $5, 'in_app', 'admins', 's', 'b', 'sent', $6) returning id`,
      [tenant, randomUUID(), eventType, modelType, severity, cid],
    );
    return row!.id;
  };

  beforeAll(async () => {
    await h.start();
    // Enough claims for a version 1 of every model (fewer give none: insufficient samples).
    await seedTestDatabase(['--seed', '84', '--tenants', '1', '--claims', '2000']);
    // A pipeline of `day`: retrain decided, a candidate trained, and rejected by the validator.
    await h.query(
      `insert into drift_checks (tenant_id, model_type, model_version, logical_date, decision, features, reasons, event_id, correlation_id, max_psi, accuracy, labelled_count)
       values ($1, 'timeline', 1, $2, 'retrain', '[]', '["psi 0.4 on department"]', $3, $4, 0.4, 0.7, 120)`,
      [tenant, day, randomUUID(), correlationId],
    );
    const [run] = await h.query<{ id: string }>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id, candidate_version, validation_accuracy)
       values ($1, 'timeline', 'completed', 'drift', $2, 2, 0.75) returning id`,
      [tenant, correlationId],
    );
    await h.query(
      `insert into model_validations (training_run_id, tenant_id, model_type, model_version, passed, result, correlation_id)
       values ($1, $2, 'timeline', 2, false, $3, $4)`,
      [
        run!.id,
        tenant,
        JSON.stringify({
          passed: false,
          gates: [
            { name: 'accuracy_floor', passed: true },
            { name: 'champion', passed: false },
          ],
        }),
        correlationId,
      ],
    );
    await notify('warning', 'timeline', correlationId, 'drift.detected');
    await notify('warning', 'timeline', correlationId, 'model.validated');
    // Runs in progress and alerts of another model: one acknowledged, one not.
    await h.query(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id) values ($1, 'churn_risk', 'running', 'drift', $2)`,
      [tenant, randomUUID()],
    );
    const acked = await notify('failure', 'churn_risk', randomUUID(), 'training.failed');
    await notify('failure', 'churn_risk', randomUUID(), 'training.failed');
    await h.query(
      `insert into ml_alert_acknowledgments (tenant_id, notification_id, acknowledged_by) values ($1, $2, 'rosa')`,
      [tenant, acked],
    );
  }, 120_000);
  afterAll(async () => {
    await h.stop();
  });

  it('follows a pipeline to the validator verdict kept in model_validations', async () => {
    const rows = await withDatabase(url(), (em) =>
      pipelineOutcomes(em, { logicalDate: day, tenantIds: [tenant] }),
    );
    expect(rows).toEqual([
      {
        tenantId: tenant,
        modelType: 'timeline',
        decision: 'retrain',
        accuracy: 0.7,
        labelledCount: 120,
        reasons: ['psi 0.4 on department'],
        correlationId,
        runStatus: 'completed',
        runError: null,
        validationAccuracy: 0.75,
        validation: {
          passed: false,
          gates: [
            { name: 'accuracy_floor', passed: true },
            { name: 'champion', passed: false },
          ],
        },
        activeVersion: 1,
        notifications: 2,
        // The notifier's inbox has not seen the model.validated event (no outbox row here).
        notifiedEnd: false,
      },
    ]);
    await withDatabase(url(), async (em) => {
      expect(await pipelineOutcomes(em, { logicalDate: day, tenantIds: [] })).toEqual([]);
      expect(await pipelineOutcomes(em, { logicalDate: day, tenantIds: ['nobody'] })).toEqual([]);
    });
  });

  it('counts notifications per pipeline and finds the latest of a kind', async () => {
    await withDatabase(url(), async (em) => {
      expect(await notificationCounts(em, [correlationId, randomUUID()])).toEqual(
        new Map([[correlationId, 2]]),
      );
      expect(await notificationCounts(em, [])).toEqual(new Map());
      expect(await latestNotifiedCorrelation(em, 'model.validated')).toBe(correlationId);
      expect(await latestNotifiedCorrelation(em, 'no.such.event')).toBeNull();
      expect(await tenantIds(em, tenant)).toEqual([tenant]);
      expect(await tenantIds(em, 'nobody')).toEqual([]);
    });
  });

  it('reports every active model with its last check, runs in progress and open alerts', async () => {
    const models = await withDatabase(url(), (em) => modelStatus(em, tenant));
    expect(models.map((m) => m.modelType)).toEqual(['assignment', 'churn_risk', 'claim_outcome', 'timeline']);
    const timeline = models.find((m) => m.modelType === 'timeline')!;
    expect(timeline).toMatchObject({
      tenantId: tenant,
      activeVersion: 1,
      lastCheck: { decision: 'retrain', maxPsi: 0.4 },
      runsInProgress: 0,
      unacknowledgedAlerts: 2,
    });
    expect(timeline.lastCheck!.checkedAt).toBeInstanceOf(Date);
    expect(timeline.deployedAt === null || timeline.deployedAt instanceof Date).toBe(true);
    expect(models.find((m) => m.modelType === 'churn_risk')).toMatchObject({
      runsInProgress: 1,
      unacknowledgedAlerts: 1,
    });

    const r = await cli('status', '--json', '--tenant', tenant);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const doc = JSON.parse(r.out) as {
      models: { modelType: string; lastCheck: { checkedAt: string } | null }[];
    };
    expect(doc.models.find((m) => m.modelType === 'timeline')!.lastCheck!.checkedAt).toBe(
      timeline.lastCheck!.checkedAt.toISOString(),
    );
  });

  it.each([
    [['--to-version', '9'], `${tenant} has no timeline version 9 (versions: 1)`],
    [['--to-version', '1'], 'timeline v1 is already active'],
    [[], `${tenant} timeline v1 has no earlier version: nothing to roll back`],
  ])('refuses rollback %j by the shared rules, before publishing anything', async (extra, message) => {
    // NATS_URL points nowhere: a request that got past the rules would fail to connect instead.
    const out: string[] = [];
    const code = await runCli(
      ['rollback', '--tenant', tenant, '--model', 'timeline', ...extra],
      (l) => out.push(l),
      { ...process.env, NATS_URL: 'nats://127.0.0.1:1' },
    );
    expect({ code, out }).toEqual({ code: 1, out: [message] });
  });

  it('refuses a rollback of a model with no active version', async () => {
    const r = await cli('rollback', '--tenant', 'tenant_nobody', '--model', 'timeline');
    expect({ code: r.code, err: r.err }).toEqual({
      code: 1,
      err: 'tenant_nobody has no active timeline model: nothing to roll back',
    });
  });

  it('says the database cannot be reached, in one line', async () => {
    const out: string[] = [];
    const code = await runCli(['status'], (l) => out.push(l), {
      ...process.env,
      DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(out).toEqual([expect.stringMatching(/^error: cannot connect to the database: .+/)]);
  });
});
