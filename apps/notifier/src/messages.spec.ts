import { createEnvelope } from '@app/contracts';
import type { DriftEpisodeDto, LabelMaturityDto } from '@app/contracts';
import {
  composeDigest,
  itemOfChallenger,
  itemOfCheck,
  itemOfOutcome,
  subscriptionKindOf,
  worst,
} from './digest';
import type { DigestItem } from './digest';
import { composeMessage } from './messages';

// What people are told at once, and what their tenant's daily digest lists.
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

describe('messages of their own: what a person asked for', () => {
  it('answers a forced retrain (no episode) at once, with the label coverage', () => {
    const m = composeMessage(detected())!;
    expect(m.severity).toBe('warning');
    expect(m.subject).toBe('[Union Eyes ML] Drift detected: Claim Outcome Prediction');
    expect(m.body).toContain(
      "- labels of the last 7 days' predictions: 42 of 210 (20.0%); oldest unlabelled 2030-03-04",
    );
  });

  it("leaves an episode's retrains and every drift check to the daily digest", () => {
    expect(composeMessage(detected(episode(true)))).toBeNull();
    expect(composeMessage(detected(episode(false)))).toBeNull();
    expect(composeMessage(checked('awaiting_labels', episode(true)))).toBeNull();
    expect(composeMessage(checked('no_action'))).toBeNull();
  });
});

describe('the daily digest: items', () => {
  const withDay = (e: ReturnType<typeof checked>) => {
    e.payload.logicalDate = '2030-03-12';
    return e;
  };

  it('lists an episode that opens awaiting labels, with why and how far the labels are', () => {
    const item = itemOfCheck(withDay(checked('awaiting_labels', episode(true))))!;
    expect(item).toMatchObject({ modelType: 'timeline', kind: 'episode_opened', severity: 'warning' });
    expect(item.title).toBe(
      'input drift since 2030-03-10 (active version 2): awaiting labels: a retrain needs 500 labelled examples new to it (120 so far)',
    );
    expect(item.lines).toEqual([
      'member_age PSI 0.412 > 0.25 (significant drift)',
      "labels of the last 7 days' predictions so far: 20.0% (42 of 210)",
    ]);
    expect(itemOfCheck(checked('retrain', episode(true)))!.title).toMatch(/: retraining has been requested$/);
  });

  it("lists an episode's later retrains, its reminders and its end; nothing on its other days", () => {
    expect(itemOfCheck(checked('retrain', episode(false)))).toMatchObject({
      kind: 'retrain_requested',
      severity: 'info',
      title: 'still in the episode since 2030-03-10 (day 3): retraining again',
    });
    expect(itemOfCheck(checked('awaiting_labels', episode(false)))).toBeNull();
    expect(
      itemOfCheck(checked('awaiting_labels', { ...episode(false), days: 8, remind: true })),
    ).toMatchObject({ kind: 'episode_reminder', severity: 'warning' });
    const closed = itemOfCheck(checked('no_action', { ...episode(false), closedOn: '2030-03-20' }))!;
    expect(closed).toMatchObject({ kind: 'episode_closed', severity: 'success' });
    expect(closed.title).toBe(
      'back to normal: the drift episode since 2030-03-10 closed on 2030-03-20 after 3 day(s), 1 retrain(s)',
    );
    expect(itemOfCheck(checked('no_action'))).toBeNull();
  });

  it("lists how an episode's retrain ended: deployed, rejected (a warning: the champion stays), failed", () => {
    const deployed = createEnvelope(
      'model.deployed',
      { modelType: 'assignment', version: 3, previousVersion: 2, reason: 'validated', accuracy: 0.912 },
      { tenantId },
    );
    expect(itemOfOutcome(deployed)).toMatchObject({
      kind: 'deployed',
      severity: 'success',
      title: 'version 3 deployed (was 2), hold-out accuracy 91.2%',
    });
    const gates = [
      { name: 'accuracy_floor', passed: true, detail: 'ok' },
      { name: 'champion_comparison', passed: false, detail: 'candidate 88.0% vs champion 90.1%' },
    ];
    const validated = (passed: boolean) =>
      createEnvelope(
        'model.validated',
        {
          runId: checkId,
          modelType: 'claim_outcome',
          candidateVersion: 4,
          championVersion: 3,
          passed,
          gates,
        },
        { tenantId },
      );
    expect(itemOfOutcome(validated(false))).toMatchObject({
      kind: 'rejected',
      severity: 'warning',
      lines: ['FAIL champion_comparison: candidate 88.0% vs champion 90.1%'],
    });
    expect(itemOfOutcome(validated(true))).toBeNull();
    const failed = createEnvelope(
      'training.failed',
      { modelType: 'churn_risk', code: 'INSUFFICIENT_SAMPLES', reason: 'have 12, need 500' },
      { tenantId },
    );
    expect(itemOfOutcome(failed)).toMatchObject({ kind: 'training_failed', severity: 'failure' });
    expect(subscriptionKindOf('deployed')).toBe('model.deployed');
    expect(subscriptionKindOf('episode_closed')).toBe('drift.detected');
  });

  it("tells a shadow challenger's start, its promotion (once, with the evidence) and its retirement, with why", () => {
    const started = createEnvelope(
      'model.validated',
      {
        runId: checkId,
        modelType: 'claim_outcome',
        candidateVersion: 4,
        championVersion: 3,
        passed: true,
        gates: [{ name: 'accuracy_floor', passed: true, detail: '91.0% >= 85.0%' }],
        challenger: true,
      },
      { tenantId },
    );
    expect(itemOfOutcome(started)).toMatchObject({
      kind: 'challenger_started',
      severity: 'info',
      title:
        'candidate version 4 passed the gates and runs as a shadow challenger beside version 3, which stays active until live claims decide',
    });
    expect(composeMessage(started)).toMatchObject({
      severity: 'info',
      subject: '[Union Eyes ML] Shadow challenger started: Claim Outcome Prediction v4',
    });
    const evidence = {
      labelledPairs: 412,
      discordantPairs: 61,
      challengerWins: 44,
      logLikelihoodRatio: 3.2,
      alwaysValidP: 0.04,
      startedOn: '2030-03-01',
      decidedOn: '2030-03-19',
      days: 18,
    };
    const decided = (decision: 'promoted' | 'retired_worse') =>
      createEnvelope(
        'model.challenger.decided',
        {
          modelType: 'claim_outcome',
          challengerVersion: 4,
          championVersion: 3,
          decision,
          reason: 'v4 against v3: the figures',
          evidence,
          logicalDate: '2030-03-19',
        },
        { tenantId },
      );
    expect(itemOfChallenger(decided('promoted'))).toEqual({
      modelType: 'claim_outcome',
      kind: 'challenger_promoted',
      severity: 'success',
      title: 'version 4 promoted after its shadow trial: it replaces version 3',
      lines: [
        'v4 against v3: the figures',
        'trial 2030-03-01 to 2030-03-19 (18 day(s)): 412 labelled pairs, 61 where exactly one was right, the challenger in 44',
      ],
    });
    expect(itemOfChallenger(decided('retired_worse'))).toMatchObject({
      kind: 'challenger_retired',
      title: 'shadow challenger version 4 retired (worse); version 3 stays active',
    });
    expect(composeMessage(decided('retired_worse'))!.body).toContain(
      'was retired (retired_worse); version 3 stays active',
    );
    // The promotion's model.deployed is not told a second time: its decision says it, with the evidence.
    const promoted = createEnvelope(
      'model.deployed',
      { modelType: 'claim_outcome', version: 4, previousVersion: 3, reason: 'promoted', accuracy: 0.91 },
      { tenantId },
    );
    expect(itemOfOutcome(promoted)).toBeNull();
    expect(composeMessage(promoted)).toBeNull();
    expect(subscriptionKindOf('challenger_started')).toBe('model.validated');
    expect(subscriptionKindOf('challenger_retired')).toBe('model.challenger.decided');
  });
});

describe('the daily digest: one message for every model that changed', () => {
  const item = (
    modelType: DigestItem['modelType'],
    kind: DigestItem['kind'],
    severity: DigestItem['severity'],
  ) =>
    ({
      modelType,
      kind,
      severity,
      title: `${kind} title`,
      lines: ['why'],
      day: '2030-03-12',
      correlationId: 'c',
    }) as DigestItem;

  it('lists four models in one message whose severity is the worst of its items', () => {
    const m = composeDigest('tenant_1', '2030-03-12', [
      item('claim_outcome', 'episode_opened', 'warning'),
      item('timeline', 'deployed', 'success'),
      item('churn_risk', 'training_failed', 'failure'),
      item('assignment', 'episode_closed', 'success'),
      { ...item('claim_outcome', 'deployed', 'success'), day: '2030-03-11' },
    ]);
    expect(m.severity).toBe('failure');
    expect(m.modelType).toBeNull();
    expect(m.subject).toBe(
      '[Union Eyes ML] 2030-03-12: Claim Outcome Prediction, Timeline Forecasting, Churn Risk Prediction, Smart Assignment',
    );
    const lines = m.body.split('\n');
    expect(lines[0]).toBe('4 model(s) of tenant tenant_1 changed state on 2030-03-12:');
    expect(lines.filter((l) => l.startsWith('- '))).toEqual([
      '- Claim Outcome Prediction: episode_opened title',
      '- Claim Outcome Prediction: deployed title (on 2030-03-11)',
      '- Timeline Forecasting: deployed title',
      '- Churn Risk Prediction: training_failed title',
      '- Smart Assignment: episode_closed title',
    ]);
    expect(worst(['info', 'success'])).toBe('success');
    expect(composeDigest('tenant_1', '2030-03-12', [item('timeline', 'deployed', 'success')]).modelType).toBe(
      'timeline',
    );
  });
});
