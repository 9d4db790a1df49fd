import { MODEL_CONFIGS } from '@app/domain';
import type { DriftDecision, ModelType } from '@app/domain';
import type { Scenario } from './world';

// What a person running the platform wants to know after a simulated stretch of its life, computed from
// what the services stored (drift checks, training runs, deployments), day by day. Pure: fixtures test it.

/** Decisions that name a breach (drift or accuracy): the days of an episode. */
const BREACH: ReadonlySet<DriftDecision> = new Set<DriftDecision>([
  'retrain',
  'awaiting_labels',
] as DriftDecision[]);

export interface DayCheck {
  day: number;
  decision: DriftDecision;
  /** Realized accuracy of the active version (null: not judged). */
  accuracy: number | null;
}

export interface ModelHistory {
  model: ModelType;
  affected: boolean;
  /** Days after the drift's start before evidence of it can exist (world.ts evidenceDelayDays). */
  evidenceDelayDays: number;
  checks: readonly DayCheck[];
  /** Simulated day of each training run started. */
  retrainDays: readonly number[];
  /** Simulated day of each deployment (validated candidates; rollbacks are not counted). */
  deploymentDays: readonly number[];
  finalVersion: number | null;
}

export interface TenantHistory {
  tenantId: string;
  scenario: Scenario;
  driftStartDay: number | null;
  models: readonly ModelHistory[];
}

export interface ModelSummary {
  model: ModelType;
  affected: boolean;
  episodes: number;
  detectionDelayDays: number | null;
  /**
   * The first day on which the drift can be seen at all (its start plus the evidence delay: for churn's
   * concept drift, 180 days of label maturity); null when not affected. On or after the run's end, no
   * check could have detected it: it is not counted as missed.
   */
  detectableFromDay: number | null;
  retrains: number;
  deployments: number;
  daysBelowThreshold: number;
  finalVersion: number | null;
  /** Days with more than one deployment of this model (the target is none). */
  daysWithTwoDeployments: number;
}

export interface TenantSummary {
  tenantId: string;
  scenario: Scenario;
  driftStartDay: number | null;
  models: ModelSummary[];
}

export interface SimulationReport {
  days: number;
  tenants: TenantSummary[];
  totals: {
    /** Retrains of models the simulation did not change (every model of a steady tenant, and the others). */
    falseRetrains: number;
    retrains: number;
    deployments: number;
    /** Affected models never detected although their drift could be seen within the run. */
    missedDetections: number;
    /** Affected models whose drift no check could see before the run ended (labels mature later). */
    notDetectableInRun: number;
    /** Median detection delay (days) per scenario, over detected affected models; null when none. */
    medianDetectionDelayDays: Partial<Record<Scenario, number | null>>;
  };
}

/** Episodes: maximal runs of consecutive days whose decision names a breach. */
export function countEpisodes(checks: readonly DayCheck[]): number {
  const days = checks.filter((c) => BREACH.has(c.decision)).map((c) => c.day);
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  return sorted.filter((d, i) => i === 0 || sorted[i - 1] !== d - 1).length;
}

/** Days from the drift's start to the first stored decision, on or after it, that names a breach. */
export function detectionDelay(checks: readonly DayCheck[], driftStartDay: number | null): number | null {
  if (driftStartDay === null) return null;
  const first = checks
    .filter((c) => c.day >= driftStartDay && BREACH.has(c.decision))
    .reduce<number | null>((min, c) => (min === null || c.day < min ? c.day : min), null);
  return first === null ? null : first - driftStartDay;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarizeModel(h: ModelHistory, driftStartDay: number | null): ModelSummary {
  const detectableFromDay = h.affected && driftStartDay !== null ? driftStartDay + h.evidenceDelayDays : null;
  const threshold = MODEL_CONFIGS[h.model].accuracyThreshold;
  const perDay = new Map<number, number>();
  for (const d of h.deploymentDays) perDay.set(d, (perDay.get(d) ?? 0) + 1);
  return {
    model: h.model,
    affected: h.affected,
    episodes: countEpisodes(h.checks),
    detectionDelayDays: h.affected ? detectionDelay(h.checks, driftStartDay) : null,
    detectableFromDay,
    retrains: h.retrainDays.length,
    deployments: h.deploymentDays.length,
    daysBelowThreshold: new Set(
      h.checks.filter((c) => c.accuracy !== null && c.accuracy < threshold).map((c) => c.day),
    ).size,
    finalVersion: h.finalVersion,
    daysWithTwoDeployments: [...perDay.values()].filter((n) => n > 1).length,
  };
}

export function summarize(days: number, tenants: readonly TenantHistory[]): SimulationReport {
  const summaries = tenants.map((t) => ({
    tenantId: t.tenantId,
    scenario: t.scenario,
    driftStartDay: t.driftStartDay,
    models: t.models.map((m) => summarizeModel(m, t.driftStartDay)),
  }));
  const all = summaries.flatMap((t) => t.models.map((m) => ({ scenario: t.scenario, ...m })));
  const inRun = (m: ModelSummary) => m.detectableFromDay !== null && m.detectableFromDay < days;
  const delays: Partial<Record<Scenario, number | null>> = {};
  for (const scenario of new Set(summaries.map((t) => t.scenario))) {
    if (scenario === 'steady') continue;
    delays[scenario] = median(
      all
        .filter((m) => m.scenario === scenario && m.affected && m.detectionDelayDays !== null)
        .map((m) => m.detectionDelayDays!),
    );
  }
  return {
    days,
    tenants: summaries,
    totals: {
      falseRetrains: all.filter((m) => !m.affected).reduce((n, m) => n + m.retrains, 0),
      retrains: all.reduce((n, m) => n + m.retrains, 0),
      deployments: all.reduce((n, m) => n + m.deployments, 0),
      missedDetections: all.filter((m) => m.affected && m.detectionDelayDays === null && inRun(m)).length,
      notDetectableInRun: all.filter((m) => m.affected && m.detectionDelayDays === null && !inRun(m)).length,
      medianDetectionDelayDays: delays,
    },
  };
}

/** "3 d"; "never"; or, when no check could see it before the end, the day its evidence would exist. */
function detectedCell(m: ModelSummary, days: number): string {
  if (m.detectionDelayDays !== null) return `${m.detectionDelayDays} d`;
  if (!m.affected) return '-';
  return m.detectableFromDay !== null && m.detectableFromDay >= days
    ? `not before day ${m.detectableFromDay}`
    : 'never';
}

/** The table a person reads at the end: one row per tenant and model, then the totals. */
export function renderReport(r: SimulationReport): string {
  const head = [
    'tenant',
    'scenario',
    'drift day',
    'model',
    'affected',
    'episodes',
    'detected after',
    'retrains',
    'deployments',
    'days < threshold',
    'final version',
  ];
  const rows = r.tenants.flatMap((t) =>
    t.models.map((m) => [
      t.tenantId,
      t.scenario,
      t.driftStartDay === null ? '-' : String(t.driftStartDay),
      m.model,
      m.affected ? 'yes' : 'no',
      String(m.episodes),
      detectedCell(m, r.days),
      String(m.retrains),
      String(m.deployments),
      String(m.daysBelowThreshold),
      m.finalVersion === null ? '-' : `v${m.finalVersion}`,
    ]),
  );
  const right = [2, 5, 6, 7, 8, 9];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const delays = Object.entries(r.totals.medianDetectionDelayDays)
    .map(([s, d]) => `${s} ${d === null ? 'none detected' : `${d} d`}`)
    .join(', ');
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `totals over ${r.days} days: ${r.totals.retrains} retrains (${r.totals.falseRetrains} of models the simulation did not change), ${r.totals.deployments} deployments, ${r.totals.missedDetections} affected models never detected${r.totals.notDetectableInRun > 0 ? ` (and ${r.totals.notDetectableInRun} whose drift no check could see before the end: labels mature later)` : ''}`,
    `median detection delay: ${delays || '-'}`,
  ].join('\n');
}
