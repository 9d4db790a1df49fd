import { StorageType } from '@nats-io/jetstream';
import type { StreamConfig } from '@nats-io/jetstream';
import {
  formatNanos,
  planStream,
  streamConfigs,
  StreamsNotProvisionedError,
  streamProblems,
  subjectCovers,
} from './streams';
import { Topology } from './topology';

// The pure halves of provisioning and of the clients' check, against fixed server answers.

/** UE_EVENTS exactly as nats-server 2.9.10 answers STREAM.INFO after `nats:provision` (1 replica). */
const SERVER_EVENTS: StreamConfig = {
  name: 'UE_EVENTS',
  subjects: ['drift.>', 'model.>', 'training.>', 'seed.>', 'claim.>'],
  retention: 'limits',
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: -1,
  max_age: 1209600000000000,
  max_msgs_per_subject: -1,
  max_msg_size: -1,
  discard: 'old',
  storage: 'file',
  num_replicas: 1,
  duplicate_window: 120000000000,
  allow_direct: false,
  mirror_direct: false,
  sealed: false,
  deny_delete: false,
  deny_purge: false,
  allow_rollup_hdrs: false,
} as StreamConfig;

const topology = new Topology('');
const wantedEvents = (replicas: number) => streamConfigs(topology, replicas)[0]!;
const withChanges = (changes: Partial<StreamConfig>): StreamConfig => ({ ...SERVER_EVENTS, ...changes });

describe('planStream (what nats:provision does to one stream)', () => {
  it('creates a missing stream', () => {
    expect(planStream(wantedEvents(3), undefined)).toEqual({
      stream: 'UE_EVENTS',
      action: 'create',
      changes: [],
      refusals: [],
    });
  });

  it("leaves the server's own answer unchanged: extra fields and subject order do not count", () => {
    const reordered = withChanges({ subjects: [...SERVER_EVENTS.subjects].reverse(), max_msgs: 1000 });
    expect(planStream(wantedEvents(1), reordered)).toEqual({
      stream: 'UE_EVENTS',
      action: 'unchanged',
      changes: [],
      refusals: [],
    });
  });

  it('updates the managed fields that differ and shows each as old -> new', () => {
    const plan = planStream(wantedEvents(3), withChanges({ max_age: 20 * 86_400e9 }));
    expect(plan).toEqual({
      stream: 'UE_EVENTS',
      action: 'update',
      changes: [
        { field: 'max_age', from: '20d', to: '14d' },
        { field: 'num_replicas', from: '1', to: '3' },
      ],
      refusals: [],
    });
  });

  it('adds a subject root the code publishes and the stream lacks', () => {
    const plan = planStream(wantedEvents(1), withChanges({ subjects: ['drift.>', 'model.>'] }));
    expect(plan.changes).toEqual([
      {
        field: 'subjects',
        from: 'drift.>,model.>',
        to: 'drift.>,model.>,training.>,seed.>,claim.>',
      },
    ]);
    expect(plan.refusals).toEqual([]);
  });

  it('drops a subject root nothing publishes any more (retrain.>, before issue 15)', () => {
    const plan = planStream(
      wantedEvents(1),
      withChanges({ subjects: ['drift.>', 'retrain.>', 'model.>', 'training.>', 'seed.>', 'claim.>'] }),
    );
    expect(plan).toMatchObject({
      action: 'update',
      changes: [
        {
          field: 'subjects',
          from: 'drift.>,retrain.>,model.>,training.>,seed.>,claim.>',
          to: 'drift.>,model.>,training.>,seed.>,claim.>',
        },
      ],
      refusals: [],
    });
  });

  it('refuses to lower the replicas unless asked explicitly', () => {
    const replicated = withChanges({ num_replicas: 3 });
    expect(planStream(wantedEvents(1), replicated).refusals).toEqual([
      'UE_EVENTS: num_replicas 3 -> 1 would drop copies of every message; if that is intended (STREAM_REPLICAS lowered on purpose), run again with --allow-fewer-replicas',
    ]);
    expect(planStream(wantedEvents(1), replicated, { allowFewerReplicas: true })).toEqual({
      stream: 'UE_EVENTS',
      action: 'update',
      changes: [{ field: 'num_replicas', from: '3', to: '1' }],
      refusals: [],
    });
  });

  it('refuses what cannot change in place: storage and retention', () => {
    const plan = planStream(
      wantedEvents(1),
      withChanges({ storage: StorageType.Memory, retention: 'workqueue' } as Partial<StreamConfig>),
    );
    expect(plan.refusals).toEqual([
      'UE_EVENTS: storage memory -> file cannot be changed in place: only by deleting the stream (and its messages) and provisioning again, see docs/operations.md "Change stream replicas"',
      'UE_EVENTS: retention workqueue -> limits cannot be changed in place: only by deleting the stream (and its messages) and provisioning again, see docs/operations.md "Change stream replicas"',
    ]);
  });
});

describe('streamProblems (what a service or the CLI checks)', () => {
  it('accepts a provisioned stream whatever its replicas and ages', () => {
    expect(streamProblems(wantedEvents(1), withChanges({ num_replicas: 3, max_age: 0 }))).toEqual([]);
  });

  it('names a missing stream', () => {
    expect(streamProblems(wantedEvents(1), undefined)).toEqual(['stream UE_EVENTS does not exist']);
  });

  it('names the subjects the stream does not capture, and memory storage', () => {
    const actual = withChanges({
      subjects: ['drift.>', 'model.*', 'seed.requested'],
      storage: StorageType.Memory,
    });
    expect(streamProblems(wantedEvents(1), actual)).toEqual([
      'stream UE_EVENTS does not capture model.>, training.>, seed.>, claim.> (its subjects: drift.>, model.*, seed.requested)',
      'stream UE_EVENTS uses memory storage; want file',
    ]);
  });

  it('accepts broader subjects than needed', () => {
    expect(streamProblems(wantedEvents(1), withChanges({ subjects: ['*.>'] }))).toEqual([]);
  });
});

describe('subjectCovers', () => {
  it.each([
    ['drift.>', 'drift.>', true],
    ['drift.>', 'drift.check.requested', true],
    ['drift.>', 'drift', false],
    ['*.>', 'model.>', true],
    ['model.*', 'model.deployed', true],
    ['model.*', 'model.>', false],
    ['model.*', 'model.rollback.requested', false],
    ['model.deployed', 'model.*', false],
    ['t1.dlq.>', 'dlq.>', false],
    ['>', 't1.dlq.x', true],
  ])('%s covers %s: %s', (pattern, subject, expected) => {
    expect(subjectCovers(pattern, subject)).toBe(expected);
  });
});

describe('messages', () => {
  it('shows durations in their largest whole unit', () => {
    expect([14 * 86_400e9, 120e9, 90e9, 3600e9, 0, 1500].map(formatNanos)).toEqual([
      '14d',
      '2m',
      '90s',
      '1h',
      '0',
      '1500ns',
    ]);
  });

  it('tells a service what is wrong and how to fix it', () => {
    const err = new StreamsNotProvisionedError(
      ['stream T1_UE_EVENTS does not exist', 'stream T1_UE_DLQ does not exist'],
      't1.',
    );
    expect(err.message).toBe(
      [
        'NATS streams are not provisioned as needed (SUBJECT_PREFIX "t1."):',
        '  - stream T1_UE_EVENTS does not exist',
        '  - stream T1_UE_DLQ does not exist',
        'Streams are created and changed only by the provisioning step, with the deployed settings: run `npm run nats:provision` (Kubernetes: the nats-provision Job; Docker Compose: the nats-provision service), then start again.',
      ].join('\n'),
    );
  });
});
