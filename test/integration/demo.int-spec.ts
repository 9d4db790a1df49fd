import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnvelope, PLATFORM_TENANT } from '@app/contracts';
import { XGBOOST_INSTALL_HINT } from '@app/ml';
import { followAndReport } from '../../scripts/demo-report';
import { ScorerConfig } from '../../apps/scorer/src/scorer.config';
import { ScorerModule } from '../../apps/scorer/src/scorer.module';
import { TrainerConfig } from '../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../apps/validator/src/validator.module';
import { Harness } from './support/harness';
import { pollUntil } from './support/poll';
import { startAllServices } from './support/services';

// The README's two commands tell the truth: without XGBoost's library they stop before anything starts
// (exit 2, with what to install), a service that needs it will not start without it, and the demo's
// pipeline follower exits 1, saying which and why, when a training fails or a message is dead-lettered.
const ROOT = path.resolve(__dirname, '../..');
const MISSING = '/nonexistent/libxgboost.so.0';

describe('an honest demo', () => {
  it('stops the prerequisite step with exit 2 and what to install when the library is not there', () => {
    const r = spawnSync('bash', ['scripts/prerequisites.sh', 'test'], {
      cwd: ROOT,
      env: { ...process.env, XGBOOST_LIBRARY: MISSING },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`XGBOOST_LIBRARY=${MISSING}: no such file`);
    expect(r.stderr).toContain(XGBOOST_INSTALL_HINT);
  });

  it('stops the demo before anything starts, with the same message', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ue-demo-'));
    try {
      const r = spawnSync('bash', ['scripts/demo.sh'], {
        cwd: ROOT,
        env: { ...process.env, XGBOOST_LIBRARY: MISSING, DEMO_DIR: path.join(dir, 'demo') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(XGBOOST_INSTALL_HINT);
      // Nothing was built, started or written.
      expect(r.stdout).not.toContain('== Build');
      expect(existsSync(path.join(dir, 'demo'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // One harness for the file: MikroORM's entity metadata is global, and a harness clears it when it stops.
  describe('services and the pipeline follower', () => {
    const h = new Harness();
    // Too few claims for two of the four models: their retraining fails with "insufficient samples".
    const seed = 5151;
    const tenantId = `tenant_${seed}_0`;
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date();

    beforeAll(() => h.start());
    afterAll(() => h.stop());

    it('trainer, validator and scorer refuse to start without it, naming the library and the commands', async () => {
      const env = { XGBOOST_LIBRARY: MISSING };
      await expect(
        h.startService('trainer', TrainerConfig, (c, l) => TrainerModule.forRoot(c, l), env),
      ).rejects.toThrow(XGBOOST_INSTALL_HINT);
      await expect(
        h.startService('validator', ValidatorConfig, (c, l) => ValidatorModule.forRoot(c, l), env),
      ).rejects.toThrow(XGBOOST_INSTALL_HINT);
      await expect(
        h.startService('scorer', ScorerConfig, (c, l) => ScorerModule.forRoot(c, l), env),
      ).rejects.toThrow(XGBOOST_INSTALL_HINT);
    });

    it('exits 1 and says which pipeline failed and why, and which message was dead-lettered', async () => {
      await startAllServices(h);
      const request = createEnvelope(
        'seed.requested',
        { tenants: 1, users: 50, claims: 1200, seed, scenario: 'drift', requestedBy: 'test' },
        { tenantId: PLATFORM_TENANT },
      );
      await h.publish(request);
      // 1,200 claims are too few for most models' version 1 (insufficient samples): wait for the seed itself.
      await pollUntil(
        async () =>
          (await h.query(`select 1 from seed_runs where id = $1 and completed_at is not null`, [request.id]))
            .length === 1,
        { what: 'the seeded tenant', timeoutMs: 60_000 },
      );
      for (const modelType of ['claim_outcome', 'timeline', 'churn_risk', 'assignment'] as const)
        await h.publish(
          createEnvelope(
            'drift.check.requested',
            { modelType, logicalDate: today, requestedBy: 'test' },
            { tenantId },
          ),
        );
      // A message the notifier cannot read: dead-lettered with its reason.
      await h.publishRaw('model.deployed', '{"not": "an envelope"}');

      const out: string[] = [];
      const code = await followAndReport({
        databaseUrl: process.env.DATABASE_URL!,
        natsUrl: h.natsUrl,
        subjectPrefix: h.prefix,
        wait: 120,
        since,
        logicalDate: today,
        tenantIds: [tenantId],
        out: (l) => out.push(l),
      });
      const text = out.join('\n');
      expect(code).toBe(1);
      expect(text).toMatch(
        new RegExp(`${tenantId} claim_outcome: training failed: insufficient samples: have \\d+, need 1000`),
      );
      expect(text).toMatch(
        /dead letter: model\.deployed given up by notifier__model_deployed \(CONTRACT_VIOLATION\)/,
      );
      expect(text).not.toContain('not finished');
    }, 180_000);
  });
});
