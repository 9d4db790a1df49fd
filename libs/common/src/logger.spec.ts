import { DomainError } from './errors';
import { scrubText } from './log-redaction';
import { AppLogger, NestLoggerAdapter } from './logger';
import type { LoggerOptions } from './logger';

/** A logger writing into an array, and the lines parsed. */
function collect(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const log = new AppLogger({ service: 'trainer', format: 'json', sink: (l) => lines.push(l), ...options });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, records };
}

/** An Error with a fixed stack, so that the expected lines do not depend on where the test runs. */
function fixture<E extends Error>(err: E, ...frames: string[]): E {
  err.stack = [`${err.name}: ${err.message}`, ...frames.map((f) => `    at ${f}`)].join('\n');
  return err;
}

describe('AppLogger (pino)', () => {
  it('writes the JSON shape other code reads: ISO time, level label, service, msg, fields at the top', () => {
    const { log, lines, records } = collect();
    log.info('service started', { http: 'http://127.0.0.1:3101' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"level":"info"');
    expect(records()[0]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
      level: 'info',
      service: 'trainer',
      http: 'http://127.0.0.1:3101',
      msg: 'service started',
    });
  });

  it('logs an error with its type, message, stack, code and cause', () => {
    const { log, records } = collect();
    const cause = fixture(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }),
      'TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
    );
    const err = fixture(
      new DomainError('TRAINING_DATA_UNAVAILABLE', 'could not read the training sample', true, {
        runId: 'r1',
      }),
      'TrainingDataRepository.sample (/app/dist/apps/trainer/src/training-data.repository.js:41:13)',
      'async TrainerService.train (/app/dist/apps/trainer/src/trainer.service.js:97:20)',
    );
    Object.assign(err, { cause });
    log.error('training crashed', { err, runId: 'r1' });
    expect(records()[0]).toEqual({
      time: expect.any(String) as string,
      level: 'error',
      service: 'trainer',
      runId: 'r1',
      msg: 'training crashed',
      err: {
        type: 'DomainError',
        name: 'DomainError',
        message: 'could not read the training sample',
        stack:
          'DomainError: could not read the training sample\n' +
          '    at TrainingDataRepository.sample (/app/dist/apps/trainer/src/training-data.repository.js:41:13)\n' +
          '    at async TrainerService.train (/app/dist/apps/trainer/src/trainer.service.js:97:20)',
        code: 'TRAINING_DATA_UNAVAILABLE',
        retryable: true,
        details: { runId: 'r1' },
        cause: {
          type: 'Error',
          message: 'connect ECONNREFUSED 10.0.0.7:5432',
          stack:
            'Error: connect ECONNREFUSED 10.0.0.7:5432\n' +
            '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
          code: 'ECONNREFUSED',
        },
      },
    });
  });

  it('keeps the real stack of a thrown error', () => {
    const { log, records } = collect();
    try {
      JSON.parse('{not json');
    } catch (err) {
      log.warn('bad payload', { err });
    }
    const err = records()[0]!.err as { type: string; stack: string };
    expect(err.type).toBe('SyntaxError');
    expect(err.stack).toMatch(/^SyntaxError: .*\n\s+at JSON\.parse/);
    expect(err.stack).toContain('logger.spec.ts');
  });

  it('redacts secret keys at the top and nested in objects', () => {
    const { log, lines, records } = collect();
    log.info('connecting', {
      DATABASE_URL: 'postgresql://ue_trainer:pg-secret-1@db:5432/union_eyes',
      db: { host: 'db', password: 'pg-secret-2' },
      req: { method: 'POST', headers: { authorization: 'Bearer tok-secret-3', accept: 'application/json' } },
    });
    expect(records()[0]).toMatchObject({
      DATABASE_URL: '[redacted]',
      db: { host: 'db', password: '[redacted]' },
      req: { method: 'POST', headers: { authorization: '[redacted]', accept: 'application/json' } },
    });
    expect(lines[0]).not.toMatch(/secret-[123]/);
  });

  it('scrubs a password written in a URL, in an error message and in its stack', () => {
    const { log, lines, records } = collect();
    const err = fixture(
      new Error('connection to postgresql://ue_trainer:pg-pa55-do-not-log@db:5432/union_eyes failed'),
      'Client._connectionCallback (/app/node_modules/pg/lib/client.js:132:24)',
    );
    log.error('cannot reach smtp://ml-alerts:smtp-pa55-do-not-log@mail:587', {
      err,
      url: 'nats://ue-trainer:nats-pa55-do-not-log@nats:4222',
    });
    const line = lines[0]!;
    expect(line).not.toContain('pa55-do-not-log');
    const record = records()[0] as { msg: string; url: string; err: { message: string; stack: string } };
    expect(record.msg).toBe('cannot reach smtp://ml-alerts:***@mail:587');
    expect(record.url).toBe('nats://ue-trainer:***@nats:4222');
    expect(record.err.message).toBe('connection to postgresql://ue_trainer:***@db:5432/union_eyes failed');
    expect(record.err.stack).toBe(
      'Error: connection to postgresql://ue_trainer:***@db:5432/union_eyes failed\n' +
        '    at Client._connectionCallback (/app/node_modules/pg/lib/client.js:132:24)',
    );
  });

  it('replaces registered secret values wherever they appear, in children too', () => {
    const { log, lines } = collect();
    const child = log.child({ tenantId: 'tenant_1_0' });
    log.addSecrets(['https://hooks.slack.test/T0/B0/xoxbSECRET', 'short']);
    child.warn('POST https://hooks.slack.test/T0/B0/xoxbSECRET failed', {
      err: new Error('request to https://hooks.slack.test/T0/B0/xoxbSECRET timed out'),
      note: 'a short note',
    });
    expect(lines[0]).not.toContain('xoxbSECRET');
    expect(lines[0]).toContain('POST [secret] failed');
    // Values under 6 characters are not registered: they would blank out ordinary words.
    expect(lines[0]).toContain('a short note');
  });

  it('drops the lines below LOG_LEVEL', () => {
    const { log, records } = collect({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('merges child fields, and a field given at the call wins (one key, not two)', () => {
    const { log, lines, records } = collect();
    const message = log
      .child({ tenantId: 'tenant_1_0', correlationId: 'c-1' })
      .child({ eventId: 'e-1', subject: 'drift.detected' });
    message.info('event handled', { emitted: 1 });
    message.info('moved', { tenantId: 'tenant_2_0' });
    expect(records()[0]).toMatchObject({
      service: 'trainer',
      tenantId: 'tenant_1_0',
      correlationId: 'c-1',
      eventId: 'e-1',
      subject: 'drift.detected',
      emitted: 1,
      msg: 'event handled',
    });
    expect(records()[1]).toMatchObject({ tenantId: 'tenant_2_0', correlationId: 'c-1' });
    expect(lines[1]!.match(/"tenantId"/g)).toHaveLength(1);
  });

  it('gives one readable line per record in pretty format', () => {
    const { log, lines } = collect({ format: 'pretty' });
    log.child({ tenantId: 'tenant_1_0' }).info('drift checked', { decision: 'no_drift', psi: 0.04 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[trainer\] drift checked \{"tenantId":"tenant_1_0","decision":"no_drift","psi":0.04\}$/,
    );
  });

  it('prints an error stack under its line in pretty format, scrubbed', () => {
    const { log, lines } = collect({ format: 'pretty' });
    const err = fixture(
      new Error('login to smtp://alerts:smtp-pa55@mail failed'),
      'SMTPConnection._onClose (x.js:1:1)',
    );
    log.error('send failed', { err });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[[\d:.]+\] ERROR: \[trainer\] send failed ?\n/);
    expect(lines[0]).toContain('at SMTPConnection._onClose (x.js:1:1)');
    expect(lines[0]).toContain('smtp://alerts:***@mail');
    expect(lines[0]).not.toContain('smtp-pa55');
  });

  it('survives circular fields', () => {
    const { log, records } = collect();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    log.info('circular', { a });
    expect(records()[0]!.a).toEqual({ name: 'a', self: '[Circular]' });
  });
});

describe('scrubText', () => {
  it.each([
    ['postgresql://u:p@h:5432/db', 'postgresql://u:***@h:5432/db'],
    ['redis://:pw@h', 'redis://:***@h'],
    [
      'postgresql://u:p@ss/w#rd@h/db (raw @ and / in the password)',
      'postgresql://u:***@h/db (raw @ and / in the password)',
    ],
    [
      'postgresql://h/db?user=u&password=p&sslmode=require',
      'postgresql://h/db?user=u&password=***&sslmode=require',
    ],
    [
      'https://acct.blob.core.windows.net/c/x?sv=2022&sig=abc%2Fdef',
      'https://acct.blob.core.windows.net/c/x?sv=2022&sig=***',
    ],
    ['Authorization: Bearer eyJhbGciOi.x.y', 'Authorization: Bearer ***'],
    [
      'http://127.0.0.1:3101/health and nats://nats:4222',
      'http://127.0.0.1:3101/health and nats://nats:4222',
    ],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('NestLoggerAdapter', () => {
  it("routes Nest's lines with their context, and an exception with its stack", () => {
    const { log, records } = collect({ level: 'debug' });
    const nest = new NestLoggerAdapter(log.child({ context: 'nest' }));
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    // What BaseExceptionFilter does with an unexpected exception (Nest's Logger appends its context).
    nest.error(
      fixture(new Error('boom'), 'HealthController.health (h.js:1:1)'),
      undefined,
      'ExceptionsHandler',
    );
    // What Logger.error(message, stack) gives.
    nest.error(
      'listen failed',
      'Error: EADDRINUSE\n    at Server.setupListenHandle (node:net:1:1)',
      'NestApplication',
    );
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'RouterExplorer',
        msg: 'Mapped {/health, GET} route',
      }),
      expect.objectContaining({
        level: 'error',
        context: 'ExceptionsHandler',
        msg: 'boom',
        err: expect.objectContaining({
          type: 'Error',
          stack: 'Error: boom\n    at HealthController.health (h.js:1:1)',
        }) as unknown,
      }),
      expect.objectContaining({
        level: 'error',
        context: 'NestApplication',
        msg: 'listen failed',
        err: expect.objectContaining({
          message: 'listen failed',
          stack: 'Error: EADDRINUSE\n    at Server.setupListenHandle (node:net:1:1)',
        }) as unknown,
      }),
    ]);
  });
});
