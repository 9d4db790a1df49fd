import type { PsiResult } from '@app/drift';
import type { AccuracyPoint, ColumnReport, DriftReport } from './psi-report';
import { ACCURACY_WEEKS, describeBands, describeSource, reportNotes } from './psi-report';

// The report is one file that must open anywhere (mail attachment, air-gapped laptop, CI artefact):
// inline CSS and SVG only, no script, no external URL. The CSP meta tag makes a browser enforce that.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values (column names and categories come from user data). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Bars per chart: beyond this a category chart is unreadable; the bins table still lists all of them. */
const MAX_DRAWN_BINS = 40;

export function renderHtml(report: DriftReport, generatedAt: Date): string {
  const title =
    report.source.mode === 'csv'
      ? `${report.source.reference} vs ${report.source.current}`
      : `${report.source.tenantId} / ${report.source.modelType}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Drift report: ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Drift report</h1>
<p>${escapeHtml(describeSource(report))}</p>
<p class="meta">Generated ${escapeHtml(generatedAt.toISOString())} · PSI bands: ${escapeHtml(describeBands(report.thresholds))}</p>
${notesHtml(reportNotes(report))}
</header>
<main>
<section>
<h2>Summary</h2>
${summaryTable(report.columns, report.source.mode === 'csv')}
</section>
<section>
<h2>Features</h2>
${report.columns.map((c, i) => featureSection(c, i, report.source.mode === 'csv')).join('\n')}
</section>
<section>
<h2>Accuracy trend</h2>
${accuracySection(report)}
</section>
</main>
</body>
</html>
`;
}

function notesHtml(notes: string[]): string {
  if (notes.length === 0) return '';
  return `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}

function badge(result: PsiResult): string {
  return `<span class="badge ${result.band}">PSI ${result.psi.toFixed(4)} · ${result.band}</span>`;
}

// Empty-cell counts only mean something for CSV files (claim features in the database are NOT NULL).
function summaryTable(columns: ColumnReport[], showEmpty: boolean): string {
  // Worst first: the summary is where a reader decides which chart to look at.
  const order = columns.map((c, i) => ({ c, i })).sort((a, b) => b.c.result.psi - a.c.result.psi);
  const rows = order.map(
    ({ c, i }) =>
      `<tr><td><a href="#feature-${i}">${escapeHtml(c.name)}</a></td><td>${c.kind}</td><td class="num">${c.result.psi.toFixed(4)}</td><td><span class="badge ${c.result.band}">${c.result.band}</span></td><td class="num">${c.result.nBaseline}</td><td class="num">${c.result.nCurrent}</td>${showEmpty ? `<td class="num">${c.emptyReference} / ${c.emptyCurrent}</td>` : ''}</tr>`,
  );
  return `<table><thead><tr><th>feature</th><th>kind</th><th>PSI</th><th>band</th><th>n baseline</th><th>n current</th>${showEmpty ? '<th>empty cells skipped</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function featureSection(column: ColumnReport, index: number, showEmpty: boolean): string {
  const r = column.result;
  return `<article class="feature ${r.band}" id="feature-${index}">
<h3><span class="name">${escapeHtml(column.name)}</span> ${badge(r)}</h3>
<p class="meta">${column.kind} · ${r.bins.length} bins · baseline n=${r.nBaseline} · current n=${r.nCurrent}${showEmpty ? ` · empty cells skipped: ${column.emptyReference} baseline, ${column.emptyCurrent} current` : ''}</p>
<p class="legend"><span class="key baseline"></span>baseline share <span class="key current"></span>current share</p>
${barChart(column)}
<details><summary>Bins</summary>${binsTable(r)}</details>
</article>`;
}

interface DrawnBin {
  label: string;
  baseline: number;
  current: number;
  baselineCount: number;
  currentCount: number;
}

/** True shares (count / n) for drawing; the 1e-4 floor PSI uses for empty bins would only confuse. */
function drawnBins(result: PsiResult): { bins: DrawnBin[]; hidden: number } {
  const all = result.bins.map((b) => ({
    label: b.label,
    baseline: b.baselineCount / result.nBaseline,
    current: b.currentCount / result.nCurrent,
    baselineCount: b.baselineCount,
    currentCount: b.currentCount,
  }));
  if (all.length <= MAX_DRAWN_BINS) return { bins: all, hidden: 0 };
  const keep = new Set(
    [...all]
      .sort((a, b) => Math.max(b.baseline, b.current) - Math.max(a.baseline, a.current))
      .slice(0, MAX_DRAWN_BINS),
  );
  return { bins: all.filter((b) => keep.has(b)), hidden: all.length - MAX_DRAWN_BINS };
}

/** Smallest "round" axis maximum at or above the largest share, so gridlines get readable labels. */
export function niceMax(share: number): number {
  const steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1];
  return steps.find((s) => s >= share) ?? 1;
}

function pct(share: number): string {
  return `${+(share * 100).toFixed(2)}%`;
}

function shorten(label: string, max = 18): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

const BAR = { group: 44, bar: 16, plot: 180, left: 52, right: 16, top: 14, bottom: 84 };

function barChart(column: ColumnReport): string {
  const { bins, hidden } = drawnBins(column.result);
  const plotWidth = Math.max(320, bins.length * BAR.group);
  const width = BAR.left + plotWidth + BAR.right;
  const height = BAR.top + BAR.plot + BAR.bottom;
  const yMax = niceMax(Math.max(...bins.flatMap((b) => [b.baseline, b.current])));
  const y = (share: number): number => BAR.top + BAR.plot - (share / yMax) * BAR.plot;
  const group = plotWidth / bins.length;
  const grid = [0, 1, 2, 3, 4].map((k) => {
    const v = (yMax * k) / 4;
    return `<line class="grid" x1="${BAR.left}" x2="${BAR.left + plotWidth}" y1="${y(v)}" y2="${y(v)}"/><text class="axis" x="${BAR.left - 6}" y="${y(v) + 4}" text-anchor="end">${pct(v)}</text>`;
  });
  const bars = bins.map((b, i) => {
    const x = BAR.left + i * group + group / 2;
    const label = escapeHtml(b.label);
    return [
      rect(
        'baseline',
        x - BAR.bar - 1,
        y(b.baseline),
        BAR.top + BAR.plot - y(b.baseline),
        `${label}: baseline ${pct(b.baseline)} (${b.baselineCount})`,
      ),
      rect(
        'current',
        x + 1,
        y(b.current),
        BAR.top + BAR.plot - y(b.current),
        `${label}: current ${pct(b.current)} (${b.currentCount})`,
      ),
      `<text class="axis" transform="translate(${x + 4} ${BAR.top + BAR.plot + 12}) rotate(-40)" text-anchor="end">${escapeHtml(shorten(b.label))}<title>${label}</title></text>`,
    ].join('');
  });
  const note =
    hidden > 0 ? `<p class="meta">${hidden} smaller bins are not drawn; the table lists every bin.</p>` : '';
  return `<svg class="chart" role="img" aria-label="${escapeHtml(`baseline and current shares of ${column.name}`)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${grid.join('')}${bars.join('')}</svg>${note}`;
}

function rect(kind: 'baseline' | 'current', x: number, top: number, h: number, title: string): string {
  return `<rect class="${kind}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${BAR.bar}" height="${h.toFixed(1)}"><title>${title}</title></rect>`;
}

function binsTable(r: PsiResult): string {
  const rows = r.bins.map(
    (b) =>
      `<tr><td>${escapeHtml(b.label)}</td><td class="num">${b.baselineCount}</td><td class="num">${pct(b.baselineCount / r.nBaseline)}</td><td class="num">${b.currentCount}</td><td class="num">${pct(b.currentCount / r.nCurrent)}</td><td class="num">${b.contribution.toFixed(5)}</td></tr>`,
  );
  return `<table><thead><tr><th>bin</th><th>baseline count</th><th>baseline share</th><th>current count</th><th>current share</th><th>PSI contribution</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function accuracySection(report: DriftReport): string {
  if (report.accuracy === null || report.source.mode === 'csv') {
    return '<p class="empty">No accuracy data: CSV files hold no predictions. Run the report with --tenant and --model for the weekly accuracy of the model.</p>';
  }
  if (report.accuracy.every((p) => p.accuracy === null)) {
    return `<p class="empty">No predictions with a known outcome in the last ${ACCURACY_WEEKS} weeks.</p>`;
  }
  return `<p class="meta">Weekly accuracy of predictions whose outcome became known (UTC weeks starting Monday); dashed line: the model's accuracy threshold.</p>
${accuracyChart(report.accuracy, report.source.accuracyThreshold)}`;
}

const LINE = { width: 680, plot: 200, left: 52, right: 110, top: 16, bottom: 44 };

function accuracyChart(points: AccuracyPoint[], threshold: number): string {
  const plotWidth = LINE.width - LINE.left - LINE.right;
  const height = LINE.top + LINE.plot + LINE.bottom;
  const x = (i: number): number => LINE.left + ((i + 0.5) * plotWidth) / points.length;
  const y = (a: number): number => LINE.top + (1 - a) * LINE.plot;
  const grid = [0, 0.25, 0.5, 0.75, 1].map(
    (v) =>
      `<line class="grid" x1="${LINE.left}" x2="${LINE.left + plotWidth}" y1="${y(v)}" y2="${y(v)}"/><text class="axis" x="${LINE.left - 6}" y="${y(v) + 4}" text-anchor="end">${pct(v)}</text>`,
  );
  const thresholdLine = `<line class="threshold" x1="${LINE.left}" x2="${LINE.left + plotWidth}" y1="${y(threshold)}" y2="${y(threshold)}"/><text class="axis" x="${LINE.left + plotWidth + 6}" y="${y(threshold) + 4}">threshold ${pct(threshold)}</text>`;
  const lines = segments(points).map(
    (run) =>
      `<polyline class="trend" points="${run.map((i) => `${x(i).toFixed(1)},${y(points[i]!.accuracy!).toFixed(1)}`).join(' ')}"/>`,
  );
  const dots = points.map((p, i) =>
    p.accuracy === null
      ? ''
      : `<circle class="point" cx="${x(i).toFixed(1)}" cy="${y(p.accuracy).toFixed(1)}" r="4"><title>week of ${escapeHtml(p.week)}: ${pct(p.accuracy)} of ${p.n} predictions</title></circle>`,
  );
  const labels = points.map(
    (p, i) =>
      `<text class="axis" x="${x(i).toFixed(1)}" y="${LINE.top + LINE.plot + 18}" text-anchor="middle">${escapeHtml(p.week.slice(5))}</text>`,
  );
  return `<svg class="chart" role="img" aria-label="weekly accuracy" width="${LINE.width}" height="${height}" viewBox="0 0 ${LINE.width} ${height}">${grid.join('')}${thresholdLine}${lines.join('')}${dots.join('')}${labels.join('')}</svg>`;
}

/** Runs of consecutive weeks with data: a week without labelled predictions breaks the line. */
function segments(points: AccuracyPoint[]): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  points.forEach((p, i) => {
    if (p.accuracy === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

const STYLE = `
:root { --stable: #1e7e34; --moderate: #b7791f; --significant: #c0392b; --baseline: #9aa5b1; --current: #2b6cb0; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 32px 0 12px; font-size: 18px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
h3 { margin: 0 0 4px; font-size: 16px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.meta { color: #4a5568; font-size: 12px; margin: 2px 0 8px; }
.notes { color: #744210; background: #fffbeb; border: 1px solid #f6e05e; border-radius: 4px; padding: 8px 8px 8px 28px; font-size: 13px; }
.empty { color: #4a5568; font-style: italic; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #edf2f7; text-align: left; }
th { background: #f7fafc; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: inherit; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.stable { background: var(--stable); }
.badge.moderate { background: var(--moderate); }
.badge.significant { background: var(--significant); }
.feature { border-left: 4px solid #cbd5e0; padding: 8px 0 8px 14px; margin: 18px 0; }
.feature.stable { border-left-color: var(--stable); }
.feature.moderate { border-left-color: var(--moderate); }
.feature.significant { border-left-color: var(--significant); }
.legend { font-size: 12px; color: #4a5568; margin: 0; }
.key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: -1px; }
.key.baseline { background: var(--baseline); margin-left: 0; }
.key.current { background: var(--current); }
.chart { display: block; max-width: 100%; height: auto; overflow: visible; }
.chart .grid { stroke: #e2e8f0; stroke-width: 1; }
.chart .axis { font-size: 10px; fill: #4a5568; }
.chart rect.baseline { fill: var(--baseline); }
.chart rect.current { fill: var(--current); }
.chart .trend { fill: none; stroke: var(--current); stroke-width: 2; }
.chart .point { fill: var(--current); }
.chart .threshold { stroke: var(--significant); stroke-width: 1.5; stroke-dasharray: 6 4; }
details summary { cursor: pointer; color: #2b6cb0; font-size: 13px; margin-top: 4px; }
`;
