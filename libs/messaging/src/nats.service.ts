import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { AppLogger, BaseConfig } from '@app/common';
import { natsConnectOptions } from './nats-url';
import { checkStreams } from './streams';
import { Topology } from './topology';

/** The service's one NATS connection, JetStream client and manager. */
@Injectable()
export class NatsService implements OnApplicationShutdown {
  readonly topology: Topology;
  private connection?: NatsConnection;
  private client?: JetStreamClient;
  private manager?: JetStreamManager;

  constructor(
    private readonly config: BaseConfig,
    private readonly log: AppLogger,
  ) {
    this.topology = new Topology(config.SUBJECT_PREFIX);
  }

  async connect(name: string): Promise<void> {
    if (this.connection) return;
    const options = natsConnectOptions(this.config.NATS_URL);
    this.connection = await connect({
      ...options,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      // No stack captured ahead of every request and JetStream publish in case it fails: at one publish
      // per claim (the scorer's claim.scored) that was a tenth of the service's CPU. A failure still says
      // what failed (its message and code), only not from where it was called.
      noAsyncTraces: true,
    });
    this.client = jetstream(this.connection);
    this.manager = await jetstreamManager(this.connection);
    // Only a check: the streams are the provisioning step's (npm run nats:provision). A missing or unfit
    // stream stops the start-up with what is wrong and how to fix it.
    await checkStreams(this.manager, this.topology);
    this.log.info('connected to NATS JetStream', {
      // Host and port only: NATS_URL may carry the service's user and password.
      servers: options.servers.join(','),
      user: options.user,
      stream: this.topology.eventsStream,
    });
    void this.watchStatus(this.connection);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
        this.log.warn(`NATS ${s.type}`, { server: 'server' in s ? s.server : undefined });
      }
    }
  }

  get nc(): NatsConnection {
    if (!this.connection) throw new Error('NATS is not connected yet');
    return this.connection;
  }
  get js(): JetStreamClient {
    if (!this.client) throw new Error('NATS is not connected yet');
    return this.client;
  }
  get jsm(): JetStreamManager {
    if (!this.manager) throw new Error('NATS is not connected yet');
    return this.manager;
  }

  /** For /health: connected and the server answers a round trip. */
  async healthy(): Promise<boolean> {
    if (!this.connection || this.connection.isClosed()) return false;
    try {
      await this.connection.flush();
      return true;
    } catch {
      return false;
    }
  }

  /** After the consumers stopped (onModuleDestroy) and before the process exits. */
  async onApplicationShutdown(): Promise<void> {
    const nc = this.connection;
    this.connection = undefined;
    if (nc && !nc.isClosed()) await nc.drain();
  }
}
