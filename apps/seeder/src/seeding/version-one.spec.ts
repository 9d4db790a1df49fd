import type { ClaimRow } from './generator';
import {
  knownAtMs,
  labelledExamples,
  monthsBefore,
  newestLabelledExamples,
  recordedTarget,
} from './version-one';

// Version 1's examples are selected in memory by the trainer's SQL rules (libs/database labelledClaims):
// fixed claims around one as-of instant. The integration test checks both select the same claims.

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-08-28T00:00:00Z');

function claim(id: string, filedDaysBefore: number, resolvedDaysAfterFiling: number | null): ClaimRow {
  const filed = AS_OF - filedDaysBefore * DAY;
  const resolved = resolvedDaysAfterFiling === null ? null : filed + resolvedDaysAfterFiling * DAY;
  return {
    id,
    tenantId: 't',
    claimNumber: id,
    memberId: 'm',
    stewardId: null,
    type: 'workplace_safety',
    status: resolved === null ? 'under_review' : 'resolved',
    priority: 'medium',
    department: 'Operations',
    description: '',
    complexity: 5,
    memberAge: 40,
    tenure: 7.5,
    filed,
    resolved,
    resolutionDays: resolvedDaysAfterFiling,
    outcome: resolved === null ? null : 'won',
    team: 'safety',
    churned: filedDaysBefore >= 100 ? true : null,
  };
}

describe('monthsBefore (PostgreSQL interval arithmetic in UTC)', () => {
  it.each([
    ['2026-08-28T00:00:00.000Z', 12, '2025-08-28T00:00:00.000Z'],
    ['2028-02-29T13:45:10.250Z', 12, '2027-02-28T13:45:10.250Z'],
    ['2026-03-31T00:00:00.000Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2026-01-15T23:59:59.999Z', 13, '2024-12-15T23:59:59.999Z'],
  ])('%s minus %d months is %s', (from, months, expected) => {
    expect(new Date(monthsBefore(Date.parse(from), months)).toISOString()).toBe(expected);
  });
});

describe('the labels a claim row records, and when they became known', () => {
  it('gives each model its target only when the row records it', () => {
    const open = claim('a', 10, null);
    const done = claim('b', 200, 20);
    expect(MODELS.map((m) => recordedTarget(m, open))).toEqual([null, null, null, null]);
    expect(MODELS.map((m) => recordedTarget(m, done))).toEqual(['won', 20, 'churned', 'safety']);
  });

  it('knows resolved labels at resolution and churn 180 days after filing (labelKnownAt)', () => {
    const done = claim('b', 200, 20);
    expect(knownAtMs('claim_outcome', done)).toBe(AS_OF - 180 * DAY);
    expect(knownAtMs('churn_risk', done)).toBe(AS_OF - 20 * DAY);
    expect(knownAtMs('assignment', claim('a', 10, null))).toBeNull();
  });
});

describe("labelledExamples: the trainer's examples as of an instant", () => {
  const claims = [
    claim('c-resolved-after', 30, 40), // filed before, resolved after the as-of instant: not yet an example
    claim('b-in', 50, 10),
    claim('a-in', 50, 5), // same filing time as b-in: ordered by id
    claim('d-too-old', 400, 10), // before the 12-month window
    claim('e-open', 20, null),
    claim('f-exactly', 10, 10), // resolved exactly at the as-of instant: known
  ];

  it('keeps claims of the window whose label was known by then, by filing time and id', () => {
    const examples = labelledExamples('claim_outcome', claims, AS_OF);
    expect(examples.map((e) => e.id)).toEqual(['a-in', 'b-in', 'f-exactly']);
    expect(examples[0]).toMatchObject({
      target: 'won',
      member_age: 40,
      case_complexity: 5,
      union_tenure_years: 7.5,
      claim_type: 'workplace_safety',
      department: 'Operations',
      priority: 'medium',
      at: new Date(AS_OF - 50 * DAY),
    });
  });

  it('counts churn only 180 days after filing, whatever the row holds', () => {
    const churn = [claim('g-churn-known', 200, 10), claim('h-churn-too-recent', 150, 10)];
    expect(labelledExamples('churn_risk', churn, AS_OF).map((e) => e.id)).toEqual(['g-churn-known']);
  });

  it('gives the newest of them, oldest first, and how many there are (claims in filing order, then id)', () => {
    const sorted = [...claims].sort((a, b) => a.filed - b.filed || (a.id < b.id ? -1 : 1));
    expect(newestLabelledExamples('claim_outcome', sorted, AS_OF, 2)).toEqual({
      examples: labelledExamples('claim_outcome', claims, AS_OF).slice(-2),
      available: 3,
    });
    expect(newestLabelledExamples('claim_outcome', sorted, AS_OF, 100)).toEqual({
      examples: labelledExamples('claim_outcome', claims, AS_OF),
      available: 3,
    });
    expect(newestLabelledExamples('claim_outcome', sorted, AS_OF, 0)).toEqual({ examples: [], available: 3 });
  });
});

const MODELS = ['claim_outcome', 'timeline', 'churn_risk', 'assignment'] as const;
