import { useMemo, useState } from 'react';
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { FeatureHistogram, Interval, ModelDetail, ModelType } from '../../../src/api/types';
import { api } from '../api';
import { ChartCanvas, HiddenTable, MarkerLegend, markersPlugin, seriesColor } from '../charts';
import type { Marker } from '../charts';
import { ErrorMessage, MODEL_LABELS, fmtInterval, fmtNum, useLoad } from '../ui';

type LineData = ChartDataset<'line', (number | null)[]>;

function thresholdLine(label: string, value: number, color: string, days: number): LineData {
  return {
    label,
    data: Array.from({ length: days }, () => value),
    borderColor: color,
    backgroundColor: color,
    borderDash: [8, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    pointHitRadius: 0,
  };
}

function seriesLine(label: string, data: (number | null)[], color: string): LineData {
  return {
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2,
    pointRadius: 0,
    pointHoverRadius: 4,
    spanGaps: true,
  };
}

/**
 * An interval as two invisible lines with the area between them filled: Chart.js fills a dataset down
 * to the one before it ('-1'), so the low line must come right before the high one.
 */
function band(label: string, points: (Interval | null)[], fill: string): LineData[] {
  const low = points.map((p) => p?.low ?? null);
  const high = points.map((p) => p?.high ?? null);
  const invisible = { borderWidth: 0, pointRadius: 0, pointHitRadius: 0, spanGaps: true };
  return [
    { label: '', data: low, fill: false, ...invisible },
    { label, data: high, fill: '-1', backgroundColor: fill, borderColor: fill, ...invisible },
  ];
}

function eventMarkers(d: ModelDetail): Marker[] {
  const markers: Marker[] = [];
  for (const e of d.episodes) {
    markers.push({ date: e.startedOn, kind: 'episodeStart' });
    if (e.endedOn) markers.push({ date: e.endedOn, kind: 'episodeEnd' });
  }
  for (const r of d.trainingRuns)
    if (r.startedAt) markers.push({ date: r.startedAt.slice(0, 10), kind: 'training' });
  for (const dep of d.deployments) {
    if (dep.deployedAt)
      markers.push({ date: dep.deployedAt.slice(0, 10), kind: dep.reason === 'rollback' ? 'rollback' : 'deployment' });
  }
  return markers;
}

const baseOptions = {
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: 'index' as const, intersect: false },
  scales: { x: { ticks: { maxTicksLimit: 12, maxRotation: 0 } } },
};

export function DriftCharts({ detail: d, days }: { detail: ModelDetail; days: number }) {
  const labels = useMemo(() => d.checks.map((c) => c.logicalDate), [d]);
  const markers = useMemo(() => eventMarkers(d), [d]);
  // Features the checks mention but the model config no longer lists still get a line.
  const features = useMemo(() => {
    const all = new Set(d.features);
    for (const c of d.checks) for (const f of Object.keys(c.psi)) all.add(f);
    return [...all];
  }, [d]);
  const last = d.checks.at(-1);
  const what = `${d.tenantName}, ${MODEL_LABELS[d.modelType]}, last ${days} days`;

  const psiConfig = useMemo((): ChartConfiguration<'line'> => {
    const n = labels.length;
    return {
      type: 'line',
      data: {
        labels,
        datasets: [
          ...features.map((f, i) =>
            seriesLine(
              f,
              d.checks.map((c) => c.psi[f] ?? null),
              seriesColor(i),
            ),
          ),
          thresholdLine(
            `Moderate drift (${fmtNum(d.thresholds.psiModerate, 2)})`,
            d.thresholds.psiModerate,
            '#8a5300',
            n,
          ),
          thresholdLine(`Drift threshold (${fmtNum(d.thresholds.psi, 2)})`, d.thresholds.psi, '#b3261e', n),
        ],
      },
      options: {
        ...baseOptions,
        scales: { ...baseOptions.scales, y: { beginAtZero: true, title: { display: true, text: 'PSI' } } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { filter: (item) => item.datasetIndex < features.length },
        },
      },
      plugins: [markersPlugin(labels, markers)],
    };
  }, [d, labels, markers, features]);

  const accuracyConfig = useMemo((): ChartConfiguration<'line'> => {
    const realized = d.checks.map((c) => c.realized);
    const estimated = d.checks.map((c) => c.estimated);
    const REALIZED = 2;
    const ESTIMATED = 5;
    return {
      type: 'line',
      data: {
        labels,
        datasets: [
          ...band('Realized interval', realized, 'rgba(11, 92, 173, 0.18)'),
          seriesLine(
            'Realized accuracy',
            realized.map((r) => r?.value ?? null),
            '#0b5cad',
          ),
          ...band('Estimated interval', estimated, 'rgba(138, 79, 191, 0.14)'),
          {
            ...seriesLine(
              'Estimated accuracy',
              estimated.map((e) => e?.value ?? null),
              '#8a4fbf',
            ),
            borderDash: [6, 4],
          },
          thresholdLine(
            `Accuracy threshold (${fmtNum(d.thresholds.accuracy, 2)})`,
            d.thresholds.accuracy,
            '#b3261e',
            labels.length,
          ),
        ],
      },
      options: {
        ...baseOptions,
        scales: { ...baseOptions.scales, y: { title: { display: true, text: 'Accuracy' } } },
        plugins: {
          legend: { position: 'bottom', labels: { filter: (item) => item.text !== '' } },
          tooltip: {
            filter: (item) => item.datasetIndex === REALIZED || item.datasetIndex === ESTIMATED,
            callbacks: {
              label: (item) =>
                item.datasetIndex === REALIZED
                  ? `Realized ${fmtInterval(realized[item.dataIndex])}`
                  : `Estimated ${fmtInterval(estimated[item.dataIndex])}`,
            },
          },
        },
      },
      plugins: [markersPlugin(labels, markers)],
    };
  }, [d, labels, markers]);

  const coverageConfig = useMemo(
    (): ChartConfiguration<'line'> => ({
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            ...seriesLine(
              'Label coverage',
              d.checks.map((c) => c.labelCoverage),
              '#1b7f4c',
            ),
            fill: 'origin',
            backgroundColor: 'rgba(27, 127, 76, 0.12)',
          },
        ],
      },
      options: {
        ...baseOptions,
        scales: {
          ...baseOptions.scales,
          y: {
            min: 0,
            max: 1,
            title: { display: true, text: 'Labelled' },
            ticks: { callback: (v) => `${Math.round(Number(v) * 100)}%` },
          },
        },
        plugins: { legend: { display: false } },
      },
      plugins: [markersPlugin(labels, markers)],
    }),
    [d, labels, markers],
  );

  return (
    <section aria-labelledby="charts-heading">
      <h2 id="charts-heading">Drift and accuracy, last {days} days</h2>
      {d.checks.length === 0 ? <p className="muted">No checks in this period.</p> : null}
      <MarkerLegend markers={markers} />

      <h3>Input drift (PSI per feature)</h3>
      <ChartCanvas
        config={psiConfig}
        label={`PSI per feature over time: ${what}`}
        testId="psi-chart"
        height={300}
      />
      <HiddenTable
        caption={`PSI per feature on the last check (${last?.logicalDate ?? 'none'})`}
        head={['Feature', 'PSI']}
        rows={features.map((f) => [f, fmtNum(last?.psi[f])])}
      />

      <h3>Accuracy</h3>
      <ChartCanvas
        config={accuracyConfig}
        label={`Realized and estimated accuracy with their intervals over time: ${what}`}
        testId="accuracy-chart"
        height={300}
      />
      <h3>Label coverage</h3>
      <ChartCanvas
        config={coverageConfig}
        label={`Share of predictions with a known label over time: ${what}`}
        testId="coverage-chart"
        height={150}
      />
      <HiddenTable
        caption={`Accuracy on the last check (${last?.logicalDate ?? 'none'})`}
        head={['Realized', 'Estimated', 'Label coverage', 'Threshold']}
        rows={[
          [
            fmtInterval(last?.realized ?? null),
            fmtInterval(last?.estimated ?? null),
            last?.labelCoverage == null ? '—' : `${Math.round(last.labelCoverage * 100)}%`,
            fmtNum(d.thresholds.accuracy, 2),
          ],
        ]}
      />
    </section>
  );
}

export function HistogramSection(props: { tenantId: string; modelType: ModelType; dates: string[] }) {
  const { tenantId, modelType, dates } = props;
  const newestFirst = useMemo(() => [...dates].reverse(), [dates]);
  const [date, setDate] = useState(newestFirst[0] ?? '');
  const histograms = useLoad(
    (signal) => (date ? api.histograms(tenantId, modelType, date, signal) : Promise.resolve(null)),
    [date],
  );
  const h = histograms.data;

  return (
    <section aria-labelledby="histograms-heading" data-testid="histograms">
      <h2 id="histograms-heading">Distributions on a day: baseline vs window</h2>
      {dates.length === 0 ? (
        <p className="muted">No checks, so no distributions to show.</p>
      ) : (
        <div className="field inline">
          <label htmlFor="histogram-day">Day</label>
          <select
            id="histogram-day"
            data-testid="histogram-day"
            value={date}
            onChange={(e) => setDate(e.target.value)}
          >
            {newestFirst.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
          {histograms.loading ? <span className="muted">Loading…</span> : null}
          {h ? <span className="muted">Version v{h.version}</span> : null}
        </div>
      )}
      {histograms.error ? <ErrorMessage error={histograms.error} /> : null}
      {h ? (
        <div className="histograms">
          {h.features.map((f) => (
            <FeatureChart key={`${h.date}/${f.feature}`} histogram={f} />
          ))}
        </div>
      ) : null}
    </section>
  );
}

function FeatureChart({ histogram: f }: { histogram: FeatureHistogram }) {
  const config = useMemo(
    (): ChartConfiguration<'bar'> => ({
      type: 'bar',
      data: {
        labels: f.bins.map((b) => b.label),
        datasets: [
          { label: 'Baseline', data: f.bins.map((b) => b.baseline), backgroundColor: '#7d8a96' },
          { label: 'Window', data: f.bins.map((b) => b.window), backgroundColor: '#b35c00' },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, ticks: { callback: (v) => `${Math.round(Number(v) * 100)}%` } },
          x: { ticks: { maxRotation: 45 } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label ?? ''}: ${(Number(item.raw) * 100).toFixed(1)}%`,
            },
          },
        },
      },
    }),
    [f],
  );
  const title = `${f.feature}: PSI ${fmtNum(f.psi)}`;
  return (
    <figure className="histogram">
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <ChartCanvas
        config={config}
        label={`Baseline and window shares per bin of ${f.feature} (${f.kind}), PSI ${fmtNum(f.psi)}`}
        height={220}
      />
      <HiddenTable
        caption={title}
        head={['Bin', 'Baseline', 'Window']}
        rows={f.bins.map((b) => [
          b.label,
          `${(b.baseline * 100).toFixed(1)}%`,
          `${(b.window * 100).toFixed(1)}%`,
        ])}
      />
    </figure>
  );
}
