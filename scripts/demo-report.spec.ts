import { finished, pipelineProblems } from './demo-report';
import type { DeadLetter, PipelineRow } from './demo-report';

// When the demo's pipelines count as having ended as they should (exit 0) or not (exit 1).
const row = (over: Partial<PipelineRow>): PipelineRow => ({
  tenantId: 'tenant_8_0',
  modelType: 'claim_outcome',
  decision: 'retrain',
  accuracy: 0.55,
  labelledCount: 120,
  reasons: ['psi 2.1 on member_age'],
  correlationId: 'c-1',
  runStatus: 'completed',
  runError: null,
  validationAccuracy: 0.91,
  validation: { passed: true, gates: [{ name: 'accuracy_floor', passed: true }] },
  activeVersion: 2,
  notifications: 2,
  notifiedEnd: true,
  ...over,
});

describe('the demo report verdict', () => {
  it('accepts no action, a deployment and a rejection by the gates', () => {
    const rows = [
      row({
        decision: 'no_action',
        runStatus: null,
        validation: null,
        notifications: 0,
        notifiedEnd: false,
      }),
      row({}),
      row({
        modelType: 'timeline',
        validation: { passed: false, gates: [{ name: 'champion', passed: false }] },
      }),
    ];
    expect(rows.every(finished)).toBe(true);
    expect(pipelineProblems(rows, [], 90)).toEqual([]);
  });

  it('names a failed training with its whole reason', () => {
    const reason =
      'cannot load XGBoost (tried libxgboost.so.0): ...\n  Debian/Ubuntu:    sudo apt-get install -y libxgboost0';
    expect(
      pipelineProblems([row({ runStatus: 'failed', runError: reason, validation: null })], [], 90),
    ).toEqual([`tenant_8_0 claim_outcome: training failed: ${reason}`]);
  });

  it('names a pipeline that did not end in time, and where it stopped', () => {
    const waiting = row({
      runStatus: 'running',
      validation: null,
      notifications: 1,
      notifiedEnd: false,
    });
    expect(finished(waiting)).toBe(false);
    // Many recipients of drift.detected do not make it end: the notifier must have handled the outcome.
    expect(finished(row({ notifications: 11, notifiedEnd: false }))).toBe(false);
    expect(pipelineProblems([waiting], [], 90)).toEqual([
      'tenant_8_0 claim_outcome: not finished after 90 s: training running, not validated yet (trainer, validator)',
    ]);
    expect(pipelineProblems([row({ runStatus: null, validation: null, notifiedEnd: false })], [], 5)).toEqual(
      ['tenant_8_0 claim_outcome: not finished after 5 s: no training run yet (trainer)'],
    );
  });

  it('counts every dead letter as a problem, and no check at all', () => {
    const dead: DeadLetter = {
      consumer: 'notifier__model_deployed',
      subject: 'model.deployed',
      code: 'CONTRACT_VIOLATION',
      reason: 'payload.version must be an integer',
      correlationId: 'c-9',
    };
    expect(pipelineProblems([row({})], [dead], 90)).toEqual([
      'dead letter: model.deployed given up by notifier__model_deployed (CONTRACT_VIOLATION): payload.version must be an integer [correlation c-9]',
    ]);
    expect(pipelineProblems([], [], 90)).toEqual(['no drift check of the last scheduled run was recorded']);
  });
});
