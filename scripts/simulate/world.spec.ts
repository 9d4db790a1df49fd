import { affectedModels, evidenceDelayDays, TenantWorld } from './world';

const members = [
  { id: '00000000-0000-4000-8000-000000000001', department: 'Operations', age: 44, tenure: 7.3 },
  { id: '00000000-0000-4000-8000-000000000002', department: 'Finance', age: 29, tenure: 0.4 },
];
const start = new Date('2030-01-01T00:00:00Z');
const dayStart = (d: number) => new Date(start.getTime() + d * 86_400_000);

describe('TenantWorld', () => {
  it("keeps each member's age and tenure as seeded on every day of a steady tenant (a stationary population)", () => {
    const world = new TenantWorld('tenant_1_0', 'steady', null, members, 5);
    const claims = [0, 90, 179].flatMap((d) => world.claimsOn(d, dayStart(d), 20));
    const byMember = new Map(members.map((m) => [m.id, m]));
    for (const c of claims) {
      const m = byMember.get(c.memberId)!;
      expect([c.memberAge, c.tenure, c.department]).toEqual([m.age, m.tenure, m.department]);
    }
    expect(new Set(claims.map((c) => c.memberId)).size).toBe(2);
  });

  it('draws new kinds of claimants from the drift day of a covariate tenant, and the same members before it', () => {
    const world = new TenantWorld('tenant_1_1', 'covariate', 10, members, 5);
    const before = world.claimsOn(9, dayStart(9), 50);
    const after = world.claimsOn(10, dayStart(10), 50);
    expect(before.every((c) => c.memberAge === 44 || c.memberAge === 29)).toBe(true);
    // The shifted claimants (drawShiftedClaimant): ages around 27, tenures around 1.2 years.
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(mean(after.map((c) => c.memberAge))).toBeLessThan(31);
    expect(mean(after.map((c) => c.tenure))).toBeLessThan(2);
  });

  it('files the same claims for the same seed', () => {
    const a = new TenantWorld('tenant_1_0', 'concept', 3, members, 9).claimsOn(4, dayStart(4), 5);
    const b = new TenantWorld('tenant_1_0', 'concept', 3, members, 9).claimsOn(4, dayStart(4), 5);
    expect(a).toEqual(b);
  });

  it("puts churn's concept drift 180 days out (its labels), and every other affected model's at the drift", () => {
    expect([...affectedModels('concept')].map((m) => evidenceDelayDays('concept', m))).toEqual([0, 0, 180]);
    expect([...affectedModels('covariate')].map((m) => evidenceDelayDays('covariate', m))).toEqual([
      0, 0, 0, 0,
    ]);
  });
});
