import {
  countEpisodes,
  dayCheckOf,
  detectionDelay,
  estimatorError,
  median,
  renderReport,
  calibrationGap,
  summarize,
  summarizeChallengers,
} from './report';
import type { CheckRow } from './report';
import type { DayCheck, TenantHistory } from './report';

const day = (d: number, decision: DayCheck['decision'], accuracy: number | null = null): DayCheck => ({
  day: d,
  decision,
  accuracy,
});

describe('simulation report', () => {
  it('counts episodes as runs of consecutive breached days', () => {
    const checks = [
      day(0, 'no_action'),
      day(1, 'retrain'),
      day(2, 'awaiting_labels'),
      day(3, 'awaiting_labels'),
      day(4, 'no_action'),
      day(5, 'retrain'),
      day(7, 'retrain'),
    ];
    // 1-3, 5, 7: three episodes (a day without a breach in between ends one).
    expect(countEpisodes(checks)).toBe(3);
    expect(countEpisodes([day(0, 'no_action'), day(1, 'insufficient_data')])).toBe(0);
  });

  it('measures detection from the drift start to the first breach on or after it', () => {
    const checks = [day(2, 'retrain'), day(10, 'no_action'), day(13, 'awaiting_labels'), day(15, 'retrain')];
    expect(detectionDelay(checks, 10)).toBe(3);
    expect(detectionDelay(checks, 16)).toBeNull();
    expect(detectionDelay(checks, null)).toBeNull();
  });

  it("counts a model's shadow trials: started, promoted, retired, days to a decision, wrong promotions", () => {
    const c = summarizeChallengers([
      // Superseded after 3 days: retired, but not a decision of the test (not in the mean).
      { startedDay: 10, decidedDay: 13, decision: 'retired_superseded' },
      // Promoted after 12 days and better than the champion on the next 30 days' claims.
      {
        startedDay: 13,
        decidedDay: 25,
        decision: 'promoted',
        after: { claims: 400, challengerAccuracy: 0.91, championAccuracy: 0.84 },
      },
      // Retired as worse after 8 days.
      { startedDay: 40, decidedDay: 48, decision: 'retired_worse' },
      // Promoted after 20 days, then worse than the champion it replaced: a wrong promotion.
      {
        startedDay: 60,
        decidedDay: 80,
        decision: 'promoted',
        after: { claims: 350, challengerAccuracy: 0.86, championAccuracy: 0.87 },
      },
      // Promoted on the last day: nothing after it to judge it by.
      { startedDay: 85, decidedDay: 89, decision: 'promoted' },
      // Still running at the end.
      { startedDay: 89, decidedDay: null, decision: null },
    ]);
    expect(c).toEqual({
      challengersStarted: 6,
      challengersPromoted: 3,
      challengersRetired: 2,
      // (12 + 8 + 20 + 4) / 4
      meanDaysToDecision: 11,
      wrongPromotions: 1,
      promotionsJudged: 2,
      daysToPromotion: [12, 20, 4],
      promotionsAfter: [
        { claims: 400, challengerAccuracy: 0.91, championAccuracy: 0.84 },
        { claims: 350, challengerAccuracy: 0.86, championAccuracy: 0.87 },
      ],
    });
    expect(summarizeChallengers([])).toMatchObject({ challengersStarted: 0, meanDaysToDecision: null });
  });

  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([])).toBeNull();
  });

  it('summarises tenants: false retrains are retrains of models the simulation did not change', () => {
    const tenants: TenantHistory[] = [
      {
        tenantId: 't_steady',
        scenario: 'steady',
        driftStartDay: null,
        models: [
          {
            model: 'claim_outcome',
            affected: false,
            evidenceDelayDays: 0,
            // 0.84 is under claim_outcome's 0.85 threshold on one day.
            checks: [day(0, 'no_action', 0.9), day(1, 'retrain', 0.84), day(2, 'no_action', null)],
            retrainDays: [1],
            deploymentDays: [],
            finalVersion: 1,
          },
        ],
        alerts: { digests: [], otherMessages: 0 },
      },
      {
        tenantId: 't_cov',
        scenario: 'covariate',
        driftStartDay: 10,
        models: [
          {
            model: 'timeline',
            affected: true,
            evidenceDelayDays: 0,
            // Day 11 watches (a breach too short-lived to open an episode): detection is the opening, day 12.
            checks: [
              day(10, 'no_action', 0.9),
              day(11, 'watching', 0.8),
              day(12, 'retrain', 0.7),
              day(13, 'awaiting_labels', 0.7),
            ],
            retrainDays: [12, 20],
            deploymentDays: [20, 20],
            finalVersion: 3,
          },
          {
            model: 'assignment',
            affected: true,
            evidenceDelayDays: 0,
            checks: [day(10, 'no_action')],
            retrainDays: [],
            deploymentDays: [],
            finalVersion: 1,
          },
        ],
        // Two digests on day 12 cannot happen (one per tenant per day); here to test the count.
        alerts: {
          digests: [
            { day: 12, kinds: { episode_opened: 2 } },
            { day: 20, kinds: { deployed: 1, episode_closed: 1 } },
          ],
          otherMessages: 1,
        },
      },
      {
        tenantId: 't_concept',
        scenario: 'concept',
        driftStartDay: 10,
        models: [
          {
            // Churn's labels mature 180 days after filing: its drift of day 10 cannot show before day 190.
            model: 'churn_risk',
            affected: true,
            evidenceDelayDays: 180,
            checks: [day(10, 'no_action'), day(29, 'no_action')],
            retrainDays: [],
            deploymentDays: [],
            finalVersion: 1,
          },
        ],
        alerts: { digests: [], otherMessages: 0 },
      },
    ];
    const r = summarize(30, tenants);
    expect(r.tenants[1]).toMatchObject({
      messages: 3,
      maxMessagesPerDay: 2,
      itemsByKind: { episode_opened: 2, deployed: 1, episode_closed: 1 },
    });
    expect(r.totals).toMatchObject({ messages: 3, steadyTenantMessages: 0, maxMessagesPerTenantDay: 2 });
    expect(renderReport(r)).toContain(
      'messages: 3 (steady tenants 0; at most 2 per tenant per day); per tenant: t_steady 0, t_cov 3 (2 episode opened, 1 deployed, 1 episode closed), t_concept 0',
    );
    expect(r.tenants[2]!.models[0]).toMatchObject({ detectionDelayDays: null, detectableFromDay: 190 });
    expect(r.tenants[1]!.models[1]).toMatchObject({ detectionDelayDays: null, detectableFromDay: 10 });
    expect(renderReport(r)).toContain('not before day 190');
    expect(r.tenants[0]!.models[0]).toMatchObject({
      episodes: 1,
      detectionDelayDays: null,
      retrains: 1,
      daysBelowThreshold: 1,
      daysWithTwoDeployments: 0,
    });
    expect(r.tenants[1]!.models[0]).toMatchObject({
      episodes: 1,
      detectionDelayDays: 2,
      retrains: 2,
      deployments: 2,
      daysBelowThreshold: 2,
      daysWithTwoDeployments: 1,
      finalVersion: 3,
      watchingDays: 1,
    });
    expect(r.totals).toMatchObject({
      falseRetrains: 1,
      retrains: 3,
      deployments: 2,
      missedDetections: 1,
      notDetectableInRun: 1,
      medianDetectionDelayDays: { covariate: 2, concept: null },
    });
  });

  it("measures the estimate against the same predictions' later labels, and detection without it", () => {
    const row = (over: Partial<CheckRow>): CheckRow => ({
      model_type: 'claim_outcome',
      logical_date: '2030-01-03',
      decision: 'no_action',
      accuracy: 0.9,
      accuracy_high: 0.95,
      accuracy_source: 'realized',
      max_psi: 0.05,
      reasons: [],
      estimated_accuracy: 0.92,
      estimated_low: 0.88,
      estimated_high: 0.96,
      n: 200,
      labelled: 180,
      correct: 171,
      expected_labelled: 167.4,
      ...over,
    });
    const start = Date.parse('2030-01-01T00:00:00Z');
    // 180 of 200 labelled by the end (>= 80%): realized 171/180 = 0.95, inside [0.88, 0.96].
    expect(dayCheckOf(row({}), start)).toEqual({
      day: 2,
      decision: 'no_action',
      accuracy: 0.9,
      realizedOnlyBreach: false,
      estimate: {
        value: 0.92,
        low: 0.88,
        high: 0.96,
        realized: 0.95,
        labelled: { n: 180, correct: 171, expected: 167.4 },
      },
    });
    // Too few labels by the end: not compared.
    expect(dayCheckOf(row({ labelled: 100, correct: 90 }), start).estimate!.realized).toBeNull();
    // A breach the estimate alone made (realized not deciding, PSI stable), and one PSI made too.
    const byEstimate = dayCheckOf(row({ decision: 'retrain', accuracy_source: 'estimated' }), start);
    expect(byEstimate.realizedOnlyBreach).toBe(false);
    const byPsi = dayCheckOf(row({ decision: 'retrain', accuracy_source: 'estimated', max_psi: 0.4 }), start);
    expect(byPsi.realizedOnlyBreach).toBe(true);
    const byCohort = dayCheckOf(
      row({ decision: 'awaiting_labels', reasons: ['claims filed in the last 30 days: 70.0% right'] }),
      start,
    );
    expect(byCohort.realizedOnlyBreach).toBe(true);
    // Detection: day 12 by the estimate, day 15 without it (drift from day 10).
    const checks = [
      { ...byEstimate, day: 12 },
      { ...dayCheckOf(row({}), start), day: 13 },
      { ...byPsi, day: 15 },
    ];
    expect(detectionDelay(checks, 10)).toBe(2);
    expect(
      summarize(30, [
        {
          tenantId: 't',
          scenario: 'covariate',
          driftStartDay: 10,
          models: [
            {
              model: 'claim_outcome',
              affected: true,
              evidenceDelayDays: 0,
              checks,
              retrainDays: [],
              deploymentDays: [],
              finalVersion: 1,
            },
          ],
          alerts: { digests: [], otherMessages: 0 },
        },
      ]).tenants[0]!.models[0],
    ).toMatchObject({
      detectionDelayDays: 2,
      detectionDelayDaysRealizedOnly: 5,
      // Before the drift (day 10) there is no check here; after it, none is counted.
      calibrationGapPts: null,
    });
    // Pooled over two windows: expected 167.4 + 50 vs 171 + 45 right of 180 + 60: |217.4 - 216| / 240.
    const second = dayCheckOf(row({ labelled: 60, correct: 45, expected_labelled: 50 }), start);
    expect(calibrationGap([dayCheckOf(row({}), start), second], () => true)).toBe(0.6);
    // Errors: |0.92 - 0.95| and |0.80 - 0.90| -> MAE 6.5 points; 1 of 2 intervals held the truth.
    const e = estimatorError(
      [
        {
          day: 0,
          decision: 'no_action',
          accuracy: null,
          estimate: { value: 0.92, low: 0.88, high: 0.96, realized: 0.95 },
        },
        {
          day: 1,
          decision: 'no_action',
          accuracy: null,
          estimate: { value: 0.8, low: 0.75, high: 0.85, realized: 0.9 },
        },
        {
          day: 2,
          decision: 'no_action',
          accuracy: null,
          estimate: { value: 0.8, low: 0.7, high: 0.9, realized: null },
        },
      ],
      () => true,
    );
    expect(e).toEqual({ maeAccuracyPts: 6.5, ciCoverage: 0.5, days: 2 });
  });
});
