import type { FleetEntry } from '@app/database';
import { modelState } from './state';

const base: FleetEntry = {
  tenantId: 't1',
  tenantName: 'Local 1',
  modelType: 'claim_outcome',
  activeVersion: 2,
  deployedAt: new Date('2026-11-01T00:00:00Z'),
  lastCheck: {
    logicalDate: '2026-11-29',
    decision: 'no_action',
    maxPsi: 0.03,
    maxPsiFeature: 'complexity_score',
    realized: { value: 0.91, low: 0.87, high: 0.94, n: 240 },
    estimated: { value: 0.9, low: 0.88, high: 0.92, n: 240 },
    accuracySource: 'realized',
    checkedAt: new Date('2026-11-29T02:00:00Z'),
  },
  openEpisode: null,
  runsInProgress: 0,
  unacknowledgedAlerts: 0,
  challengerVersion: null,
};
const rules = { accuracyThreshold: 0.85 };
const episode = {
  id: 'e1',
  condition: 'drift' as const,
  status: 'open' as const,
  startedOn: '2026-11-27',
  lastSeenOn: '2026-11-29',
  endedOn: null,
  days: 3,
  retrains: 1,
};

describe('modelState', () => {
  it('is healthy when the last check found nothing', () => {
    expect(modelState(base, rules)).toBe('healthy');
  });

  it('is unknown without an active version or without any check', () => {
    expect(modelState({ ...base, activeVersion: null }, rules)).toBe('unknown');
    expect(modelState({ ...base, lastCheck: null }, rules)).toBe('unknown');
    expect(modelState({ ...base, lastCheck: null, runsInProgress: 1 }, rules)).toBe('retraining');
  });

  it('is failing when the accuracy that decided is under the threshold, whatever else holds', () => {
    const low = { ...base.lastCheck!, realized: { value: 0.8, low: 0.75, high: 0.84, n: 240 } };
    expect(modelState({ ...base, lastCheck: low, runsInProgress: 1, openEpisode: episode }, rules)).toBe(
      'failing',
    );
    // The estimate decided (too few labels) and is under the threshold.
    const estimated = {
      ...base.lastCheck!,
      realized: { value: 0.5, low: 0.1, high: 0.9, n: 4 },
      estimated: { value: 0.83, low: 0.8, high: 0.86, n: 240 },
      accuracySource: 'estimated' as const,
    };
    expect(modelState({ ...base, lastCheck: estimated }, rules)).toBe('failing');
    // A realized 0.5 on 4 labels that did not decide does not make it failing.
    expect(
      modelState(
        { ...base, lastCheck: { ...estimated, estimated: { value: 0.9, low: 0.88, high: 0.92, n: 240 } } },
        rules,
      ),
    ).toBe('healthy');
  });

  it('is retraining while a run is queued or running, before drifting', () => {
    expect(modelState({ ...base, runsInProgress: 1, openEpisode: episode }, rules)).toBe('retraining');
  });

  it('is awaiting_labels when the check said so, drifting on an open episode or a breach', () => {
    expect(
      modelState({ ...base, lastCheck: { ...base.lastCheck!, decision: 'awaiting_labels' } }, rules),
    ).toBe('awaiting_labels');
    expect(modelState({ ...base, openEpisode: episode }, rules)).toBe('drifting');
    expect(modelState({ ...base, lastCheck: { ...base.lastCheck!, decision: 'watching' } }, rules)).toBe(
      'drifting',
    );
  });
});
