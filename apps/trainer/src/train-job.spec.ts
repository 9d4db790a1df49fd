import { runTrainJob } from './train-job';

// What train-job checks before it opens any connection (no Key Vault, no database is reached here).
describe('train-job start-up', () => {
  const runId = ['--run-id', '0b6f4b0e-3c1d-4f55-9a4e-6f8d2b7c9e10'];

  it('refuses a DATABASE_URL with a password next to a Key Vault reference, exit 2, without echoing it', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runTrainJob(
      runId,
      {
        DATABASE_URL: 'postgresql://ue_trainer:S3cr3t-Fixture@pg:5432/union_eyes',
        DATABASE_PASSWORD_SECRET_URI: 'https://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password',
      },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err).toEqual([
      expect.stringMatching(/^DATABASE_URL: has a password while DATABASE_PASSWORD_SECRET_URI is set/),
    ]);
    expect(err.join('\n')).not.toContain('S3cr3t');
  });

  it('exits 2 with the list of problems on a bad configuration', async () => {
    const lines: string[] = [];
    await expect(runTrainJob(runId, { XGB_ROUNDS: 'many' }, (l) => lines.push(l))).resolves.toBe(2);
    expect(lines.join('\n')).toMatch(/Invalid configuration:[\s\S]*XGB_ROUNDS/);
  });

  it('exits 2 with usage when the run id is missing', async () => {
    const lines: string[] = [];
    await expect(runTrainJob([], {}, (l) => lines.push(l))).resolves.toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^usage: train-job --run-id UUID/)]);
  });
});
