import { createEnvelope } from '@app/contracts';
import type { DriftEpisodeDto, LabelMaturityDto } from '@app/contracts';
import { composeMessage } from './messages';

// People are told once per drift episode: on the event that opens it, whichever carries it.
const tenantId = 'tenant_1';
const checkId = '5b0c3f7e-1111-4222-8333-444455556666';
const episode = (opened: boolean): DriftEpisodeDto => ({
  id: '6c1d4a8f-2222-4333-8444-555566667777',
  condition: 'drift',
  startedOn: '2030-03-10',
  days: opened ? 1 : 3,
  retrains: 1,
  opened,
});
const labels: LabelMaturityDto = {
  windowDays: 7,
  predictions: 210,
  labelled: 42,
  coverage: 0.2,
  oldestUnlabelledAt: '2030-03-04T09:00:00.000Z',
};
const detected = (ep?: DriftEpisodeDto) =>
  createEnvelope(
    'drift.detected',
    {
      checkId,
      modelType: 'claim_outcome',
      activeVersion: 2,
      driftedFeatures: [],
      reasons: ['member_age PSI 0.412 > 0.25 (significant drift)'],
      labels,
      ...(ep ? { episode: ep } : {}),
    },
    { tenantId },
  );
const checked = (decision: 'awaiting_labels' | 'retrain' | 'no_action', ep?: DriftEpisodeDto) =>
  createEnvelope(
    'drift.checked',
    {
      checkId,
      modelType: 'timeline',
      activeVersion: 2,
      decision,
      features: [
        { feature: 'member_age', psi: 0.412, band: 'significant', baselineSize: 4000, currentSize: 300 },
      ],
      reasons: ['member_age PSI 0.412 > 0.25 (significant drift)'],
      labels,
      eligibility: { eligible: false, newLabels: 120, needed: 500, reason: 'only 120 ...' },
      ...(ep ? { episode: ep } : {}),
    },
    { tenantId },
  );

describe('drift alerts, once per episode', () => {
  it('alerts on the drift.detected that opens an episode, with the label coverage', () => {
    const m = composeMessage(detected(episode(true)))!;
    expect(m.subject).toBe('[Union Eyes ML] Drift detected: Claim Outcome Prediction');
    expect(m.body).toContain(
      "- labels of the last 7 days' predictions: 42 of 210 (20.0%); oldest unlabelled 2030-03-04",
    );
    expect(m.body).toContain('This opens a drift episode (from 2030-03-10): you are told once');
  });

  it("stays silent on an episode's later retrains, and alerts on a forced one (no episode) as before", () => {
    expect(composeMessage(detected(episode(false)))).toBeNull();
    expect(composeMessage(detected())!.severity).toBe('warning');
  });

  it('alerts on the drift.checked that opens an episode awaiting labels, and on no other check', () => {
    const m = composeMessage(checked('awaiting_labels', episode(true)))!;
    expect(m).toMatchObject({
      severity: 'warning',
      subject: '[Union Eyes ML] Drift detected, awaiting labels: Timeline Forecasting',
      modelType: 'timeline',
    });
    expect(m.body).toContain('once 500 labelled examples are new to it');
    expect(m.body).toContain('`npm run ml:retrain -- timeline --tenant tenant_1 --force` retrains now');
    expect(m.body).toContain('- member_age: PSI 0.412 (significant)');
    expect(composeMessage(checked('awaiting_labels', episode(false)))).toBeNull();
    // The opening retrain is told by its drift.detected, not twice.
    expect(composeMessage(checked('retrain', episode(true)))).toBeNull();
    expect(composeMessage(checked('no_action'))).toBeNull();
  });
});
