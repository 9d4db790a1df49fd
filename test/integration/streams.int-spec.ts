import type { Subscription } from '@nats-io/transport-node';
import type { StreamConfig } from '@nats-io/jetstream';
import { currentStreamConfig, StreamsNotProvisionedError, Topology } from '@app/messaging';
import { runCli } from '../../apps/cli/src/main';
import { NotifierConfig } from '../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { Harness } from './support/harness';
import { spawnServiceFromSource } from './support/source-process';

// The streams are created and changed by one step, `nats:provision`; services and the CLI only check
// them. Real NATS JetStream (the run's server), real services and the real command. Every JetStream API
// request to create or update this file's streams is also seen by a plain subscription on its subject,
// so "never calls STREAM.CREATE / STREAM.UPDATE" is observed on the wire, not inferred.

const DAY_NS = 86_400e9;

describe('streams: provisioned by nats:provision, only checked by services and the CLI', () => {
  // This file provisions through the command itself, so the harness does not.
  const h = new Harness({ provision: false });
  /** A prefix whose streams nobody ever provisions. */
  const bare = new Topology(`${h.prefix}bare.`);
  const streams = [h.topology.eventsStream, h.topology.deadLetterStream];
  /** STREAM.CREATE / STREAM.UPDATE requests seen for this file's streams (both prefixes). */
  const changeRequests: string[] = [];
  const spies: Subscription[] = [];

  const cli = async (prefix: string, argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const code = await runCli(argv, (l) => out.push(l), { ...process.env, SUBJECT_PREFIX: prefix, ...env });
    return { code, text: out.join('\n') };
  };
  const configs = async (): Promise<(StreamConfig | undefined)[]> =>
    Promise.all(streams.map((s) => currentStreamConfig(h.jsm, s)));

  beforeAll(async () => {
    await h.start();
    for (const name of [...streams, bare.eventsStream, bare.deadLetterStream])
      for (const op of ['CREATE', 'UPDATE']) {
        const sub = h.nc.subscribe(`$JS.API.STREAM.${op}.${name}`);
        spies.push(sub);
        void (async () => {
          for await (const m of sub) changeRequests.push(m.subject);
        })();
      }
    await h.nc.flush();
  });
  afterAll(async () => {
    for (const s of spies) s.unsubscribe();
    // Nothing should exist under the bare prefix; if a regression created something, do not leave it.
    for (const name of [bare.eventsStream, bare.deadLetterStream])
      await h.jsm?.streams.delete(name).catch(() => false);
    await h.stop();
  });

  it('nats:provision exits 2 on a bad argument, before connecting', async () => {
    const nowhere = { NATS_URL: 'nats://127.0.0.1:1' };
    const started = Date.now();
    for (const [argv, env, message] of [
      [['nats:provision', '--replicas', '3'], {}, /unknown option --replicas/],
      [['nats:provision', 'now'], {}, /unexpected argument "now"/],
      [['nats:provision', '--dry-run=yes'], {}, /--dry-run takes no value/],
      [
        ['nats:provision'],
        { STREAM_REPLICAS: '0' },
        /STREAM_REPLICAS: STREAM_REPLICAS must not be less than 1/,
      ],
    ] as const) {
      const r = await cli(h.prefix, [...argv], { ...nowhere, ...env });
      expect({ code: r.code, text: r.text }).toEqual({
        code: 2,
        text: expect.stringMatching(message) as string,
      });
    }
    // Connecting to a port where nothing listens would have waited up to 30 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a service whose streams were never provisioned fails to start, saying so and how to fix it', async () => {
    // In-process: the start-up rejects with the error, and the service created nothing.
    const failed = h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l), {
      SUBJECT_PREFIX: bare.prefix,
    });
    await expect(failed).rejects.toThrow(StreamsNotProvisionedError);
    await expect(failed).rejects.toThrow(`stream ${bare.eventsStream} does not exist`);

    // As production runs it: the process prints the message (no stack trace) and exits 1.
    const child = spawnServiceFromSource('notifier', { SUBJECT_PREFIX: bare.prefix });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(
      [
        `notifier: NATS streams are not provisioned as needed (SUBJECT_PREFIX "${bare.prefix}"):`,
        `  - stream ${bare.eventsStream} does not exist`,
        `  - stream ${bare.deadLetterStream} does not exist`,
        'Streams are created and changed only by the provisioning step, with the deployed settings: run `npm run nats:provision` (Kubernetes: the nats-provision Job; Docker Compose: the nats-provision service), then start again.',
      ].join('\n'),
    );
    expect(stderr).not.toMatch(/^\s+at /m);

    expect(await currentStreamConfig(h.jsm, bare.eventsStream)).toBeUndefined();
    expect(await currentStreamConfig(h.jsm, bare.deadLetterStream)).toBeUndefined();
    expect(changeRequests).toEqual([]);
  }, 90_000);

  it('the CLI exits 1 with the same error, and creates nothing', async () => {
    const r = await cli(bare.prefix, ['seed', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.text).toContain(
      `error: NATS streams are not provisioned as needed (SUBJECT_PREFIX "${bare.prefix}"):`,
    );
    expect(r.text).toContain(`  - stream ${bare.eventsStream} does not exist`);
    expect(r.text).toContain('run `npm run nats:provision`');
    expect(await currentStreamConfig(h.jsm, bare.eventsStream)).toBeUndefined();
    expect(changeRequests).toEqual([]);
  });

  it('nats:provision creates both streams with the deployed settings, and a second run changes nothing', async () => {
    const first = await cli(h.prefix, ['nats:provision']);
    expect(first.code).toBe(0);
    expect(first.text).toContain(`${h.topology.eventsStream}: created (1 replica)`);
    expect(first.text).toContain(`${h.topology.deadLetterStream}: created (1 replica)`);
    const [events, dlq] = await configs();
    expect(events).toEqual(
      expect.objectContaining({
        subjects: h.topology.eventSubjects(),
        storage: 'file',
        max_age: 14 * DAY_NS,
        num_replicas: 1,
      }),
    );
    expect(dlq).toEqual(
      expect.objectContaining({ subjects: h.topology.deadLetterSubjects(), max_age: 90 * DAY_NS }),
    );
    expect(changeRequests.filter((s) => s.includes('.CREATE.'))).toHaveLength(2);

    const second = await cli(h.prefix, ['nats:provision']);
    expect(second.code).toBe(0);
    expect(second.text.split('\n').slice(1)).toEqual([
      `${h.topology.eventsStream}: unchanged`,
      `${h.topology.deadLetterStream}: unchanged`,
    ]);
    expect(changeRequests).toHaveLength(2);
  });

  it('nats:provision raises the replicas to STREAM_REPLICAS', async () => {
    // A standalone nats-server 2.9 accepts and records num_replicas 3 on an update (it refuses it on a
    // create), so this file's streams can look like production's replicated ones.
    const r = await cli(h.prefix, ['nats:provision'], { STREAM_REPLICAS: '3' });
    expect(r.code).toBe(0);
    expect(r.text.split('\n').slice(1)).toEqual([
      `${h.topology.eventsStream}: updated num_replicas 1 -> 3`,
      `${h.topology.deadLetterStream}: updated num_replicas 1 -> 3`,
    ]);
    expect((await configs()).map((c) => c?.num_replicas)).toEqual([3, 3]);
  });

  it("a CLI command and a service start leave a provisioned stream's settings untouched", async () => {
    // Besides the 3 replicas, an operator's deliberate setting the deployed configuration does not have:
    // 20 days instead of 14. The old clients "fixed" any difference, and shrank the replicas to 1.
    await h.jsm.streams.update(h.topology.eventsStream, { max_age: 20 * DAY_NS });
    const before = await configs();
    expect(before.map((c) => [c?.num_replicas, c?.max_age])).toEqual([
      [3, 20 * DAY_NS],
      [3, 90 * DAY_NS],
    ]);
    await h.nc.flush();
    changeRequests.length = 0;

    // The CLI passes the check and publishes (no seeder runs here, so nobody answers).
    const r = await cli(h.prefix, ['seed', '--timeout', '1']);
    expect(r.text).toContain('no answer from the seeder');
    expect(r.code).toBe(1);
    const service = await h.startService('notifier', NotifierConfig, (c, l) => NotifierModule.forRoot(c, l));
    await h.stopService(service);

    expect(await configs()).toEqual(before);
    await h.nc.flush();
    expect(changeRequests).toEqual([]);
  });

  it('nats:provision brings the setting back and says what it changed; a dry run changes nothing', async () => {
    const deployed = { STREAM_REPLICAS: '3' };
    const dry = await cli(h.prefix, ['nats:provision', '--dry-run'], deployed);
    expect(dry.code).toBe(0);
    expect(dry.text.split('\n').slice(1)).toEqual([
      `${h.topology.eventsStream}: would update max_age 20d -> 14d`,
      `${h.topology.deadLetterStream}: unchanged`,
    ]);
    await h.nc.flush();
    expect(changeRequests).toEqual([]);

    const r = await cli(h.prefix, ['nats:provision'], deployed);
    expect(r.code).toBe(0);
    expect(r.text.split('\n').slice(1)).toEqual([
      `${h.topology.eventsStream}: updated max_age 20d -> 14d`,
      `${h.topology.deadLetterStream}: unchanged`,
    ]);
    expect((await configs())[0]!.max_age).toBe(14 * DAY_NS);
    await h.nc.flush();
    expect(changeRequests).toEqual([`$JS.API.STREAM.UPDATE.${h.topology.eventsStream}`]);
  });

  it('nats:provision refuses to lower the replicas unless --allow-fewer-replicas is given', async () => {
    const before = await configs();
    changeRequests.length = 0;
    // STREAM_REPLICAS unset (1), as on a machine that forgot the production setting.
    const refused = await cli(h.prefix, ['nats:provision']);
    expect(refused.code).toBe(1);
    expect(refused.text).toContain(
      [
        'error: nothing changed:',
        `  - ${h.topology.eventsStream}: num_replicas 3 -> 1 would drop copies of every message; if that is intended (STREAM_REPLICAS lowered on purpose), run again with --allow-fewer-replicas`,
        `  - ${h.topology.deadLetterStream}: num_replicas 3 -> 1 would drop copies of every message; if that is intended (STREAM_REPLICAS lowered on purpose), run again with --allow-fewer-replicas`,
      ].join('\n'),
    );
    expect(await configs()).toEqual(before);
    await h.nc.flush();
    expect(changeRequests).toEqual([]);

    const allowed = await cli(h.prefix, ['nats:provision', '--allow-fewer-replicas']);
    expect(allowed.code).toBe(0);
    expect(allowed.text.split('\n').slice(1)).toEqual([
      `${h.topology.eventsStream}: updated num_replicas 3 -> 1`,
      `${h.topology.deadLetterStream}: updated num_replicas 3 -> 1`,
    ]);
    expect((await configs()).map((c) => c?.num_replicas)).toEqual([1, 1]);
  });
});
