import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { natsPasswordVariable, readNatsValues, valueAt } from '../../scripts/check-deploy';
import type { Json, JsonObject, NatsUser } from '../../scripts/check-deploy';

// The NATS users of deploy/nats/values.yaml as a nats-server configuration, so tests run against exactly
// what is deployed. The values are read with the deploy check's own parser (scripts/check-deploy.ts):
// one source of truth for what the users are and may do.

const ROOT = path.resolve(__dirname, '../..');

/**
 * Keys a nats-server 2.9 refuses ("unknown field"), dropped wherever they appear. `sync_interval` (2.10)
 * is in `config.jetstream.merge`, which is not rendered anyway (the private server writes its own
 * `jetstream {}` block); it is listed so that moving it into `config.merge` cannot break the tests.
 */
const NEEDS_NATS_2_10 = new Set(['sync_interval']);

/** `<< $VAR >>` in the chart's values: written unquoted into nats.conf, so nats-server resolves `$VAR`. */
const RAW = /^<<\s*(.*?)\s*>>$/;

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One value in nats.conf syntax (quoted strings except the chart's `<< raw >>` ones). */
function confValue(value: Json, indent: string): string {
  const inner = `${indent}  `;
  if (value === null) throw new Error('null has no nats.conf form');
  if (typeof value === 'string') return RAW.exec(value)?.[1] ?? JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return `[\n${value.map((v) => `${inner}${confValue(v, inner)}`).join('\n')}\n${indent}]`;
  return `{\n${confEntries(value, inner)}\n${indent}}`;
}

function confEntries(map: JsonObject, indent: string): string {
  return Object.entries(map)
    .filter(([key]) => !NEEDS_NATS_2_10.has(key))
    .map(([key, v]) => `${indent}${BARE_KEY.test(key) ? key : JSON.stringify(key)}: ${confValue(v, indent)}`)
    .join('\n');
}

export interface DeployedNatsAuth {
  /**
   * nats-server configuration: the password variables (test values), then `config.merge` of values.yaml
   * as the chart merges it into nats.conf, the users' `$UE_..._PASSWORD` references unchanged.
   */
  config: string;
  /** The users as deployed, in values.yaml order. */
  users: NatsUser[];
  /** Test password of each user, by user name. */
  passwords: Map<string, string>;
}

/**
 * Renders the deployed NATS authorization for a private nats-server, with a fresh random password per
 * user. A variable defined at the top of nats.conf is resolved like the environment variable the chart's
 * servers read, so the users block stays exactly as deployed.
 */
export function deployedNatsAuth(root = ROOT): DeployedNatsAuth {
  const values = readNatsValues(root);
  const merge = valueAt(values, 'config.merge');
  const users = valueAt(values, 'config.merge.authorization.users');
  if (typeof merge !== 'object' || merge === null || Array.isArray(merge) || !Array.isArray(users))
    throw new Error('deploy/nats/values.yaml: no config.merge.authorization.users');
  const deployed = users as unknown as NatsUser[];
  const passwords = new Map(deployed.map((u) => [u.user, randomBytes(12).toString('hex')]));
  const variables = deployed.map(
    (u) => `${natsPasswordVariable(u.user)}: ${JSON.stringify(passwords.get(u.user))}`,
  );
  return {
    config: [...variables, confEntries(merge as JsonObject, '')].join('\n'),
    users: deployed,
    passwords,
  };
}
