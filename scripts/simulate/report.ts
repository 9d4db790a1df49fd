import { MODEL_CONFIGS } from '@app/domain';
import type { AlertItemKind, DriftDecision, ModelType } from '@app/domain';
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
  /**
   * Whether the check found a breach without the estimate: PSI over its threshold, or realized accuracy
   * (window or filing cohort) under its threshold. Absent: the decision says (a breach decision).
   */
  realizedOnlyBreach?: boolean;
  /**
   * The check's estimated accuracy with its bounds, and the realized accuracy of the same predictions
   * once their labels arrived (null when fewer than ESTIMATE_MIN_COVERAGE of them had by the run's end).
   */
  estimate?: {
    value: number;
    low: number;
    high: number;
    realized: number | null;
    /**
     * Of the window's predictions labelled by the run's end, however few: how many, how many right, and
     * the sum of their calibrated probabilities (the same predictions on both sides: calibration).
     */
    labelled?: { n: number; correct: number; expected: number };
  };
}

/** Share of a window's predictions that must have their labels by the run's end to judge its estimate. */
export const ESTIMATE_MIN_COVERAGE = 0.8;

/** How well a day's estimate matched what the labels later said (issue 17's measures). */
export interface EstimatorError {
  /** Mean absolute difference, in accuracy points; null without a day to compare. */
  maeAccuracyPts: number | null;
  /** Share of the days whose 95% interval held the later realized accuracy. */
  ciCoverage: number | null;
  days: number;
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
  /** Shadow challengers of the model (`--promotion shadow`; none with direct promotion). */
  challengers?: readonly ChallengerRecord[];
}

/** One shadow trial as the simulator reads it back (model_challengers), days as simulated days. */
export interface ChallengerRecord {
  startedDay: number;
  decidedDay: number | null;
  decision: string | null;
  /**
   * A promoted challenger judged on the claims filed in the 30 days after its promotion whose labels were
   * known by the run's end: its accuracy and the champion's it replaced on the same claims (both models
   * scored offline); absent when not promoted, or when no such claim had a label.
   */
  after?: { claims: number; challengerAccuracy: number; championAccuracy: number };
}

/** Days after a promotion whose claims judge it (issue 19's wrongPromotions). */
export const PROMOTION_JUDGED_DAYS = 30;

/** A tenant's daily digest as stored: its simulated day, and its items by kind. */
export interface DigestRecord {
  day: number;
  kinds: Partial<Record<AlertItemKind, number>>;
}

export interface TenantHistory {
  tenantId: string;
  scenario: Scenario;
  driftStartDay: number | null;
  models: readonly ModelHistory[];
  /** The digests people got, and the messages of their own (a person's request; none in a simulation). */
  alerts: { digests: readonly DigestRecord[]; otherMessages: number };
}

export interface ModelSummary {
  model: ModelType;
  affected: boolean;
  episodes: number;
  detectionDelayDays: number | null;
  /** What the same run would have detected without the estimate (PSI and realized accuracy alone). */
  detectionDelayDaysRealizedOnly: number | null;
  /** The estimate against the later labels of the same predictions, on days before any drift. */
  estimateMaeAccuracyPts: number | null;
  estimateCiCoverage: number | null;
  estimateDaysCompared: number;
  /**
   * Calibration on days before any drift: |expected - realized| share right, in points, pooled over the
   * windows' predictions labelled by the run's end (each side over the same predictions).
   */
  calibrationGapPts: number | null;
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
  /** Days whose breach was too short-lived to open an episode (k of n): recorded, nobody told. */
  watchingDays: number;
  /** Shadow trials (issue 19): started, ended by promotion, ended otherwise. */
  challengersStarted: number;
  challengersPromoted: number;
  challengersRetired: number;
  /** Mean days from a trial's start to its decision, over the trials the test decided (or that expired). */
  meanDaysToDecision: number | null;
  /** Promoted challengers whose accuracy over the next 30 days' claims was below the champion's on the same claims. */
  wrongPromotions: number;
  /** Promotions with labelled claims in the 30 days after them (the ones wrongPromotions could judge). */
  promotionsJudged: number;
  /** Days from start to promotion, per promoted challenger. */
  daysToPromotion: number[];
  /** Each judged promotion: the challenger's and the replaced champion's accuracy on the same later claims. */
  promotionsAfter: { claims: number; challengerAccuracy: number; championAccuracy: number }[];
}

export interface TenantSummary {
  tenantId: string;
  scenario: Scenario;
  driftStartDay: number | null;
  models: ModelSummary[];
  /** Messages the tenant's people got over the run (digests and the others); seeding's aside. */
  messages: number;
  /** The most messages on one simulated day (the target: 1). */
  maxMessagesPerDay: number;
  /** What the digests listed, by kind. */
  itemsByKind: Partial<Record<AlertItemKind, number>>;
}

export interface SimulationReport {
  days: number;
  /** How validated candidates reached production in this run (`--promotion`). */
  promotion: 'direct' | 'shadow';
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
    /** The same, had the checks used PSI and realized accuracy alone. */
    medianDetectionDelayDaysRealizedOnly: Partial<Record<Scenario, number | null>>;
    /** Per model, over every tenant's days before any drift: the estimate against the later labels. */
    estimatorSteady: Partial<Record<ModelType, EstimatorError>>;
    /** The same over drifted days (concept drift: no estimate can follow a changed relationship). */
    estimatorDrifted: Partial<Record<ModelType, EstimatorError>>;
    /** Per model, pooled over every tenant's days before any drift (calibrationGap); null without labels. */
    calibrationGapPts: Partial<Record<ModelType, number | null>>;
    /** Shadow trials over every model (issue 19). */
    challengers: {
      started: number;
      promoted: number;
      retired: number;
      wrongPromotions: number;
      promotionsJudged: number;
      meanDaysToDecision: number | null;
    };
    messages: number;
    /** Messages to steady tenants (the target: none). */
    steadyTenantMessages: number;
    maxMessagesPerTenantDay: number;
  };
}

/** Episodes: maximal runs of consecutive days whose decision names a breach. */
export function countEpisodes(checks: readonly DayCheck[]): number {
  const days = checks.filter((c) => BREACH.has(c.decision)).map((c) => c.day);
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  return sorted.filter((d, i) => i === 0 || sorted[i - 1] !== d - 1).length;
}

/** A stored check as the simulator reads it back (drift_checks, with its window's later labels). */
export interface CheckRow {
  model_type: ModelType;
  logical_date: string;
  decision: DriftDecision;
  accuracy: number | null;
  accuracy_high: number | null;
  accuracy_source: string | null;
  max_psi: number | null;
  reasons: string[];
  estimated_accuracy: number | null;
  estimated_low: number | null;
  estimated_high: number | null;
  /** The window's predictions with a calibrated probability, how many got labels by the end, how many right. */
  n: number | null;
  labelled: number | null;
  correct: number | null;
  /** The sum of the calibrated probabilities of those labelled by the end. */
  expected_labelled: number | null;
}

/**
 * A stored check as a day of the report. Its breach without the estimate: PSI over the model's threshold,
 * the realized window accuracy (when it decided) or the filing cohort's under the accuracy threshold, all
 * with the monitor's own rules (the whole interval under it; the cohort's reason says it).
 */
export function dayCheckOf(row: CheckRow, startMs: number): DayCheck {
  const cfg = MODEL_CONFIGS[row.model_type];
  const psiBreach = row.max_psi !== null && row.max_psi > cfg.driftThreshold;
  const realizedBelow =
    row.accuracy_source === 'realized' &&
    row.accuracy_high !== null &&
    row.accuracy_high < cfg.accuracyThreshold;
  const cohortBelow = row.reasons.some((r) => r.startsWith('claims filed in the last'));
  const check: DayCheck = {
    day: Math.round((Date.parse(`${row.logical_date}T00:00:00Z`) - startMs) / 86_400_000),
    decision: row.decision,
    accuracy: row.accuracy,
    realizedOnlyBreach: BREACH.has(row.decision) && (psiBreach || realizedBelow || cohortBelow),
  };
  if (row.estimated_accuracy !== null && row.estimated_low !== null && row.estimated_high !== null) {
    const n = row.n ?? 0;
    const labelled = row.labelled ?? 0;
    check.estimate = {
      value: row.estimated_accuracy,
      low: row.estimated_low,
      high: row.estimated_high,
      realized: n > 0 && labelled >= ESTIMATE_MIN_COVERAGE * n ? (row.correct ?? 0) / labelled : null,
      labelled: { n: labelled, correct: row.correct ?? 0, expected: row.expected_labelled ?? 0 },
    };
  }
  return check;
}

const isBreach = (c: DayCheck) => BREACH.has(c.decision);
const isRealizedOnlyBreach = (c: DayCheck) => c.realizedOnlyBreach ?? BREACH.has(c.decision);

/** Days from the drift's start to the first stored decision, on or after it, that names a breach. */
export function detectionDelay(
  checks: readonly DayCheck[],
  driftStartDay: number | null,
  breach: (c: DayCheck) => boolean = isBreach,
): number | null {
  if (driftStartDay === null) return null;
  const first = checks
    .filter((c) => c.day >= driftStartDay && breach(c))
    .reduce<number | null>((min, c) => (min === null || c.day < min ? c.day : min), null);
  return first === null ? null : first - driftStartDay;
}

/** The estimate's error against the later labels, over the checks `which` selects. */
export function estimatorError(checks: readonly DayCheck[], which: (c: DayCheck) => boolean): EstimatorError {
  const pairs = checks.filter((c) => which(c) && c.estimate !== undefined && c.estimate.realized !== null);
  if (pairs.length === 0) return { maeAccuracyPts: null, ciCoverage: null, days: 0 };
  let abs = 0;
  let covered = 0;
  for (const c of pairs) {
    const e = c.estimate!;
    abs += Math.abs(e.value - e.realized!);
    if (e.realized! >= e.low && e.realized! <= e.high) covered += 1;
  }
  return {
    maeAccuracyPts: Math.round((abs / pairs.length) * 1000) / 10,
    ciCoverage: Math.round((covered / pairs.length) * 1000) / 1000,
    days: pairs.length,
  };
}

/**
 * |expected - realized| share right, in points, pooled over the labelled predictions of the windows of the
 * checks `which` selects; null without any. Known as soon as some labels are, so a short run can tell
 * whether the calibration holds.
 */
export function calibrationGap(checks: readonly DayCheck[], which: (c: DayCheck) => boolean): number | null {
  let n = 0;
  let correct = 0;
  let expected = 0;
  for (const c of checks) {
    const l = c.estimate?.labelled;
    if (!which(c) || !l) continue;
    n += l.n;
    correct += l.correct;
    expected += l.expected;
  }
  return n === 0 ? null : Math.round((Math.abs(expected - correct) / n) * 1000) / 10;
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
  const steady = estimatorError(h.checks, (c) => driftStartDay === null || c.day < driftStartDay);
  return {
    model: h.model,
    affected: h.affected,
    episodes: countEpisodes(h.checks),
    detectionDelayDays: h.affected ? detectionDelay(h.checks, driftStartDay) : null,
    detectionDelayDaysRealizedOnly: h.affected
      ? detectionDelay(h.checks, driftStartDay, isRealizedOnlyBreach)
      : null,
    estimateMaeAccuracyPts: steady.maeAccuracyPts,
    estimateCiCoverage: steady.ciCoverage,
    estimateDaysCompared: steady.days,
    calibrationGapPts: calibrationGap(h.checks, (c) => driftStartDay === null || c.day < driftStartDay),
    detectableFromDay,
    retrains: h.retrainDays.length,
    deployments: h.deploymentDays.length,
    daysBelowThreshold: new Set(
      h.checks.filter((c) => c.accuracy !== null && c.accuracy < threshold).map((c) => c.day),
    ).size,
    finalVersion: h.finalVersion,
    daysWithTwoDeployments: [...perDay.values()].filter((n) => n > 1).length,
    watchingDays: new Set(h.checks.filter((c) => c.decision === 'watching').map((c) => c.day)).size,
    ...summarizeChallengers(h.challengers ?? []),
  };
}

/** Decisions that end a trial on its own evidence (or lack of it), not because something else changed. */
const DECIDED_BY_TRIAL = new Set(['promoted', 'retired_worse', 'retired_futile', 'retired_expired']);

/** The shadow trials of one model, as the report counts them. */
export function summarizeChallengers(
  trials: readonly ChallengerRecord[],
): Pick<
  ModelSummary,
  | 'challengersStarted'
  | 'challengersPromoted'
  | 'challengersRetired'
  | 'meanDaysToDecision'
  | 'wrongPromotions'
  | 'promotionsJudged'
  | 'daysToPromotion'
  | 'promotionsAfter'
> {
  const promoted = trials.filter((t) => t.decision === 'promoted');
  const decided = trials.filter(
    (t) => t.decision !== null && DECIDED_BY_TRIAL.has(t.decision) && t.decidedDay !== null,
  );
  const judged = promoted.filter((t) => t.after !== undefined);
  return {
    challengersStarted: trials.length,
    challengersPromoted: promoted.length,
    challengersRetired: trials.filter((t) => t.decision !== null && t.decision !== 'promoted').length,
    meanDaysToDecision:
      decided.length === 0
        ? null
        : Math.round(
            (decided.reduce((n, t) => n + (t.decidedDay! - t.startedDay), 0) / decided.length) * 10,
          ) / 10,
    wrongPromotions: judged.filter((t) => t.after!.challengerAccuracy < t.after!.championAccuracy).length,
    promotionsJudged: judged.length,
    daysToPromotion: promoted.filter((t) => t.decidedDay !== null).map((t) => t.decidedDay! - t.startedDay),
    promotionsAfter: judged.map((t) => t.after!),
  };
}

/** A tenant's messages: digests one per day at most by construction, and whatever else was sent. */
export function summarizeAlerts(
  alerts: TenantHistory['alerts'],
): Pick<TenantSummary, 'messages' | 'maxMessagesPerDay' | 'itemsByKind'> {
  const perDay = new Map<number, number>();
  for (const d of alerts.digests) perDay.set(d.day, (perDay.get(d.day) ?? 0) + 1);
  const itemsByKind: Partial<Record<AlertItemKind, number>> = {};
  for (const d of alerts.digests)
    for (const [k, n] of Object.entries(d.kinds) as [AlertItemKind, number][])
      itemsByKind[k] = (itemsByKind[k] ?? 0) + n;
  return {
    messages: alerts.digests.length + alerts.otherMessages,
    // Messages of their own are not dated by the simulation: counted as if all fell on one digest's day.
    maxMessagesPerDay: Math.max(0, ...perDay.values()) + alerts.otherMessages,
    itemsByKind,
  };
}

export function summarize(
  days: number,
  tenants: readonly TenantHistory[],
  promotion: 'direct' | 'shadow' = 'direct',
): SimulationReport {
  const summaries = tenants.map((t) => ({
    tenantId: t.tenantId,
    scenario: t.scenario,
    driftStartDay: t.driftStartDay,
    models: t.models.map((m) => summarizeModel(m, t.driftStartDay)),
    ...summarizeAlerts(t.alerts),
  }));
  const all = summaries.flatMap((t) => t.models.map((m) => ({ scenario: t.scenario, ...m })));
  const inRun = (m: ModelSummary) => m.detectableFromDay !== null && m.detectableFromDay < days;
  const delays: Partial<Record<Scenario, number | null>> = {};
  const delaysRealizedOnly: Partial<Record<Scenario, number | null>> = {};
  for (const scenario of new Set(summaries.map((t) => t.scenario))) {
    if (scenario === 'steady') continue;
    const of = (pick: (m: ModelSummary) => number | null) =>
      median(
        all.filter((m) => m.scenario === scenario && m.affected && pick(m) !== null).map((m) => pick(m)!),
      );
    delays[scenario] = of((m) => m.detectionDelayDays);
    delaysRealizedOnly[scenario] = of((m) => m.detectionDelayDaysRealizedOnly);
  }
  const estimatorSteady: Partial<Record<ModelType, EstimatorError>> = {};
  const estimatorDrifted: Partial<Record<ModelType, EstimatorError>> = {};
  const calibration: Partial<Record<ModelType, number | null>> = {};
  for (const model of new Set(tenants.flatMap((t) => t.models.map((m) => m.model)))) {
    const checksOf = (before: boolean) =>
      tenants.flatMap((t) =>
        t.models
          .filter((m) => m.model === model)
          .flatMap((m) =>
            m.checks.filter((c) =>
              before
                ? t.driftStartDay === null || c.day < t.driftStartDay
                : t.driftStartDay !== null && c.day >= t.driftStartDay,
            ),
          ),
      );
    estimatorSteady[model] = estimatorError(checksOf(true), () => true);
    estimatorDrifted[model] = estimatorError(checksOf(false), () => true);
    calibration[model] = calibrationGap(checksOf(true), () => true);
  }
  const trials = tenants.flatMap((t) => t.models.flatMap((m) => m.challengers ?? []));
  const overall = summarizeChallengers(trials);
  return {
    days,
    promotion,
    tenants: summaries,
    totals: {
      challengers: {
        started: overall.challengersStarted,
        promoted: overall.challengersPromoted,
        retired: overall.challengersRetired,
        wrongPromotions: overall.wrongPromotions,
        promotionsJudged: overall.promotionsJudged,
        meanDaysToDecision: overall.meanDaysToDecision,
      },
      falseRetrains: all.filter((m) => !m.affected).reduce((n, m) => n + m.retrains, 0),
      retrains: all.reduce((n, m) => n + m.retrains, 0),
      deployments: all.reduce((n, m) => n + m.deployments, 0),
      missedDetections: all.filter((m) => m.affected && m.detectionDelayDays === null && inRun(m)).length,
      notDetectableInRun: all.filter((m) => m.affected && m.detectionDelayDays === null && !inRun(m)).length,
      medianDetectionDelayDays: delays,
      medianDetectionDelayDaysRealizedOnly: delaysRealizedOnly,
      estimatorSteady,
      estimatorDrifted,
      calibrationGapPts: calibration,
      messages: summaries.reduce((n, t) => n + t.messages, 0),
      steadyTenantMessages: summaries
        .filter((t) => t.scenario === 'steady')
        .reduce((n, t) => n + t.messages, 0),
      maxMessagesPerTenantDay: Math.max(0, ...summaries.map((t) => t.maxMessagesPerDay)),
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

const kindsText = (k: Partial<Record<AlertItemKind, number>>) =>
  Object.entries(k)
    .map(([kind, n]) => `${n} ${kind.replace(/_/g, ' ')}`)
    .join(', ');

/** The table a person reads at the end: one row per tenant and model, then the totals. */
export function renderReport(r: SimulationReport): string {
  const head = [
    'tenant',
    'scenario',
    'drift day',
    'model',
    'affected',
    'episodes',
    'watching days',
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
      String(m.watchingDays),
      detectedCell(m, r.days),
      String(m.retrains),
      String(m.deployments),
      String(m.daysBelowThreshold),
      m.finalVersion === null ? '-' : `v${m.finalVersion}`,
    ]),
  );
  const right = [2, 5, 6, 7, 8, 9, 10];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const delayText = (x: Partial<Record<Scenario, number | null>>) =>
    Object.entries(x)
      .map(([s, d]) => `${s} ${d === null ? 'none detected' : `${d} d`}`)
      .join(', ');
  const delays = delayText(r.totals.medianDetectionDelayDays);
  const realizedOnly = delayText(r.totals.medianDetectionDelayDaysRealizedOnly);
  const compared = (x: Partial<Record<ModelType, EstimatorError>>) =>
    Object.values(x).some((e) => e.days > 0);
  const calibrationText =
    Object.entries(r.totals.calibrationGapPts)
      .map(([m, g]) => `${m} ${g === null ? 'no labels' : `${g.toFixed(1)} pts`}`)
      .join(', ') || '-';
  const estimator = (x: Partial<Record<ModelType, EstimatorError>>) =>
    Object.entries(x)
      .map(([m, e]) =>
        e.days === 0
          ? `${m} no day to compare`
          : `${m} MAE ${e.maeAccuracyPts!.toFixed(1)} pts, CI coverage ${(e.ciCoverage! * 100).toFixed(0)}% (${e.days} days)`,
      )
      .join('; ') || '-';
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `totals over ${r.days} days: ${r.totals.retrains} retrains (${r.totals.falseRetrains} of models the simulation did not change), ${r.totals.deployments} deployments, ${r.totals.missedDetections} affected models never detected${r.totals.notDetectableInRun > 0 ? ` (and ${r.totals.notDetectableInRun} whose drift no check could see before the end: labels mature later)` : ''}`,
    `median detection delay: ${delays || '-'}${realizedOnly ? ` (with PSI and realized accuracy alone: ${realizedOnly})` : ''}`,
    `messages: ${r.totals.messages} (steady tenants ${r.totals.steadyTenantMessages}; at most ${r.totals.maxMessagesPerTenantDay} per tenant per day); per tenant: ${r.tenants.map((t) => `${t.tenantId} ${t.messages}${t.messages > 0 ? ` (${kindsText(t.itemsByKind)})` : ''}`).join(', ')}`,
    `estimated accuracy, before any drift: calibration (expected vs right answers of the predictions labelled by the end) ${calibrationText}`,
    ...(compared(r.totals.estimatorSteady) || compared(r.totals.estimatorDrifted)
      ? [
          `  against the same windows' later labels: ${estimator(r.totals.estimatorSteady)}`,
          `  and on drifted days: ${estimator(r.totals.estimatorDrifted)}`,
        ]
      : [`  (no window got 80% of its labels by the end: a longer run compares the estimates day by day)`]),
    ...(r.promotion === 'shadow' || r.totals.challengers.started > 0 ? [challengersText(r)] : []),
  ].join('\n');
}

/** The shadow trials in a sentence, then per model that had any. */
function challengersText(r: SimulationReport): string {
  const c = r.totals.challengers;
  const perModel = r.tenants
    .flatMap((t) => t.models.filter((m) => m.challengersStarted > 0).map((m) => ({ t, m })))
    .map(
      ({ t, m }) =>
        `${t.tenantId}/${m.model} ${m.challengersStarted} started, ${m.challengersPromoted} promoted${m.daysToPromotion.length > 0 ? ` after ${m.daysToPromotion.join(', ')} d` : ''}, ${m.challengersRetired} retired`,
    );
  return [
    `shadow challengers (promotion ${r.promotion}): ${c.started} started, ${c.promoted} promoted, ${c.retired} retired; mean ${c.meanDaysToDecision === null ? '-' : `${c.meanDaysToDecision} days`} to a decision; wrong promotions ${c.wrongPromotions} of ${c.promotionsJudged} judged on the ${PROMOTION_JUDGED_DAYS} days after them`,
    ...(perModel.length > 0 ? [`  ${perModel.join('; ')}`] : []),
  ].join('\n');
}
