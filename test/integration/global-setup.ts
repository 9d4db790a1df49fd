// Global setup runs outside jest's moduleNameMapper: resolve the @app/* aliases from tsconfig.json.
import 'tsconfig-paths/register';
import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { migrate } from '../../libs/database/src/migrate';
import { MetadataStorage } from '@mikro-orm/core';
import { startContainers } from './support/containers';

/**
 * One private database and one private subject prefix per test run, so runs never disturb each other
 * or the developer's data. Postgres and NATS come from DATABASE_URL / NATS_URL when set; otherwise
 * Testcontainers starts them when a Docker engine is present; otherwise the local defaults are used.
 * Values set on process.env here reach the test workers (they are forked afterwards).
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  let baseDbUrl = process.env.DATABASE_URL;
  let natsUrl = process.env.NATS_URL;

  if ((!baseDbUrl || !natsUrl) && dockerAvailable()) {
    const started = await startContainers();
    baseDbUrl ??= started.databaseUrl;
    natsUrl ??= started.natsUrl;
  }
  baseDbUrl ??= 'postgresql://postgres:postgres@127.0.0.1:5432/union_eyes';
  natsUrl ??= 'nats://127.0.0.1:4222';

  const url = new URL(baseDbUrl);
  url.pathname = `/ue_test_${runId}`;
  const databaseUrl = url.toString();
  process.env.UE_TEST_BASE_DATABASE_URL = baseDbUrl;
  process.env.DATABASE_URL = databaseUrl;
  process.env.NATS_URL = natsUrl;
  process.env.SUBJECT_PREFIX = `t${runId}.`;
  process.env.LOG_FORMAT = 'json';
  process.env.RETRY_BASE_MS = '200';

  await migrate(databaseUrl);
  // MikroORM keeps global metadata; clear it so the workers' own init starts clean (MikroORM #3783).
  MetadataStorage.clear();
}

function dockerAvailable(): boolean {
  try {
    execSync('docker info', { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
