import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ChartConfiguration, ChartType, Plugin } from 'chart.js';

// Only what the console draws, so the rest of Chart.js is tree-shaken out of the bundle.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);
Chart.defaults.color = '#1f2328';
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// Charts are redrawn on every filter change; animating each redraw only delays what the reader wants.
Chart.defaults.animation = false;

/** Colours for one line per feature, each distinguishable and dark enough on white. */
export const SERIES_COLORS = [
  '#0b5cad',
  '#b3261e',
  '#1b7f4c',
  '#8a4fbf',
  '#b35c00',
  '#00727a',
  '#5c6b00',
  '#c2185b',
  '#455a64',
  '#6d4c41',
];

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}

interface ChartCanvasProps<T extends ChartType> {
  config: ChartConfiguration<T>;
  /** The canvas's accessible name: what the chart shows, since a screen reader cannot see it. */
  label: string;
  testId?: string;
  height?: number;
}

/**
 * One Chart on one canvas, made when the config changes and destroyed with it: Chart.js keeps listeners
 * and a resize observer per chart, so a chart that is not destroyed outlives its page. Callers memoise
 * the config so a re-render alone does not rebuild the chart.
 */
export function ChartCanvas<T extends ChartType>({
  config,
  label,
  testId,
  height = 280,
}: ChartCanvasProps<T>) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart<T>(ref.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={ref} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}

export type MarkerKind = 'episodeStart' | 'episodeEnd' | 'training' | 'deployment' | 'rollback';

/** Something that happened on a day, drawn as a vertical line across a time chart. */
export interface Marker {
  date: string;
  kind: MarkerKind;
}

// Each kind differs in dash pattern as well as colour, so the legend can be read without colour.
export const MARKER_STYLES: Record<
  MarkerKind,
  { label: string; color: string; dash: number[]; offset: number }
> = {
  episodeStart: { label: 'Episode opened', color: '#b3261e', dash: [6, 4], offset: -3 },
  episodeEnd: { label: 'Episode closed', color: '#1b7f4c', dash: [6, 4], offset: -3 },
  training: { label: 'Training run started', color: '#8a4fbf', dash: [2, 3], offset: 0 },
  deployment: { label: 'Version deployed', color: '#0b5cad', dash: [], offset: 3 },
  rollback: { label: 'Rolled back', color: '#a05a00', dash: [10, 3, 2, 3], offset: 3 },
};

/**
 * The index of the first label on or after `date` (labels are sorted YYYY-MM-DD), so an event on a day
 * without a check is drawn at the next check; -1 when it falls outside the charted days.
 */
export function labelIndex(labels: readonly string[], date: string): number {
  if (labels.length === 0 || date < labels[0] || date > labels[labels.length - 1]) return -1;
  return labels.findIndex((l) => l >= date);
}

/** Vertical lines at the markers' days, over a category x axis of the given labels. */
export function markersPlugin(labels: readonly string[], markers: readonly Marker[]): Plugin<'line'> {
  return {
    id: 'markers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      ctx.lineWidth = 1.5;
      for (const m of markers) {
        const i = labelIndex(labels, m.date);
        if (i < 0) continue;
        const style = MARKER_STYLES[m.kind];
        const x = scales.x.getPixelForValue(i) + style.offset;
        ctx.strokeStyle = style.color;
        ctx.setLineDash(style.dash);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}

export function MarkerLegend({ markers }: { markers: readonly Marker[] }) {
  const kinds = Object.keys(MARKER_STYLES) as MarkerKind[];
  return (
    <ul className="marker-legend" aria-label="Vertical markers">
      {kinds.map((kind) => {
        const style = MARKER_STYLES[kind];
        const count = markers.filter((m) => m.kind === kind).length;
        const line = style.dash.length === 0 ? 'solid' : style.dash[0] > 3 ? 'dashed' : 'dotted';
        return (
          <li key={kind}>
            <span
              className="swatch"
              style={{ borderLeft: `3px ${line} ${style.color}` }}
              aria-hidden="true"
            />
            {style.label} ({line} line): {count}
          </li>
        );
      })}
    </ul>
  );
}

/** The numbers behind a chart, for screen readers: the canvas itself is a picture to them. */
export function HiddenTable(props: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <table className="sr-only">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r, i) => (
          <tr key={i}>
            {r.map((c, j) => (
              <td key={j}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
