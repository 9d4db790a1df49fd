import { buildBaseline, computePsi } from '@app/drift';
import type { FeatureHistogramRow } from '@app/database';
import { parseCsv } from './csv';
import {
  accuracySeries,
  accuracyWeeks,
  currentWindow,
  formatTable,
  reportFromCsv,
  reportFromDb,
  reportJson,
} from './psi-report';

// Expected PSI values were computed independently with python3 (plain floats, no numpy) from the rules
// of libs/drift: decile edges e_k = sorted[floor(k*N/10)], bin = number of edges <= v, empty-bin share
// 1e-4, PSI = sum (cur - ref) * ln(cur / ref) over the union of bins.
const fill = <T>(value: T, n: number): T[] => Array<T>(n).fill(value);
const REFERENCE = {
  x: Array.from({ length: 40 }, (_, i) => i + 1),
  cat: [...fill('a', 20), ...fill('b', 15), ...fill('c', 5)],
  k: [...fill(1, 10), ...fill(2, 20), ...fill(3, 10)],
};
const CURRENT = {
  x: Array.from({ length: 40 }, (_, i) => i + 11),
  cat: [...fill('a', 14), ...fill('b', 16), ...fill('c', 10)],
  k: [...fill(1, 12), ...fill(2, 19), ...fill(3, 9)],
};
const EXPECTED = {
  x: { psi: 1.7280176058924703, band: 'significant', bins: 10, kind: 'numeric' },
  cat: { psi: 0.1417581021892423, band: 'moderate', bins: 3, kind: 'categorical' },
  k: { psi: 0.01303242309083215, band: 'stable', bins: 3, kind: 'numeric' },
} as const;

function toCsv(c: typeof REFERENCE, file: string) {
  return parseCsv(['x,cat,k', ...c.x.map((x, i) => `${x},${c.cat[i]},${c.k[i]}`)].join('\r\n'), file);
}

describe('reportFromCsv', () => {
  const report = reportFromCsv(toCsv(REFERENCE, 'ref.csv'), toCsv(CURRENT, 'cur.csv'));

  it.each(Object.entries(EXPECTED))('column %s matches the independently computed PSI', (name, want) => {
    const column = report.columns.find((c) => c.name === name)!;
    expect(column.kind).toBe(want.kind);
    expect(column.result.psi).toBeCloseTo(want.psi, 12);
    expect(column.result.band).toBe(want.band);
    expect(column.result.bins).toHaveLength(want.bins);
  });

  it('bins the current file with the reference deciles', () => {
    const x = report.columns[0]!.result;
    expect(x.bins.map((b) => b.baselineCount)).toEqual(fill(4, 10));
    expect(x.bins.map((b) => b.currentCount)).toEqual([0, 0, 2, 4, 4, 4, 4, 4, 4, 14]);
  });

  it('has no accuracy data', () => {
    expect(report.accuracy).toBeNull();
  });

  it('prints exactly {columns: {name: {psi, band, bins}}} with --json', () => {
    const json = JSON.parse(JSON.stringify(reportJson(report))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['columns']);
    const columns = json.columns as Record<string, Record<string, unknown>>;
    expect(Object.keys(columns)).toEqual(['x', 'cat', 'k']);
    for (const [name, want] of Object.entries(EXPECTED)) {
      expect(Object.keys(columns[name]!).sort()).toEqual(['band', 'bins', 'psi']);
      expect(columns[name]!.psi).toBeCloseTo(want.psi, 12);
      expect(columns[name]!.band).toBe(want.band);
    }
    expect((columns.cat!.bins as unknown[])[0]).toEqual({
      label: 'a',
      baselineCount: 20,
      currentCount: 14,
      baselineShare: 0.5,
      currentShare: 0.35,
      contribution: expect.closeTo((0.35 - 0.5) * Math.log(0.35 / 0.5), 15) as unknown,
    });
  });

  it('keeps a column named __proto__ as an own key of the JSON', () => {
    const r = reportFromCsv(parseCsv('__proto__\na\nb', 'r.csv'), parseCsv('__proto__\na', 'c.csv'));
    expect(JSON.stringify(reportJson(r))).toContain('"__proto__":{"psi"');
  });

  it('counts and reports skipped empty cells and one-sided columns', () => {
    const r = reportFromCsv(
      parseCsv('a,b,old\n1,x,1\n,y,2\n3,,3', 'r.csv'),
      parseCsv('a,b,new\n1,x,\n2,,\n', 'c.csv'),
    );
    expect(r.columns.map((c) => [c.name, c.emptyReference, c.emptyCurrent])).toEqual([
      ['a', 1, 0],
      ['b', 1, 1],
    ]);
    const table = formatTable(r);
    expect(table).toContain(
      'note: column a: skipped 1 empty cell(s) in the reference and 0 in the current data',
    );
    expect(table).toContain('note: only in r.csv (ignored): old');
    expect(table).toContain('note: only in c.csv (ignored): new');
  });

  it('formats a table with one row per column', () => {
    const lines = formatTable(report);
    expect(lines[0]).toBe('drift report: reference ref.csv (40 rows) vs current cur.csv (40 rows)');
    expect(lines.find((l) => l.startsWith('x '))).toMatch(
      /^x\s+numeric\s+10\s+1\.7280\s+significant\s+40\s+40\s+0\s+0$/,
    );
  });
});

describe('windows', () => {
  it('ends the current window with the as-of day (exclusive next midnight, UTC)', () => {
    const { from, to } = currentWindow('2025-03-31', 30);
    expect(to.toISOString()).toBe('2025-04-01T00:00:00.000Z');
    expect(from.toISOString()).toBe('2025-03-02T00:00:00.000Z');
  });

  it('lists 12 Monday-start weeks ending with the week of the as-of day', () => {
    const weeks = accuracyWeeks('2025-03-30'); // a Sunday
    expect(weeks).toHaveLength(12);
    expect(weeks[11]).toBe('2025-03-24');
    expect(weeks[0]).toBe('2025-01-06');
    expect(accuracyWeeks('2025-03-31')[11]).toBe('2025-03-31'); // a Monday
  });

  it('turns weeks without labelled predictions into gaps', () => {
    expect(
      accuracySeries(['2025-01-06', '2025-01-13'], [{ week: '2025-01-13', accuracy: 0.5, n: 4 }]),
    ).toEqual([
      { week: '2025-01-06', accuracy: null, n: 0 },
      { week: '2025-01-13', accuracy: 0.5, n: 4 },
    ]);
  });
});

function rows(
  feature: string,
  distribution: unknown,
  bins: [string | null, number][],
): FeatureHistogramRow[] {
  return bins.map(([bin, n]) => ({
    tenant_id: 't1',
    model_type: 'churn_risk',
    feature_name: feature,
    model_version: 1,
    distribution,
    bin,
    n,
  }));
}

describe('reportFromDb', () => {
  const numeric = buildBaseline(REFERENCE.x, 'numeric');
  const categorical = buildBaseline(REFERENCE.cat, 'categorical');
  const lowCardinality = buildBaseline(REFERENCE.k, 'numeric');
  const input = {
    tenantId: 't1',
    modelType: 'churn_risk' as const,
    asOf: '2025-03-31',
    windowDays: 30,
    // What SQL returns: bin index as text for deciles, values as text (Postgres may print 1 as "1.0").
    histograms: [
      ...rows('department', categorical, [
        ['a', 14],
        ['b', 16],
        ['c', 10],
      ]),
      ...rows('member_age', numeric, [
        ['2', 2],
        ['3', 4],
        ['4', 4],
        ['5', 4],
        ['6', 4],
        ['7', 4],
        ['8', 4],
        ['9', 14],
      ]),
      ...rows('case_complexity', lowCardinality, [
        ['1.0', 12],
        ['2', 19],
        ['3', 9],
      ]),
    ],
    accuracyRows: [{ week: '2025-03-24', accuracy: 0.8, n: 10 }],
  };

  it('gives the same PSI as computing it in memory from the values', () => {
    const report = reportFromDb(input);
    const psi = Object.fromEntries(report.columns.map((c) => [c.name, c.result.psi]));
    expect(psi.member_age).toBeCloseTo(computePsi(numeric, CURRENT.x).psi, 12);
    expect(psi.member_age).toBeCloseTo(EXPECTED.x.psi, 12);
    expect(psi.department).toBeCloseTo(EXPECTED.cat.psi, 12);
    expect(psi.case_complexity).toBeCloseTo(EXPECTED.k.psi, 12);
    expect(report.columns.map((c) => c.name)).toEqual(['case_complexity', 'department', 'member_age']);
  });

  it('describes the window and fills 12 weeks of accuracy', () => {
    const report = reportFromDb(input);
    expect(report.source).toMatchObject({
      mode: 'db',
      firstDay: '2025-03-02',
      lastDay: '2025-03-31',
      modelVersions: [1],
    });
    expect(report.accuracy).toHaveLength(12);
    expect(report.accuracy![11]).toEqual({ week: '2025-03-31', accuracy: null, n: 0 });
    expect(report.accuracy![10]).toEqual({ week: '2025-03-24', accuracy: 0.8, n: 10 });
    expect(formatTable(report)).toContain('  week of 2025-03-24   80.0%  (n=10)');
  });

  it('refuses a report without baselines or without current data', () => {
    expect(() => reportFromDb({ ...input, histograms: [] })).toThrow(
      'no active baselines for tenant t1 and model churn_risk (table model_feature_baselines)',
    );
    expect(() =>
      reportFromDb({ ...input, histograms: rows('department', categorical, [[null, 0]]) }),
    ).toThrow(
      'no current data for department of tenant t1 between 2025-03-02 and 2025-03-31: nothing to compare',
    );
  });

  it('names the feature of a corrupt stored baseline', () => {
    expect(() =>
      reportFromDb({ ...input, histograms: rows('department', { version: 1 }, [['a', 1]]) }),
    ).toThrow(/^feature department: invalid baseline/);
  });
});
