import { createEnvelope } from '@app/contracts';
import type { ModelType } from '@app/domain';
import { rounds } from './drift-monitor.service';

const check = (modelType: ModelType, logicalDate = '2030-03-10') =>
  createEnvelope(
    'drift.check.requested',
    { modelType, logicalDate, requestedBy: 'schedule' },
    { tenantId: 't' },
  );

describe("a tenant's checks in one transaction", () => {
  it('takes one check per model a round, in model order (the order of their locks)', () => {
    const day = [check('timeline'), check('claim_outcome'), check('assignment'), check('churn_risk')];
    expect(rounds(day).map((r) => r.map((e) => e.payload.modelType))).toEqual([
      ['assignment', 'churn_risk', 'claim_outcome', 'timeline'],
    ]);
  });

  it('puts a second check of a model in the next round, so that it reads what the first stored', () => {
    const first = check('timeline', '2030-03-09');
    const again = check('timeline', '2030-03-10');
    const other = check('assignment');
    const r = rounds([first, other, again]);
    expect(r.map((x) => x.map((e) => e.id))).toEqual([[other.id, first.id], [again.id]]);
    expect(rounds([])).toEqual([]);
  });
});
