import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { AppLogger, BaseConfig } from '@app/common';
import { natsConnectOptions } from './nats-url';
import { Topology } from './topology';

const DAY_NS = 24 * 3600 * 1e9;

/** Stream settings; created idempotently at start-up by every service (first one wins, the rest no-op). */
export function streamConfigs(
  topology: Topology,
  replicas = 1,
): (Partial<StreamConfig> & { name: string })[] {
  return [
    {
      name: topology.eventsStream,
      subjects: topology.eventSubjects(),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: 14 * DAY_NS,
      duplicate_window: 2 * 60 * 1e9,
      num_replicas: replicas,
    },
    {
      name: topology.deadLetterStream,
      subjects: topology.deadLetterSubjects(),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: 90 * DAY_NS,
      duplicate_window: 2 * 60 * 1e9,
      num_replicas: replicas,
    },
  ];
}

export async function ensureStreams(jsm: JetStreamManager, topology: Topology, replicas = 1): Promise<void> {
  for (const cfg of streamConfigs(topology, replicas)) {
    try {
      await jsm.streams.add(cfg);
    } catch (err) {
      // 10058: the stream exists with another configuration (e.g. an older max_age): update it.
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === 10058) {
        await jsm.streams.update(cfg.name, cfg);
      } else {
        throw err;
      }
    }
  }
}

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
    });
    this.client = jetstream(this.connection);
    this.manager = await jetstreamManager(this.connection);
    await ensureStreams(this.manager, this.topology, this.config.STREAM_REPLICAS);
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
