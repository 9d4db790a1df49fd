import type { ModelStatus, ModelVersionView } from '@app/database';
import { summaryLines } from './check';
import type { PipelineResult } from './check';
import { refusal } from './rollback';
import { statusJson, statusTable } from './status';

// What the commands print from the read models' typed rows (the rows themselves: reports.int-spec.ts).
const status: ModelStatus = {
  tenantId: 'tenant_1',
  modelType: 'timeline',
  activeVersion: 2,
  baselineAccuracy: 0.8123,
  deployedAt: new Date('2030-01-07T09:15:30Z'),
  lastCheck: { decision: 'no_action', checkedAt: new Date('2030-01-08T02:00:00Z'), maxPsi: 0.0432 },
  runsInProgress: 1,
  unacknowledgedAlerts: 3,
};

const version = (v: number, active: boolean): ModelVersionView => ({
  tenantId: 'tenant_1',
  modelType: 'timeline',
  version: v,
  active,
  accuracy: 0.8,
  deployedAt: null,
  trainingRunId: null,
  artifactId: null,
  trainingCutoff: null,
  trainingSamples: null,
});

describe('status output', () => {
  it('prints one line per model, times to the minute in UTC', () => {
    const [header, line] = statusTable([status]);
    expect(header).toMatch(
      /^tenant\s+model\s+active\s+accuracy\s+deployed\s+last check\s+running\s+unacknowledged alerts$/,
    );
    expect(line).toMatch(
      /^tenant_1\s+timeline\s+v2\s+81\.2%\s+2030-01-07 09:15\s+no_action 2030-01-08 02:00 psi 0\.04\s+1\s+3$/,
    );
    expect(statusTable([{ ...status, deployedAt: null, lastCheck: null }])[1]).toMatch(
      /^tenant_1\s+timeline\s+v2\s+81\.2%\s+-\s+-\s+1\s+3$/,
    );
  });

  it('gives scripts camelCase and ISO times', () => {
    expect(JSON.parse(statusJson([status]))).toEqual({
      models: [
        {
          tenantId: 'tenant_1',
          modelType: 'timeline',
          activeVersion: 2,
          baselineAccuracy: 0.8123,
          deployedAt: '2030-01-07T09:15:30.000Z',
          lastCheck: { decision: 'no_action', checkedAt: '2030-01-08T02:00:00.000Z', maxPsi: 0.0432 },
          runsInProgress: 1,
          unacknowledgedAlerts: 3,
          challenger: { running: null, lastEnded: null },
        },
      ],
    });
    expect(JSON.parse(statusJson([]))).toEqual({ models: [] });
  });
});

describe('check summary', () => {
  it('adds the active version and the alerts of each pipeline', () => {
    const results = new Map<string, PipelineResult>([
      [
        'c1',
        {
          tenant: 'tenant_1',
          model: 'timeline',
          psi: '0.412 department',
          action: 'retrain',
          gates: '✓champion',
        },
      ],
      ['c2', { tenant: 'tenant_2', model: 'timeline' }],
    ]);
    const lines = summaryLines(results, new Map([['c1', 2]]), [version(3, true)]);
    expect(lines[0]).toBe('');
    expect(lines[2]).toMatch(
      /^tenant_1\s+timeline\s+0\.412 department\s+-\s+retrain\s+-\s+v3\s+2\s+✓champion$/,
    );
    expect(lines[3]).toMatch(/^tenant_2\s+timeline\s+-\s+-\s+-\s+-\s+v-\s+0\s+-$/);
  });
});

describe('rollback refusals', () => {
  const versions = [version(1, false), version(2, true)];
  it('words each refusal of the shared rules for the operator', () => {
    expect(
      refusal({ ok: false, code: 'NO_SUCH_VERSION', message: '' }, versions, 'tenant_1', 'timeline', 9),
    ).toBe('tenant_1 has no timeline version 9 (versions: 1, 2)');
    expect(
      refusal({ ok: false, code: 'ALREADY_ACTIVE', message: '' }, versions, 'tenant_1', 'timeline', 2),
    ).toBe('timeline v2 is already active');
    expect(
      refusal(
        { ok: false, code: 'NOTHING_TO_ROLL_BACK', message: '' },
        [],
        'tenant_1',
        'timeline',
        undefined,
      ),
    ).toBe('tenant_1 has no active timeline model: nothing to roll back');
  });
});
