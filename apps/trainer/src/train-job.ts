import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  ConfigError,
  DomainError,
  errorMessage,
  EXIT_USAGE,
  loadConfig,
  parseFlags,
  STDIO,
  toIO,
  UsageError,
} from '@app/common';
import type { CliIO } from '@app/common';
import { inPlatformTransaction, inTenantTransaction, ormConfig } from '@app/database';
import { configureXgboost, fitCandidate } from '@app/ml';
import { trainingHalfLifeDays } from '@app/domain';
import { readKeyVaultSecret } from './key-vault-secret';
import { TrainJobConfig } from './trainer.config';
import { TrainingDataRepository } from './training-data.repository';
import { TrainingRunRepository } from './training-run.repository';

// The Azure ML command job: `node /app/dist/apps/trainer/src/train-job.js --run-id ID`. Trains the run's
// candidate with the same code as the trainer service and writes the artifact (its baselines with it) and
// figures to the database; the trainer's Azure ML poller then completes the run. The database password is not in the
// job's environment: DATABASE_PASSWORD_SECRET_URI names a Key Vault secret, read with the compute's managed
// identity. Nothing is read relative to the working directory. Exit 0 done, 1 failed (the reason is on the
// run, or in the job's log when the database was out of reach), 2 bad usage.

export async function runTrainJob(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CliIO | ((line: string) => void),
): Promise<0 | 1 | 2> {
  const { out, err: fail } = toIO(output);
  let runId: string;
  try {
    const { flags } = parseFlags(argv, { 'run-id': { type: 'string', pattern: /^[0-9a-f-]{36}$/ } });
    if (!flags['run-id']) throw new UsageError('--run-id is required');
    runId = String(flags['run-id']);
  } catch (err) {
    fail(`usage: train-job --run-id UUID (${errorMessage(err)})`);
    return EXIT_USAGE;
  }
  let config: TrainJobConfig;
  try {
    config = loadConfig(TrainJobConfig, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(err.message);
    return EXIT_USAGE;
  }
  configureXgboost(config.XGBOOST_LIBRARY);
  let password: string | undefined;
  if (config.DATABASE_PASSWORD_SECRET_URI) {
    if (new URL(config.DATABASE_URL).password) {
      fail(
        'DATABASE_URL: has a password while DATABASE_PASSWORD_SECRET_URI is set (value not shown): give one or the other',
      );
      return EXIT_USAGE;
    }
    try {
      password = await readKeyVaultSecret(config.DATABASE_PASSWORD_SECRET_URI, config.AZURE_CLIENT_ID);
    } catch (err) {
      // Nothing can be written on the run without the database: the reason goes to the job's log.
      out(`database password unavailable: ${errorMessage(err)}`);
      return 1;
    }
  }
  const orm = await MikroORM.init({
    ...ormConfig({ databaseUrl: config.DATABASE_URL, poolMax: 2 }),
    // Kept in memory only: never put back into a URL, an environment variable or a log line.
    ...(password === undefined ? {} : { password }),
    // MikroORM reads MIKRO_ORM_* settings from <baseDir>/.env, baseDir defaulting to the working directory,
    // which on Azure ML is the job's snapshot: pinned here so the job reads nothing from where it is started.
    baseDir: __dirname,
  });
  const runs = new TrainingRunRepository();
  const data = new TrainingDataRepository();
  try {
    // The job knows only its run id: finding the run is platform-wide, the rest is in its tenant's scope.
    const run = await inPlatformTransaction(orm, (em) => runs.findRun(em, runId));
    if (!run) {
      out(`no training run ${runId}`);
      return 1;
    }
    // The examples as of the run's recorded logical time: the same the local backend would have read.
    const { tenantId, modelType, asOf } = run;
    try {
      // Read, fit, store: the fit holds no transaction open.
      const { examples, available, inputs } = await inTenantTransaction(orm, tenantId, (em) =>
        data.trainingData(em, tenantId, modelType, asOf),
      );
      const fitted = await fitCandidate(
        examples,
        {
          tenantId,
          modelType,
          rounds: config.XGB_ROUNDS,
          earlyStoppingRounds: config.XGB_EARLY_STOPPING_ROUNDS,
          threads: config.XGB_THREADS,
          asOf,
          halfLifeDays: config.TRAINING_HALF_LIFE_DAYS || trainingHalfLifeDays(modelType),
          available,
        },
        inputs,
      );
      const r = await inTenantTransaction(orm, tenantId, async (em) => {
        const stored = await runs.storeCandidate(em, fitted);
        await runs.recordCandidate(em, runId, stored);
        return stored;
      });
      out(
        `trained ${modelType} for ${tenantId}: candidate v${r.version}, hold-out accuracy ${(r.holdoutAccuracy * 100).toFixed(1)}%`,
      );
      return 0;
    } catch (err) {
      // Said first: the job's log is all an operator has if recording it on the run fails too.
      out(`training failed: ${errorMessage(err)}`);
      await inTenantTransaction(orm, tenantId, (em) => runs.noteError(em, runId, errorMessage(err))).catch(
        (recordErr: unknown) =>
          fail(`could not record the failure on run ${runId}: ${errorMessage(recordErr)}`),
      );
      if (err instanceof DomainError) return 1;
      throw err;
    }
  } finally {
    await orm.close(true);
  }
}

if (require.main === module) {
  runTrainJob(process.argv.slice(2), process.env, STDIO)
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      // An unexpected failure: its stack, since the job's log is all there is to debug it from.
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
