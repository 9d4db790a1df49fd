import { ContractViolation, createEnvelope, followUp, MAX_EVENT_BYTES, parseEnvelope } from './envelope';

const tenantId = 'tenant_1';
const valid = createEnvelope(
  'training.failed',
  { modelType: 'timeline', code: 'INSUFFICIENT_SAMPLES', reason: 'have 412, need 800' },
  { tenantId },
);

describe('event envelope', () => {
  it('round-trips a valid event', () => {
    const parsed = parseEnvelope('training.failed', JSON.stringify(valid));
    expect(parsed).toEqual(valid);
    expect(parsed.version).toBe(1);
    expect(parsed.correlationId).toBe(valid.id);
  });

  it('carries tenant and correlation to follow-up events, with the cause as causation', () => {
    const next = followUp(valid, 'seed.failed', { code: 'X', reason: 'y' });
    expect(next).toMatchObject({
      tenantId,
      correlationId: valid.correlationId,
      causationId: valid.id,
      type: 'seed.failed',
    });
    expect(next.id).not.toBe(valid.id);
  });

  const reject = (data: string, subject: 'training.failed' = 'training.failed') => {
    try {
      parseEnvelope(subject, data);
    } catch (err) {
      expect(err).toBeInstanceOf(ContractViolation);
      return (err as ContractViolation).reason;
    }
    throw new Error('accepted');
  };

  it.each([
    ['malformed JSON', '{"id":', /malformed JSON/],
    ['not an object', '[1,2]', /not a JSON object/],
    [
      'missing payload field',
      JSON.stringify({ ...valid, payload: { modelType: 'timeline', code: 'X' } }),
      /payload\.reason/,
    ],
    [
      'extra payload field',
      JSON.stringify({ ...valid, payload: { ...valid.payload, extra: 1 } }),
      /extra should not exist/,
    ],
    [
      'wrong type',
      JSON.stringify({ ...valid, payload: { ...valid.payload, code: 42 } }),
      /payload\.code must be a string/,
    ],
    [
      'unknown model',
      JSON.stringify({ ...valid, payload: { ...valid.payload, modelType: 'fraud' } }),
      /payload\.modelType/,
    ],
    ['unknown version', JSON.stringify({ ...valid, version: 7 }), /unknown version 7/],
    ['type on the wrong subject', JSON.stringify({ ...valid, type: 'seed.failed' }), /arrived on subject/],
    ['bad tenant id', JSON.stringify({ ...valid, tenantId: 'a b' }), /tenantId/],
    ['extra envelope field', JSON.stringify({ ...valid, sneaky: true }), /sneaky should not exist/],
    [
      'oversized',
      JSON.stringify({ ...valid, payload: { ...valid.payload, reason: 'x'.repeat(MAX_EVENT_BYTES) } }),
      /exceeds/,
    ],
  ])('refuses %s with a reason', (_name, data, reason) => {
    expect(reject(data)).toMatch(reason);
  });
});
