import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { Topology } from './topology';
import { PrerequisiteError } from '@app/common';

// The two JetStream streams, and the two ways of touching them:
// - provisioning (`npm run nats:provision`, the nats-provision Job, Compose's nats-provision service)
//   creates and changes them with the deployed settings, as the one NATS user allowed to;
// - every service and the CLI only check that they exist with what they need, and stop otherwise.
// A client that "fixed" a stream itself would apply its own idea of the settings (this is how every CLI
// run once shrank the production streams from 3 replicas to 1).

const DAY_NS = 24 * 3600 * 1e9;

/** The fields provisioning owns; any other field (e.g. a limit set by hand with nats-box) is left alone. */
export const MANAGED_FIELDS = [
  'subjects',
  'storage',
  'retention',
  'discard',
  'max_age',
  'duplicate_window',
  'num_replicas',
] as const;
export type ManagedField = (typeof MANAGED_FIELDS)[number];

/** A stream as provisioning wants it: its name and every managed field. */
export type WantedStream = Pick<StreamConfig, 'name' | ManagedField>;

/** Stream settings, for a topology (subject prefix) and a number of replicas (STREAM_REPLICAS). */
export function streamConfigs(topology: Topology, replicas = 1): WantedStream[] {
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

/** What to do when a stream is missing or not as a client needs it. */
export const PROVISION_FIX =
  'Streams are created and changed only by the provisioning step, with the deployed settings: run ' +
  '`npm run nats:provision` (Kubernetes: the nats-provision Job; Docker Compose: the nats-provision ' +
  'service), then start again.';

/** A service or the CLI found the streams missing or unfit; it never creates or changes them itself. */
export class StreamsNotProvisionedError extends PrerequisiteError {
  constructor(
    readonly problems: string[],
    prefix: string,
  ) {
    super(
      'STREAMS_NOT_PROVISIONED',
      [
        `NATS streams are not provisioned as needed (SUBJECT_PREFIX ${JSON.stringify(prefix)}):`,
        ...problems.map((p) => `  - ${p}`),
        PROVISION_FIX,
      ].join('\n'),
    );
    this.name = 'StreamsNotProvisionedError';
  }
}

/** Provisioning would lose data or cannot change a stream in place: nothing was changed. */
export class StreamProvisioningRefusedError extends Error {
  constructor(readonly refusals: string[]) {
    super(['nothing changed:', ...refusals.map((r) => `  - ${r}`)].join('\n'));
    this.name = 'StreamProvisioningRefusedError';
  }
}

/**
 * Whether every message on `subject` (itself possibly a wildcard) is also on `pattern`: NATS matching,
 * `*` one token, `>` one or more trailing tokens.
 */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] === '*') {
      if (s[i] === '>') return false;
      continue;
    }
    if (p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/**
 * What a client finds wrong with a stream (empty when it can use it): missing, subjects that do not
 * capture what the topology publishes, or memory storage (events must survive a server restart).
 * Everything else (replicas, ages, limits) is the provisioner's business, not the clients'.
 */
export function streamProblems(wanted: WantedStream, actual: StreamConfig | undefined): string[] {
  if (!actual) return [`stream ${wanted.name} does not exist`];
  const problems: string[] = [];
  const uncovered = wanted.subjects.filter(
    (s) => !(actual.subjects ?? []).some((pattern) => subjectCovers(pattern, s)),
  );
  if (uncovered.length)
    problems.push(
      `stream ${wanted.name} does not capture ${uncovered.join(', ')} (its subjects: ${(actual.subjects ?? []).join(', ') || 'none'})`,
    );
  if (actual.storage !== wanted.storage)
    problems.push(`stream ${wanted.name} uses ${actual.storage} storage; want ${wanted.storage}`);
  return problems;
}

/** A duration in nanoseconds as the largest whole unit: 14d, 2m, 90s, 0 (no limit). */
export function formatNanos(ns: number): string {
  if (ns === 0) return '0';
  for (const [unit, size] of [
    ['d', DAY_NS],
    ['h', 3600e9],
    ['m', 60e9],
    ['s', 1e9],
  ] as const)
    if (ns % size === 0) return `${ns / size}${unit}`;
  return `${ns}ns`;
}

function show(field: ManagedField, value: StreamConfig[ManagedField] | undefined): string {
  if (value === undefined) return '(unset)';
  if (field === 'subjects') return (value as string[]).join(',');
  if (field === 'max_age' || field === 'duplicate_window') return formatNanos(value as number);
  return String(value);
}

function same(field: ManagedField, a: StreamConfig[ManagedField] | undefined, b: unknown): boolean {
  // Subjects are a set: the order the server returns them in means nothing.
  if (field === 'subjects')
    return (
      JSON.stringify([...((a as string[] | undefined) ?? [])].sort()) ===
      JSON.stringify([...(b as string[])].sort())
    );
  return a === b;
}

export interface StreamChange {
  field: ManagedField;
  from: string;
  to: string;
}

export interface StreamPlan {
  stream: string;
  action: 'create' | 'update' | 'unchanged';
  /** For an update: each managed field that differs, as shown to the operator. */
  changes: StreamChange[];
  /** Why it must not be done (nothing is changed when any stream has one). */
  refusals: string[];
}

export interface ProvisionOptions {
  /** STREAM_REPLICAS. */
  replicas: number;
  /** Lowering num_replicas drops copies of every message: only when asked for explicitly. */
  allowFewerReplicas?: boolean;
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
}

/** What provisioning does to one stream, from its wanted and current configuration (pure). */
export function planStream(
  wanted: WantedStream,
  actual: StreamConfig | undefined,
  opts: Pick<ProvisionOptions, 'allowFewerReplicas'> = {},
): StreamPlan {
  if (!actual) return { stream: wanted.name, action: 'create', changes: [], refusals: [] };
  const changes = MANAGED_FIELDS.filter((f) => !same(f, actual[f], wanted[f])).map((field): StreamChange => ({
    field,
    from: show(field, actual[field]),
    to: show(field, wanted[field]),
  }));
  const refusals: string[] = [];
  for (const c of changes) {
    if (c.field === 'storage' || c.field === 'retention')
      refusals.push(
        `${wanted.name}: ${c.field} ${c.from} -> ${c.to} cannot be changed in place: only by deleting the stream (and its messages) and provisioning again, see docs/operations.md "Change stream replicas"`,
      );
    if (
      c.field === 'num_replicas' &&
      (wanted.num_replicas ?? 1) < (actual.num_replicas ?? 1) &&
      !opts.allowFewerReplicas
    )
      refusals.push(
        `${wanted.name}: num_replicas ${c.from} -> ${c.to} would drop copies of every message; if that is intended (STREAM_REPLICAS lowered on purpose), run again with --allow-fewer-replicas`,
      );
  }
  return { stream: wanted.name, action: changes.length ? 'update' : 'unchanged', changes, refusals };
}

const isStreamNotFound = (err: unknown): boolean =>
  err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;

/** A stream's configuration, or undefined when it does not exist (any other error is thrown). */
export async function currentStreamConfig(
  jsm: JetStreamManager,
  name: string,
): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (isStreamNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * What every service (at start-up) and the CLI do: check that both streams exist, capture the topology's
 * subjects and store on file. Needs only STREAM.INFO; throws StreamsNotProvisionedError naming each
 * problem and the fix. Never creates or updates a stream.
 */
export async function checkStreams(jsm: JetStreamManager, topology: Topology): Promise<void> {
  const problems: string[] = [];
  for (const wanted of streamConfigs(topology))
    problems.push(...streamProblems(wanted, await currentStreamConfig(jsm, wanted.name)));
  if (problems.length) throw new StreamsNotProvisionedError(problems, topology.prefix);
}

/**
 * The provisioning step: creates missing streams and updates the managed fields that differ, with the
 * given replicas. Plans both streams first and changes nothing if either plan is refused (fewer replicas
 * without allowFewerReplicas, storage or retention changes). Returns what it did (or would do, dryRun).
 */
export async function provisionStreams(
  jsm: JetStreamManager,
  topology: Topology,
  opts: ProvisionOptions,
): Promise<StreamPlan[]> {
  const wanted = streamConfigs(topology, opts.replicas);
  const plans: StreamPlan[] = [];
  for (const w of wanted) plans.push(planStream(w, await currentStreamConfig(jsm, w.name), opts));
  const refusals = plans.flatMap((p) => p.refusals);
  if (refusals.length) throw new StreamProvisioningRefusedError(refusals);
  if (opts.dryRun) return plans;
  for (const [i, plan] of plans.entries()) {
    const { name, ...settings } = wanted[i]!;
    if (plan.action === 'create') await jsm.streams.add(wanted[i]!);
    // The client merges these into the stream's current configuration: unmanaged fields are kept.
    else if (plan.action === 'update') await jsm.streams.update(name, settings);
  }
  return plans;
}
