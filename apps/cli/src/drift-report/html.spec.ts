import { buildBaseline } from '@app/drift';
import type { FeatureHistogramRow } from '@app/database';
import { parseCsv } from './csv';
import { escapeHtml, niceMax, renderHtml } from './html';
import { reportFromCsv, reportFromDb } from './psi-report';

const AT = new Date('2025-04-01T08:00:00Z');

function csvReport() {
  const names = '<script>alert(1)</script>,dept,n';
  const ref = [names, ...Array.from({ length: 30 }, (_, i) => `${i % 3 ? 'a' : '<b>'},"R&D, ""x""",${i}`)];
  const cur = [names, ...Array.from({ length: 30 }, (_, i) => `${i % 2 ? 'a' : '<b>'},ops,${i + 5}`)];
  return reportFromCsv(parseCsv(ref.join('\n'), 'ref<1>.csv'), parseCsv(cur.join('\n'), 'cur.csv'));
}

function dbReport() {
  const distribution = buildBaseline(['a', 'a', 'b'], 'categorical');
  const histograms: FeatureHistogramRow[] = [
    {
      tenant_id: 't',
      model_type: 'claim_outcome',
      feature_name: 'department',
      model_version: 2,
      distribution,
      bin: 'a',
      n: 5,
    },
    {
      tenant_id: 't',
      model_type: 'claim_outcome',
      feature_name: 'department',
      model_version: 2,
      distribution,
      bin: 'b',
      n: 5,
    },
  ];
  return reportFromDb({
    tenantId: 't',
    modelType: 'claim_outcome',
    asOf: '2025-03-31',
    windowDays: 30,
    histograms,
    accuracyRows: [
      { week: '2025-03-10', accuracy: 0.9, n: 50 },
      { week: '2025-03-17', accuracy: 0.8, n: 40 },
      { week: '2025-03-31', accuracy: 0.6, n: 10 },
    ],
  });
}

describe('renderHtml', () => {
  const html = renderHtml(csvReport(), AT);

  it('is one self-contained document: inline SVG and CSS, no script, no external URL', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\ssrc=/i);
  });

  it('escapes column names, categories and file names', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;');
    expect(html).toContain('R&amp;D, &quot;x&quot;');
    expect(html).toContain('ref&lt;1&gt;.csv');
    expect(html).not.toContain('<b>');
  });

  it('draws one bar chart per feature with baseline and current bars, and colours the band', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(3);
    expect(html).toContain('<rect class="baseline"');
    expect(html).toContain('<rect class="current"');
    expect(html).toMatch(/<span class="badge (stable|moderate|significant)">PSI \d+\.\d{4} · /);
    expect(html).toContain('.badge.significant { background: var(--significant); }');
  });

  it('says there is no accuracy data for CSV files', () => {
    expect(html).toContain('No accuracy data');
    expect(html).not.toContain('class="trend"');
  });

  it('draws the accuracy trend in database mode, with a gap for weeks without data', () => {
    const db = renderHtml(dbReport(), AT);
    expect(db.match(/<polyline class="trend"/g)).toHaveLength(2); // 03-10..03-17, then 03-31 alone
    expect(db.match(/<circle class="point"/g)).toHaveLength(3);
    expect(db).toContain('threshold 85%');
    expect(db).not.toMatch(/https?:\/\//);
  });
});

describe('helpers', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('rounds the axis maximum up to a readable step', () => {
    expect(niceMax(0.004)).toBe(0.01);
    expect(niceMax(0.26)).toBe(0.3);
    expect(niceMax(1)).toBe(1);
  });
});
