import {
  buildBaseline,
  computePsi,
  countsFromBins,
  parseBaseline,
  psiFromCounts,
  resolvePsiThresholds,
} from '@app/drift';
import type { FeatureBaseline, PsiBinDetail, PsiResult, PsiThresholds } from '@app/drift';
import type { FeatureHistogramRow } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { splitColumns } from './columns';
import type { ColumnKind, SharedColumn } from './columns';
import type { CsvTable } from './csv';
import { DriftReportError } from './errors';

const DAY_MS = 86_400_000;
/** Weeks of accuracy history shown next to the PSI of a model. */
export const ACCURACY_WEEKS = 12;

export interface ColumnReport {
  name: string;
  kind: ColumnKind;
  result: PsiResult;
  /** Empty cells skipped in each file (always 0 for database reports: claim features are NOT NULL). */
  emptyReference: number;
  emptyCurrent: number;
}

/** Accuracy of the predictions whose outcome became known in one week (Monday start, UTC). */
export interface AccuracyPoint {
  week: string;
  /** null: no labelled prediction that week (drawn as a gap, not as 0%). */
  accuracy: number | null;
  n: number;
}

export type ReportSource =
  | {
      mode: 'csv';
      reference: string;
      current: string;
      referenceRows: number;
      currentRows: number;
      onlyInReference: string[];
      onlyInCurrent: string[];
    }
  | {
      mode: 'db';
      tenantId: string;
      modelType: ModelType;
      modelVersions: number[];
      /** First and last day of the current window (inclusive, UTC). */
      firstDay: string;
      lastDay: string;
      windowDays: number;
      accuracyThreshold: number;
    };

export interface DriftReport {
  source: ReportSource;
  thresholds: PsiThresholds;
  columns: ColumnReport[];
  /** null when the source has no predictions at all (CSV files), [] when it has none in the period. */
  accuracy: AccuracyPoint[] | null;
}

/** What `--json` prints, exactly: nothing else, so scripts can rely on the shape. */
export interface DriftReportJson {
  columns: Record<string, { psi: number; band: PsiResult['band']; bins: PsiBinDetail[] }>;
}

export function reportFromCsv(reference: CsvTable, current: CsvTable): DriftReport {
  const split = splitColumns(reference, current);
  return {
    source: {
      mode: 'csv',
      reference: reference.file,
      current: current.file,
      referenceRows: reference.rows.length,
      currentRows: current.rows.length,
      onlyInReference: split.onlyInReference,
      onlyInCurrent: split.onlyInCurrent,
    },
    thresholds: resolvePsiThresholds(),
    columns: split.shared.map(columnReport),
    accuracy: null,
  };
}

function columnReport(column: SharedColumn): ColumnReport {
  // The reference file plays the stored baseline: its bins (deciles or values) are frozen and the
  // current file is counted in them, exactly as the drift monitor treats a production window.
  const result =
    column.kind === 'numeric'
      ? computePsi(buildBaseline(column.reference, 'numeric'), column.current)
      : computePsi(buildBaseline(column.reference, 'categorical'), column.current);
  return {
    name: column.name,
    kind: column.kind,
    result,
    emptyReference: column.emptyReference,
    emptyCurrent: column.emptyCurrent,
  };
}

/** The current window ending with `asOf` (inclusive, UTC), as the drift monitor defines its windows. */
export function currentWindow(asOf: string, days: number): { from: Date; to: Date } {
  const to = new Date(Date.parse(`${asOf}T00:00:00Z`) + DAY_MS);
  return { from: new Date(to.getTime() - days * DAY_MS), to };
}

/** Monday-start weeks (as Postgres `date_trunc('week')` cuts them) ending with the week of `asOf`. */
export function accuracyWeeks(asOf: string, count = ACCURACY_WEEKS): string[] {
  const day = new Date(`${asOf}T00:00:00Z`);
  const monday = day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS;
  return Array.from({ length: count }, (_, i) => isoDay(new Date(monday - (count - 1 - i) * 7 * DAY_MS)));
}

export interface DbReportInput {
  tenantId: string;
  modelType: ModelType;
  asOf: string;
  windowDays: number;
  histograms: readonly FeatureHistogramRow[];
  /** Weekly accuracy rows from SQL; weeks without a row become gaps. */
  accuracyRows: readonly { week: string; accuracy: number; n: number }[];
}

export function reportFromDb(input: DbReportInput): DriftReport {
  const config = MODEL_CONFIGS[input.modelType];
  const thresholds = resolvePsiThresholds({ significant: config.driftThreshold });
  const byFeature = groupByFeature(input.histograms);
  if (byFeature.size === 0) {
    throw new DriftReportError(
      `no active baselines for tenant ${input.tenantId} and model ${input.modelType} (table model_feature_baselines)`,
    );
  }
  const { from, to } = currentWindow(input.asOf, input.windowDays);
  const window = { firstDay: isoDay(from), lastDay: isoDay(new Date(to.getTime() - DAY_MS)) };
  const missing = [...byFeature].filter(([, rows]) => rows.every((r) => r.n === 0)).map(([name]) => name);
  if (missing.length > 0) {
    throw new DriftReportError(
      `no current data for ${missing.join(', ')} of tenant ${input.tenantId} between ${window.firstDay} and ${window.lastDay}: nothing to compare`,
    );
  }
  const columns = [...byFeature].map(([name, rows]) => featureReport(name, rows, thresholds));
  return {
    source: {
      mode: 'db',
      tenantId: input.tenantId,
      modelType: input.modelType,
      modelVersions: [...new Set(input.histograms.map((r) => r.model_version))].sort((a, b) => a - b),
      ...window,
      windowDays: input.windowDays,
      accuracyThreshold: config.accuracyThreshold,
    },
    thresholds,
    columns,
    accuracy: accuracySeries(accuracyWeeks(input.asOf), input.accuracyRows),
  };
}

function groupByFeature(rows: readonly FeatureHistogramRow[]): Map<string, FeatureHistogramRow[]> {
  const groups = new Map<string, FeatureHistogramRow[]>();
  for (const row of rows) {
    const group = groups.get(row.feature_name) ?? [];
    group.push(row);
    groups.set(row.feature_name, group);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function featureReport(name: string, rows: FeatureHistogramRow[], thresholds: PsiThresholds): ColumnReport {
  try {
    // Every row of a feature carries the same stored distribution; it is validated before use.
    const baseline = parseBaseline(rows[0]!.distribution);
    return {
      name,
      kind: baselineKind(baseline),
      result: psiFromCounts(baseline, countsFromBins(baseline, rows), thresholds),
      emptyReference: 0,
      emptyCurrent: 0,
    };
  } catch (error) {
    // A corrupt stored baseline is bad data; say which feature it belongs to.
    throw new DriftReportError(`feature ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function baselineKind(baseline: FeatureBaseline): ColumnKind {
  return baseline.kind === 'numeric_binned' || baseline.numeric ? 'numeric' : 'categorical';
}

export function accuracySeries(
  weeks: readonly string[],
  rows: readonly { week: string; accuracy: number; n: number }[],
): AccuracyPoint[] {
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  return weeks.map((week) => {
    const row = byWeek.get(week);
    return row ? { week, accuracy: row.accuracy, n: row.n } : { week, accuracy: null, n: 0 };
  });
}

export function reportJson(report: DriftReport): DriftReportJson {
  // fromEntries defines own properties, so a column named "__proto__" is kept like any other.
  return {
    columns: Object.fromEntries(
      report.columns.map((c) => [c.name, { psi: c.result.psi, band: c.result.band, bins: c.result.bins }]),
    ),
  };
}

/** Notes that are not part of the numbers: skipped cells and ignored columns. */
export function reportNotes(report: DriftReport): string[] {
  const notes = report.columns
    .filter((c) => c.emptyReference + c.emptyCurrent > 0)
    .map(
      (c) =>
        `column ${c.name}: skipped ${c.emptyReference} empty cell(s) in the reference and ${c.emptyCurrent} in the current data`,
    );
  if (report.source.mode === 'csv') {
    const { onlyInReference, onlyInCurrent, reference, current } = report.source;
    if (onlyInReference.length > 0)
      notes.push(`only in ${reference} (ignored): ${onlyInReference.join(', ')}`);
    if (onlyInCurrent.length > 0) notes.push(`only in ${current} (ignored): ${onlyInCurrent.join(', ')}`);
  }
  return notes;
}

export function describeSource(report: DriftReport): string {
  const s = report.source;
  switch (s.mode) {
    case 'csv':
      return `reference ${s.reference} (${s.referenceRows} rows) vs current ${s.current} (${s.currentRows} rows)`;
    case 'db':
      return `tenant ${s.tenantId}, model ${s.modelType} (baseline v${s.modelVersions.join(', v')}), claims filed ${s.firstDay} to ${s.lastDay} (${s.windowDays} days) vs the active baselines`;
  }
}

export function describeBands(t: PsiThresholds): string {
  return `stable < ${t.moderate} <= moderate <= ${t.significant} < significant`;
}

/** The plain-text report: a header, one table row per column, notes, and the accuracy trend. */
export function formatTable(report: DriftReport): string[] {
  // Database features are NOT NULL columns: empty-cell counts would only be noise there.
  const csv = report.source.mode === 'csv';
  const head = [
    'column',
    'kind',
    'bins',
    'psi',
    'band',
    'n ref',
    'n cur',
    ...(csv ? ['empty ref', 'empty cur'] : []),
  ];
  const rows = report.columns.map((c) => [
    c.name,
    c.kind,
    String(c.result.bins.length),
    c.result.psi.toFixed(4),
    c.result.band,
    String(c.result.nBaseline),
    String(c.result.nCurrent),
    ...(csv ? [String(c.emptyReference), String(c.emptyCurrent)] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Text columns left-aligned, numbers right-aligned, so decimals line up.
  const textColumns = new Set([0, 1, 4]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (textColumns.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `drift report: ${describeSource(report)}`,
    `bands: ${describeBands(report.thresholds)}`,
    '',
    line(head),
    ...rows.map(line),
    ...reportNotes(report).map((n) => `note: ${n}`),
    ...accuracyLines(report),
  ];
}

function accuracyLines(report: DriftReport): string[] {
  if (report.accuracy === null) return [];
  const points = report.accuracy.filter((p) => p.accuracy !== null);
  if (points.length === 0)
    return ['', `accuracy: no predictions with a known outcome in the last ${ACCURACY_WEEKS} weeks`];
  return [
    '',
    'accuracy by week (predictions with a known outcome):',
    ...points.map((p) => `  week of ${p.week}  ${(p.accuracy! * 100).toFixed(1).padStart(5)}%  (n=${p.n})`),
  ];
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
