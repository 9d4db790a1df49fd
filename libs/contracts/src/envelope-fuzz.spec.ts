import fc from 'fast-check';
import { ALL_SUBJECTS, ContractViolation, createEnvelope, parseEnvelope, PAYLOAD_CLASSES } from './index';
import type { Envelope, Subject } from './index';

// Generated bad input: whatever arrives on a subject is either a valid event or refused with a
// ContractViolation and a reason. Nothing else: no crash, no other error type, no silent acceptance of a
// mutated payload.

const valid: Envelope<'training.failed'> = createEnvelope(
  'training.failed',
  { modelType: 'timeline', code: 'INSUFFICIENT_SAMPLES', reason: 'have 412, need 800' },
  { tenantId: 'tenant_1' },
);

function outcome(subject: Subject, data: string): 'accepted' | 'refused' {
  try {
    parseEnvelope(subject, data);
    return 'accepted';
  } catch (err) {
    if (err instanceof ContractViolation && err.reason.length > 0) return 'refused';
    throw err;
  }
}

const tried: Record<string, number> = {};
const count = (name: string) => () => {
  tried[name] = (tried[name] ?? 0) + 1;
};

describe('contracts against generated bad input', () => {
  afterAll(() => {
    process.stdout.write(`fuzzed events tried: ${JSON.stringify(tried)}\n`);
  });

  it('refuses arbitrary bytes and arbitrary JSON with a reason, on every subject', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_SUBJECTS),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
        ),
        (subject, data) => {
          count('arbitrary')();
          expect(outcome(subject, data)).toBe('refused');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a valid event with a payload field removed, retyped or added', () => {
    const fields = Object.keys(valid.payload);
    const wrongValue = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
      fc.object(),
      fc.double(),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        wrongValue,
        fc.constantFrom('drop', 'retype', 'extra'),
        fc.string({ minLength: 1, maxLength: 12 }),
        (field, value, how, extra) => {
          count(`payload-${how}`)();
          const payload: Record<string, unknown> = { ...valid.payload };
          if (how === 'drop') delete payload[field];
          if (how === 'retype') payload[field] = value;
          if (how === 'extra') {
            if (extra in payload || extra === '__proto__') return;
            payload[extra] = value;
          }
          expect(outcome('training.failed', JSON.stringify({ ...valid, payload }))).toBe('refused');
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('refuses envelopes with wrong ids, versions, tenants, subjects or sizes', () => {
    const mutation = fc.oneof(
      fc.string().map((id) => ({ id })),
      fc
        .integer()
        .filter((v) => v !== 1)
        .map((version) => ({ version })),
      fc
        .string()
        .filter((t) => !/^[A-Za-z0-9_-]{1,100}$/.test(t))
        .map((tenantId) => ({ tenantId })),
      fc.constantFrom(...ALL_SUBJECTS.filter((s) => s !== 'training.failed')).map((type) => ({ type })),
      fc
        .string()
        .filter((d) => Number.isNaN(Date.parse(d)))
        .map((occurredAt) => ({ occurredAt })),
      fc.integer({ min: 300_000, max: 400_000 }).map((n) => ({ padding: 'x'.repeat(n) })),
    );
    fc.assert(
      fc.property(mutation, (m) => {
        count('envelope')();
        expect(outcome('training.failed', JSON.stringify({ ...valid, ...m }))).toBe('refused');
      }),
      { numRuns: 1000 },
    );
  });

  it('still accepts the valid event (the properties above are not vacuous)', () => {
    expect(outcome('training.failed', JSON.stringify(valid))).toBe('accepted');
    expect(Object.keys(PAYLOAD_CLASSES)).toHaveLength(ALL_SUBJECTS.length);
  });
});
