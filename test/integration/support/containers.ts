import { PostgreSqlContainer } from '@testcontainers/postgresql';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { NatsContainer } from '@testcontainers/nats';
import type { StartedNatsContainer } from '@testcontainers/nats';
import { natsUrlOf } from '@app/messaging';

// Used only when a Docker engine is present and DATABASE_URL / NATS_URL are not set (the `testcontainers`
// job of .github/workflows/ci.yml; this machine has no image registry, so the local services are used).
let pg: StartedPostgreSqlContainer | undefined;
let nats: StartedNatsContainer | undefined;

export async function startContainers(): Promise<{ databaseUrl: string; natsUrl: string }> {
  // The container's user is its superuser, as the local `postgres` is: db:migrate creates the roles.
  pg = await new PostgreSqlContainer('postgres:15-alpine').withDatabase('union_eyes').start();
  // The module starts nats-server with `--user test --pass test`: the URL must carry them.
  nats = await new NatsContainer('nats:2.10-alpine').withJetStream().start();
  return { databaseUrl: pg.getConnectionUri(), natsUrl: natsUrlOf(nats.getConnectionOptions()) };
}

export async function stopContainers(): Promise<void> {
  await nats?.stop();
  await pg?.stop();
}
