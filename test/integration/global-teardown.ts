// Global setup runs outside jest's moduleNameMapper: resolve the @app/* aliases from tsconfig.json.
import 'tsconfig-paths/register';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { dropDatabase } from '../../libs/database/src/ensure-database';
import { Topology } from '../../libs/messaging/src/topology';
import { natsConnectOptions } from '../../libs/messaging/src/nats-url';
import { stopContainers } from './support/containers';

/** Drops the run's database and deletes the run's streams (the machine's NATS keeps them on disk). */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.SUBJECT_PREFIX;
  if (process.env.KEEP_TEST_STATE === '1') return;
  if (process.env.DATABASE_URL?.includes('/ue_test_')) await dropDatabase(process.env.DATABASE_URL);
  if (prefix && process.env.NATS_URL) {
    const nc = await connect(natsConnectOptions(process.env.NATS_URL));
    const jsm = await jetstreamManager(nc);
    const t = new Topology(prefix);
    for (const name of [t.eventsStream, t.deadLetterStream]) {
      await jsm.streams.delete(name).catch(() => false);
    }
    await nc.close();
  }
  await stopContainers();
}
