import { countEpisodes, detectionDelay, median, renderReport, summarize } from './report';
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
            checks: [day(10, 'no_action', 0.9), day(12, 'retrain', 0.7), day(13, 'awaiting_labels', 0.7)],
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
      },
    ];
    const r = summarize(30, tenants);
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
    });
    expect(r.totals).toEqual({
      falseRetrains: 1,
      retrains: 3,
      deployments: 2,
      missedDetections: 1,
      notDetectableInRun: 1,
      medianDetectionDelayDays: { covariate: 2, concept: null },
    });
  });
});
