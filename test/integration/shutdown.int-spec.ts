import type { ChildProcess } from 'node:child_process';
import { Harness, seedTestDatabase } from './support/harness';
import { spawnServiceFromSource } from './support/source-process';
import { pollUntil } from './support/poll';
import { retrainTrigger } from './support/retrain';

// A service stopped with SIGTERM while it handles a message: it finishes (or gives back) what it holds,
// exits within the grace period, and the message is neither lost nor handled twice.
describe('graceful shutdown', () => {
  const h = new Harness();
  const tenantId = 'tenant_91_0';
  const children: ChildProcess[] = [];

  /** The trainer as its own process, from the TypeScript sources (no build needed). */
  const startTrainer = () => {
    const child = spawnServiceFromSource('trainer', { SUBJECT_PREFIX: h.prefix });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    children.push(child);
    return { child, output: () => output };
  };

  beforeAll(async () => {
    await h.start();
    await seedTestDatabase(['--seed', '91', '--tenants', '1', '--claims', '5000']);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h.stop();
  });

  it('finishes the message in flight on SIGTERM, exits, and the next process does not handle it again', async () => {
    const first = startTrainer();
    await pollUntil(async () => first.output().includes('"msg":"consuming"'), {
      what: 'the trainer to consume',
      timeoutMs: 60_000,
    });
    const e = retrainTrigger(tenantId, 'claim_outcome', 'shutdown test');
    await h.publish(e);
    // In flight: the run is started (its row is committed before training begins).
    await pollUntil(
      async () =>
        (
          await h.query(
            `select 1 from ml_model_training_runs where correlation_id = $1 and status = 'running'`,
            [e.correlationId],
          )
        ).length === 1,
      {
        what: 'the run to start',
        intervalMs: 10,
      },
    );
    const stopped = Date.now();
    first.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => first.child.on('exit', (c) => resolve(c)));
    expect(Date.now() - stopped).toBeLessThan(30_000);
    expect(code).toBe(0);

    const runs = await h.query<{ status: string }>(
      `select status from ml_model_training_runs where correlation_id = $1`,
      [e.correlationId],
    );
    expect(runs).toEqual([{ status: 'completed' }]);

    // A new trainer starts on the same durable consumer: nothing is redelivered and handled again.
    const second = startTrainer();
    await pollUntil(async () => second.output().includes('"msg":"consuming"'), {
      what: 'the second trainer',
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      await h.query(`select status from ml_model_training_runs where correlation_id = $1`, [e.correlationId]),
    ).toHaveLength(1);
    const trained = await h.query(
      `select 1 from outbox where subject = 'model.trained' and envelope->>'correlationId' = $1`,
      [e.correlationId],
    );
    expect(trained).toHaveLength(1);
    expect(second.output()).not.toContain(e.id);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.on('exit', r));
  });
});
