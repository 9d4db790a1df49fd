import { connect, ConnectionError } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { CliIO, FlagSpec, ParsedFlags } from '@app/common';
import { natsConnectOptions, provisionStreams, streamConfigs, Topology } from '@app/messaging';
import type { StreamPlan } from '@app/messaging';
import type { CliConfig } from '../cli.config';
import type { ExitCode } from './types';

// `nats:provision`: the one step that creates and changes the JetStream streams, with the deployed
// settings (STREAM_REPLICAS). Run by the nats-provision Job (Kubernetes), Compose's nats-provision
// service and `npm run nats:provision`, as the NATS user ue-provisioner (deploy/nats/values.yaml), the
// only one besides the nats-box admin allowed STREAM.CREATE and STREAM.UPDATE.

export const NATS_PROVISION_FLAGS: FlagSpec = {
  'allow-fewer-replicas': {
    type: 'bool',
    help: 'let STREAM_REPLICAS lower the replicas of an existing stream (refused otherwise)',
  },
  'dry-run': { type: 'bool', help: 'say what would change, change nothing' },
};

/**
 * How long to wait for a NATS server that is not up yet: Compose starts this right after the NATS
 * container, and a Kubernetes Job may run while the NATS release is still rolling out.
 */
const CONNECT_ATTEMPTS = 30;
const CONNECT_RETRY_MS = 1000;

/**
 * Connects, retrying only while no server answers (ConnectionError); a refused login or any other error
 * fails at once. (The client's waitOnFirstConnect would retry for ever, ignoring maxReconnectAttempts.)
 */
async function connectWithRetry(
  options: ReturnType<typeof natsConnectOptions>,
  progress: (line: string) => void,
): Promise<NatsConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect({ ...options, name: 'ue-nats-provision' });
    } catch (err) {
      if (!(err instanceof ConnectionError) || attempt >= CONNECT_ATTEMPTS) throw err;
      if (attempt === 1) progress(`waiting for NATS (${err.message}; up to ${CONNECT_ATTEMPTS} attempts)`);
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
    }
  }
}

/** One line per stream: what was done, and for an update each changed field as `field old -> new`. */
export function describePlan(plan: StreamPlan, dryRun: boolean, replicas: number): string {
  const verb = (done: string, would: string) => (dryRun ? would : done);
  switch (plan.action) {
    case 'create':
      return `${plan.stream}: ${verb('created', 'would create')} (${replicas} replica${replicas === 1 ? '' : 's'})`;
    case 'update':
      return `${plan.stream}: ${verb('updated', 'would update')} ${plan.changes.map((c) => `${c.field} ${c.from} -> ${c.to}`).join(', ')}`;
    case 'unchanged':
      return `${plan.stream}: unchanged`;
  }
}

export async function natsProvision(
  config: CliConfig,
  flags: ParsedFlags,
  { out, err }: CliIO,
): Promise<ExitCode> {
  const dryRun = flags['dry-run'] === true;
  const replicas = config.STREAM_REPLICAS;
  const topology = new Topology(config.SUBJECT_PREFIX);
  const options = natsConnectOptions(config.NATS_URL);
  const names = streamConfigs(topology).map((s) => s.name);
  const who = options.user ? ` as ${options.user}` : '';
  out(
    `NATS ${options.servers.join(',')}${who}: streams ${names.join(', ')}, STREAM_REPLICAS=${replicas}${dryRun ? ' (dry run: nothing is changed)' : ''}`,
  );
  const nc = await connectWithRetry(options, err);
  try {
    const plans = await provisionStreams(await jetstreamManager(nc), topology, {
      replicas,
      allowFewerReplicas: flags['allow-fewer-replicas'] === true,
      dryRun,
    });
    for (const plan of plans) out(describePlan(plan, dryRun, replicas));
    return 0;
  } finally {
    await nc.close();
  }
}
