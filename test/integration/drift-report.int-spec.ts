import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBaseline, computePsi } from '@app/drift';
import type { FeatureBaseline } from '@app/drift';
import { FEATURES, MODEL_CONFIGS } from '@app/domain';
import type { FeatureName } from '@app/domain';
import { runDriftReport } from '../../apps/cli/src/drift-report/command';
import { createTenant, Harness } from './support/harness';

async function report(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDriftReport(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
    { ...env },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Deterministic pseudo-random numbers (a tiny LCG), so the test data is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

type Values = Record<FeatureName, (number | string)[]>;
const DEPARTMENTS = ['Operations', 'Finance', 'Health & Safety', 'Transit', 'Education'];

/** Claims-like feature values; `shift` moves age, tenure and complexity up and skews departments. */
function sample(n: number, seed: number, shift: number): Values {
  const r = random(seed);
  const values: Values = {
    member_age: [],
    case_complexity: [],
    union_tenure_years: [],
    claim_type: [],
    department: [],
    priority: [],
  };
  for (let i = 0; i < n; i++) {
    values.member_age.push(20 + Math.floor(r() * 40) + shift * 8);
    values.case_complexity.push(Math.min(5, 1 + Math.floor(r() * 5) + (r() < shift * 0.5 ? 1 : 0)));
    values.union_tenure_years.push(Math.round((r() * 25 + shift * 4) * 100) / 100);
    values.claim_type.push('grievance');
    values.department.push(DEPARTMENTS[Math.floor(r() * Math.max(1, DEPARTMENTS.length - shift * 2))]!);
    values.priority.push('medium');
  }
  return values;
}

describe('drift:report in database mode', () => {
  const h = new Harness();
  const tenant = `drift_report_${Math.random().toString(36).slice(2, 8)}`;
  const otherTenant = `${tenant}_other`;
  const model = 'churn_risk' as const;
  const features = MODEL_CONFIGS[model].features;
  // Window of 30 days ending with 2025-06-15 (a Sunday): filed_at in [2025-05-17, 2025-06-16).
  const AS_OF = '2025-06-15';
  const windowStart = Date.parse('2025-05-17T00:00:00Z');
  const reference = sample(600, 7, 0);
  const current = sample(240, 11, 1);
  const baselines = new Map<FeatureName, FeatureBaseline>();
  let dir: string;

  async function insertClaims(
    tenantId: string,
    memberId: string,
    values: Values,
    filedAt: (i: number) => Date,
  ) {
    const n = values.member_age.length;
    for (let i = 0; i < n; i++) {
      await h.query(
        `insert into claims (tenant_id, claim_number, member_id, claim_type, status, priority, department, description,
                             case_complexity, member_age, union_tenure_years, filed_at)
         values ($1, $2, $3, $4, 'open', $5, $6, 'test claim', $7, $8, $9, $10)`,
        [
          tenantId,
          `${tenantId}-${filedAt(i).getTime()}-${i}`,
          memberId,
          values.claim_type[i],
          values.priority[i],
          values.department[i],
          values.case_complexity[i],
          values.member_age[i],
          values.union_tenure_years[i],
          filedAt(i).toISOString(),
        ],
      );
    }
  }

  async function member(tenantId: string): Promise<string> {
    await createTenant(h, tenantId);
    const [row] = await h.query<{ id: string }>(
      `insert into profiles (tenant_id, user_id, first_name, last_name, email, role, department, birth_date, union_joined_at)
       values ($1, $2, 'Ada', 'Member', $3, 'member', 'Operations', '1980-01-01', '2010-01-01') returning id`,
      [tenantId, `mock_user_${tenantId}_1`, `${tenantId}@example.test`],
    );
    return row!.id;
  }

  async function prediction(isCorrect: boolean | null, outcomeKnownAt: string) {
    await h.query(
      `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence,
                                   actual_value, is_correct, predicted_at, outcome_known_at)
       values ($1, gen_random_uuid(), $2, 1, 'retained', 0.8, 'retained', $3, $4, $4)`,
      [tenant, model, isCorrect, outcomeKnownAt],
    );
  }

  beforeAll(async () => {
    await h.start();
    dir = await mkdtemp(join(tmpdir(), 'drift-report-'));
    const memberId = await member(tenant);
    for (const feature of features) {
      const { kind } = FEATURES[feature];
      const baseline = buildBaseline(reference[feature], kind);
      baselines.set(feature, baseline);
      const values = reference[feature];
      const mean =
        kind === 'numeric' ? values.reduce<number>((s, v) => s + Number(v), 0) / values.length : null;
      await h.query(
        `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind,
                                              baseline_value, baseline_complexity, distribution, sample_size, is_active)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
        [tenant, model, 1, feature, kind, mean, null, JSON.stringify(baseline), baseline.n, true],
      );
      // An older, inactive baseline of the same feature must be ignored.
      await h.query(
        `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind,
                                              distribution, sample_size, is_active)
         values ($1, $2, 0, $3, $4, $5::jsonb, 1, false)`,
        [tenant, model, feature, kind, JSON.stringify(buildBaseline([reference[feature][0]!], kind))],
      );
    }
    // Current window: spread over the 30 days, 3 hours apart.
    await insertClaims(tenant, memberId, current, (i) => new Date(windowStart + i * 3 * 3_600_000));
    // Just outside the window on both ends, and another tenant's claims inside it: none may be counted.
    const outside = sample(2, 99, 3);
    await insertClaims(tenant, memberId, outside, (i) =>
      i === 0 ? new Date(windowStart - 1000) : new Date('2025-06-16T00:00:00Z'),
    );
    await insertClaims(
      otherTenant,
      await member(otherTenant),
      sample(50, 5, 3),
      () => new Date(windowStart + 86_400_000),
    );
    // Accuracy: 7/10 in the week of 2025-06-09, 1/4 in the week of 2025-05-19; unlabelled and too old ones excluded.
    for (let i = 0; i < 10; i++) await prediction(i < 7, '2025-06-10T12:00:00Z');
    for (let i = 0; i < 4; i++) await prediction(i < 1, '2025-05-20T12:00:00Z');
    await prediction(null, '2025-06-10T12:00:00Z');
    await prediction(true, '2025-01-01T12:00:00Z');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await h.stop();
  });

  it('prints, as JSON, the PSI computed in memory from the same values', async () => {
    const r = await report(['--tenant', tenant, '--model', model, '--as-of', AS_OF, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      columns: Record<string, { psi: number; band: string; bins: unknown[] }>;
    };
    expect(Object.keys(json.columns).sort()).toEqual([...features].sort());
    for (const feature of features) {
      const expected = computePsi(baselines.get(feature)!, current[feature], {
        significant: MODEL_CONFIGS[model].driftThreshold,
      });
      expect(json.columns[feature]!.psi).toBeCloseTo(expected.psi, 12);
      expect(json.columns[feature]!.band).toBe(expected.band);
      expect(json.columns[feature]!.bins).toEqual(expected.bins);
    }
    // The shifted sample must actually drift, or this test would prove little.
    expect(json.columns.member_age!.band).toBe('significant');
  });

  it('prints a table with the window and the weekly accuracy', async () => {
    const r = await report(['--tenant', tenant, '--model', model, '--as-of', AS_OF]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `tenant ${tenant}, model churn_risk (baseline v1), claims filed 2025-05-17 to 2025-06-15 (30 days)`,
    );
    expect(r.out).toMatch(/^member_age\s+numeric\s+10\s+\d+\.\d{4}\s+significant\s+600\s+240$/m);
    expect(r.out).toContain('week of 2025-05-19   25.0%  (n=4)');
    expect(r.out).toContain('week of 2025-06-09   70.0%  (n=10)');
    expect(r.out).not.toContain('2025-01-01');
  });

  it('writes a self-contained HTML report with the accuracy trend', async () => {
    const file = join(dir, 'db-report.html');
    const r = await report(['--tenant', tenant, '--model', model, '--as-of', AS_OF, '--html', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`HTML report written to ${file}`);
    const html = await readFile(file, 'utf8');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(features.length + 1);
    expect(html.match(/<circle class="point"/g)).toHaveLength(2);
    expect(html).toContain('Health &amp; Safety');
    expect(html).not.toMatch(/https?:\/\/|<script/);
  });

  it('fails with exit 1 for a tenant without baselines, and when the database is unreachable', async () => {
    const none = await report(['--tenant', otherTenant, '--model', model, '--as-of', AS_OF]);
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      `error: no active baselines for tenant ${otherTenant} and model churn_risk (table model_feature_baselines)`,
    );
    const down = await report(['--tenant', tenant, '--model', model], {
      ...process.env,
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:1/none',
    });
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^error: cannot connect to the database: .+/);
  });

  it('fails with exit 1 when the window holds no claims', async () => {
    const r = await report(['--tenant', tenant, '--model', model, '--as-of', '2020-01-01']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: no current data for .* between 2019-12-03 and 2020-01-01: nothing to compare$/,
    );
  });
});

describe('drift:report with CSV files', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  const files: Record<string, string> = {
    'ref.csv':
      'age,dept,code\r\n' +
      Array.from({ length: 30 }, (_, i) => `${20 + i},"Ops, east",${i % 3}`).join('\r\n') +
      '\r\n',
    'cur.csv':
      'age,dept,extra\n' +
      Array.from({ length: 30 }, (_, i) => `${30 + i},${i % 2 ? '"Ops, east"' : 'HR'},1`).join('\n') +
      '\n,HR,1\n',
    'empty.csv': '',
    'ragged.csv': 'age,dept\n1,a\n2,b,c\n',
    'letters.csv': 'age,dept\n1,a\n2,b\n3,c\n4,d\n5,e\nabc,f\n',
    'other.csv': 'x,y\n1,2\n',
    'blank-dept.csv': 'age,dept\n1,\n2,\n',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drift-report-csv-'));
    for (const [name, text] of Object.entries(files)) await writeFile(path(name), text);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table, the skipped cells and the ignored columns, and writes HTML', async () => {
    const html = path('csv.html');
    const r = await report(['--reference', path('ref.csv'), '--current', path('cur.csv'), '--html', html]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^age\s+numeric\s+10\s/m);
    expect(r.out).toMatch(/^dept\s+categorical\s+2\s/m);
    expect(r.out).toContain(
      'note: column age: skipped 0 empty cell(s) in the reference and 1 in the current data',
    );
    expect(r.out).toContain(`note: only in ${path('ref.csv')} (ignored): code`);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('No accuracy data');
    expect(page).toContain('<svg');
  });

  it('prints only the JSON on stdout with --json', async () => {
    const r = await report(['--reference', path('ref.csv'), '--current', path('cur.csv'), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { columns: Record<string, { psi: number; band: string }> };
    expect(Object.keys(json)).toEqual(['columns']);
    expect(Object.keys(json.columns)).toEqual(['age', 'dept']);
    expect(json.columns.age!.band).toBe('significant');
    expect(r.err).toContain('note: column age: skipped 0 empty cell(s)');
  });

  it.each([
    [['missing.csv', 'cur.csv'], (d: string) => `error: cannot read ${d}/missing.csv: no such file`],
    [['empty.csv', 'cur.csv'], (d: string) => `error: ${d}/empty.csv is empty`],
    [
      ['ref.csv', 'ragged.csv'],
      (d: string) => `error: line 3 of ${d}/ragged.csv has 3 field(s), but the header has 2`,
    ],
    [
      ['ref.csv', 'letters.csv'],
      (d: string) =>
        `error: column 'age' is numeric in ${d}/ref.csv but has non-numeric value 'abc' at line 7 of ${d}/letters.csv`,
    ],
    [
      ['ref.csv', 'other.csv'],
      (d: string) => `error: ${d}/ref.csv and ${d}/other.csv have no column in common`,
    ],
    [
      ['ref.csv', 'blank-dept.csv'],
      (d: string) => `error: column 'dept' has no values in ${d}/blank-dept.csv (all 2 cells are empty)`,
    ],
  ])('%j fails with exit 1 and one line on stderr', async ([ref, cur], message) => {
    const r = await report(['--reference', path(ref!), '--current', path(cur!), '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(message(dir));
  });
});
