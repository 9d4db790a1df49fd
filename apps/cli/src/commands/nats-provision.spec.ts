import { describePlan } from './nats-provision';

// What `nats:provision` prints per stream (the plans themselves: libs/messaging/src/streams.spec.ts).
describe('nats:provision output', () => {
  it('says per stream what it did: created, updated with each change, unchanged', () => {
    expect(describePlan({ stream: 'UE_EVENTS', action: 'create', changes: [], refusals: [] }, false, 3)).toBe(
      'UE_EVENTS: created (3 replicas)',
    );
    expect(
      describePlan(
        {
          stream: 'UE_DLQ',
          action: 'update',
          changes: [
            { field: 'max_age', from: '20d', to: '90d' },
            { field: 'num_replicas', from: '1', to: '3' },
          ],
          refusals: [],
        },
        false,
        3,
      ),
    ).toBe('UE_DLQ: updated max_age 20d -> 90d, num_replicas 1 -> 3');
    expect(describePlan({ stream: 'UE_DLQ', action: 'unchanged', changes: [], refusals: [] }, false, 1)).toBe(
      'UE_DLQ: unchanged',
    );
  });

  it('says what it would do on a dry run', () => {
    expect(describePlan({ stream: 'UE_EVENTS', action: 'create', changes: [], refusals: [] }, true, 1)).toBe(
      'UE_EVENTS: would create (1 replica)',
    );
    expect(
      describePlan(
        {
          stream: 'UE_EVENTS',
          action: 'update',
          changes: [{ field: 'num_replicas', from: '1', to: '3' }],
          refusals: [],
        },
        true,
        3,
      ),
    ).toBe('UE_EVENTS: would update num_replicas 1 -> 3');
  });
});
