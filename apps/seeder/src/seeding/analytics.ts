import type { Random } from './random';
import type { ClaimRow } from './generator';
import { DAY } from './generator';

/** Monthly aggregates gathered while claims stream past, for benchmark_data (last 12 months). */
export class MonthlyBenchmarks {
  private readonly volume = new Array<number>(12).fill(0);
  private readonly resolutionSum = new Array<number>(12).fill(0);
  private readonly resolved = new Array<number>(12).fill(0);

  constructor(private readonly now: number) {}

  private month(t: number): number {
    return Math.floor((this.now - t) / (30.44 * DAY));
  }

  add(c: ClaimRow): void {
    const m = this.month(c.filed);
    if (m >= 0 && m < 12) this.volume[m]! += 1;
    if (c.resolved !== null && c.resolutionDays !== null) {
      const r = this.month(c.resolved);
      if (r >= 0 && r < 12) {
        this.resolutionSum[r]! += c.resolutionDays;
        this.resolved[r]! += 1;
      }
    }
  }

  /** Rows for benchmark_data: resolution time, claim volume and member satisfaction per month. */
  rows(tenantId: string, rnd: Random): (string | number | null)[][] {
    const out: (string | number | null)[][] = [];
    for (let m = 11; m >= 0; m--) {
      const end = new Date(this.now - m * 30.44 * DAY);
      const start = new Date(end.getTime() - 30.44 * DAY);
      const period = [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)];
      const avg =
        this.resolved[m]! > 0 ? Math.round((this.resolutionSum[m]! / this.resolved[m]!) * 10) / 10 : 0;
      const satisfaction = Math.round((3.2 + rnd.next() * 1.3) * 100) / 100;
      out.push([
        rnd.uuid(),
        tenantId,
        'resolution_time',
        period[0]!,
        period[1]!,
        avg,
        'days',
        this.resolved[m]!,
        'sector_median',
        58,
      ]);
      out.push([
        rnd.uuid(),
        tenantId,
        'claim_volume',
        period[0]!,
        period[1]!,
        this.volume[m]!,
        'claims',
        this.volume[m]!,
        'sector_median',
        null,
      ]);
      out.push([
        rnd.uuid(),
        tenantId,
        'member_satisfaction',
        period[0]!,
        period[1]!,
        satisfaction,
        'score_1_5',
        Math.max(1, Math.round(this.volume[m]! * 0.3)),
        'sector_median',
        3.9,
      ]);
    }
    return out;
  }
}

export const BENCHMARK_COLUMNS = [
  'id',
  'tenant_id',
  'metric_name',
  'period_start',
  'period_end',
  'value',
  'unit',
  'sample_size',
  'comparison_group',
  'comparison_value',
] as const;

export const REPORT_COLUMNS = [
  'id',
  'tenant_id',
  'name',
  'report_type',
  'schedule_cron',
  'timezone',
  'format',
  'recipients',
  'is_active',
  'next_run_at',
] as const;

export function scheduledReports(
  tenantId: string,
  adminEmails: readonly string[],
  now: number,
  rnd: Random,
): (string | boolean)[][] {
  const to = JSON.stringify(adminEmails.slice(0, 2));
  const next = (days: number) => new Date(now + days * DAY).toISOString();
  return [
    [
      rnd.uuid(),
      tenantId,
      'Weekly model accuracy',
      'ml_model_performance',
      '0 7 * * 1',
      'America/Toronto',
      'pdf',
      to,
      true,
      next(7),
    ],
    [
      rnd.uuid(),
      tenantId,
      'Monthly claims summary',
      'claims_summary',
      '0 6 1 * *',
      'America/Toronto',
      'csv',
      to,
      true,
      next(30),
    ],
    [
      rnd.uuid(),
      tenantId,
      'Quarterly fairness audit',
      'fairness_audit',
      '0 6 1 1,4,7,10 *',
      'America/Toronto',
      'pdf',
      to,
      true,
      next(90),
    ],
  ];
}

const FEEDBACK = [
  { category: 'prediction_accuracy', comment: 'The predicted outcome matched what happened.' },
  { category: 'prediction_accuracy', comment: 'The timeline estimate was far too optimistic.' },
  { category: 'explanation_clarity', comment: 'I did not understand why my case was rated high risk.' },
  { category: 'fairness_concern', comment: 'Older members seem to get lower outcome scores.' },
  { category: 'feature_request', comment: 'Please show similar past cases.' },
] as const;

export const FEEDBACK_COLUMNS = [
  'id',
  'tenant_id',
  'member_id',
  'prediction_id',
  'feedback_category',
  'rating',
  'comment',
  'status',
  'resolved_at',
  'created_at',
] as const;

/** The spec's 10 member AI feedback samples per tenant. */
export function feedbackRows(
  tenantId: string,
  memberIds: readonly string[],
  predictionIds: readonly string[],
  now: number,
  rnd: Random,
): (string | number | null)[][] {
  return Array.from({ length: 10 }, (_, k) => {
    const f = FEEDBACK[k % FEEDBACK.length]!;
    const status = k % 3 === 0 ? 'resolved' : k % 3 === 1 ? 'in_review' : 'open';
    const created = now - rnd.int(6, 120) * DAY;
    return [
      rnd.uuid(),
      tenantId,
      memberIds.length > 0 ? rnd.pick(memberIds) : null,
      predictionIds.length > 0 ? rnd.pick(predictionIds) : null,
      f.category,
      rnd.int(1, 5),
      f.comment,
      status,
      status === 'resolved' ? new Date(created + 5 * DAY).toISOString() : null,
      new Date(created).toISOString(),
    ];
  });
}
