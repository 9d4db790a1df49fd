import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import { ALL_SUBJECTS } from '@app/contracts';
import type { Envelope, Subject } from '@app/contracts';
import { checkStreams, natsConnectOptions, publishEnvelope, Topology } from '@app/messaging';

/**
 * The CLI's view of the bus: publish an event, and watch every event of the stream from now on
 * (an ordered, ephemeral consumer created before publishing, so nothing is missed).
 */
export class CliBus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    private readonly messages: ConsumerMessages,
  ) {}

  static async open(natsUrl: string, prefix: string): Promise<CliBus> {
    const nc = await connect({ ...natsConnectOptions(natsUrl), name: 'ue-cli' });
    const topology = new Topology(prefix);
    try {
      // Only a check (STREAM.INFO): streams are provisioned by `nats:provision`, never by a CLI run.
      await checkStreams(await jetstreamManager(nc), topology);
    } catch (err) {
      await nc.close();
      throw err;
    }
    const js = jetstream(nc);
    const consumer = await js.consumers.get(topology.eventsStream, { deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume();
    return new CliBus(nc, js, topology, messages);
  }

  async publish(envelope: Envelope): Promise<void> {
    await publishEnvelope(this.js, this.topology, envelope);
  }

  /** Calls `onEvent` for each event until it returns true or the timeout passes; returns whether it finished. */
  async watch(onEvent: (e: Envelope) => boolean, timeoutMs: number): Promise<boolean> {
    const timer = setTimeout(() => this.messages.stop(), timeoutMs);
    try {
      for await (const m of this.messages) {
        const subject = this.topology.unprefix(m.subject) as Subject;
        if (!ALL_SUBJECTS.includes(subject)) continue;
        let e: Envelope;
        try {
          e = JSON.parse(m.string()) as Envelope;
        } catch {
          continue;
        }
        if (onEvent(e)) return true;
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.messages.stop();
    await this.nc.close();
  }
}
