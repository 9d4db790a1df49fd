import { PostgreSqlContainer } from '@testcontainers/postgresql';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { NatsContainer } from '@testcontainers/nats';
import type { StartedNatsContainer } from '@testcontainers/nats';

// Used only when a Docker engine is present and DATABASE_URL / NATS_URL are not set.
let pg: StartedPostgreSqlContainer | undefined;
let nats: StartedNatsContainer | undefined;

export async function startContainers(): Promise<{ databaseUrl: string; natsUrl: string }> {
  pg = await new PostgreSqlContainer('postgres:15-alpine').withDatabase('union_eyes').start();
  nats = await new NatsContainer('nats:2.10-alpine').withJetStream().start();
  const opts = nats.getConnectionOptions();
  const server = Array.isArray(opts.servers) ? opts.servers[0] : opts.servers;
  return {
    databaseUrl: pg.getConnectionUri(),
    natsUrl: `nats://${String(server).replace(/^nats:\/\//, '')}`,
  };
}

export async function stopContainers(): Promise<void> {
  await nats?.stop();
  await pg?.stop();
}
