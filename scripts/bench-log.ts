import { pino } from 'pino';
import { AppLogger } from '@app/common';

// npm run bench:log -- [--lines 200000]
// What one log line costs in a service: the AppLogger facade (pino, plus key redaction and credential
// scrubbing in one walk) against plain pino writing the same record, both to a sink that drops the bytes.
// Typical records of a message handler: a child with the message's four context fields, plus three own
// fields; then the same with an error (stack and code) and with a URL that carries a password.

const i = process.argv.indexOf('--lines');
const N = i > 0 ? Number(process.argv[i + 1]) : 200_000;
if (!Number.isInteger(N) || N < 1000) {
  process.stderr.write('usage: bench:log [--lines N] (N >= 1000)\n');
  process.exit(2);
}

const context = {
  tenantId: 'tenant_8_0',
  correlationId: 'a82a1802-c5e4-565d-a452-5bf6dd016fab',
  eventId: 'a82a1802-c5e4-565d-a452-5bf6dd016fab',
  subject: 'drift.check.requested',
};
const fields = { decision: 'retrain', maxPsi: 2.1, checkId: 'c7203a77-9ee5-43b9-b25a-82e73f658c8c' };
const failure = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
const withUrl = { target: 'postgresql://ue_trainer:s3cret-pw@10.0.0.5:5432/union_eyes' };

function perLine(label: string, write: () => void): number {
  for (let k = 0; k < Math.min(N, 20_000); k++) write(); // warm-up
  const start = process.hrtime.bigint();
  for (let k = 0; k < N; k++) write();
  const us = Number(process.hrtime.bigint() - start) / N / 1000;
  console.log(`  ${label.padEnd(46)} ${us.toFixed(2).padStart(7)} µs/line`);
  return us;
}

let bytes = 0;
const ours = new AppLogger({ service: 'bench', format: 'json', sink: (l) => (bytes += l.length) }).child(
  context,
);
const plain = pino({ base: { service: 'bench' } }, { write: (l: string) => (bytes += l.length) }).child(
  context,
);

console.log(`${N.toLocaleString('en-US')} lines each (Node ${process.version}):`);
const a = perLine('AppLogger, info with 3 fields', () => ours.info('drift check done', fields));
const b = perLine('plain pino, the same record', () => plain.info(fields, 'drift check done'));
perLine('AppLogger, error with err (stack, code)', () => ours.error('handler failed', { err: failure }));
perLine('AppLogger, info with a URL holding a password', () => ours.info('connecting', withUrl));
console.log(
  `AppLogger / plain pino: ${(a / b).toFixed(1)}x (${(bytes / 1e6).toFixed(0)} MB written to the sink)`,
);
