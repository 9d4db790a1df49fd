import { sampleSizeCheck, wilsonInterval } from '@app/drift';
import type { EstimatedAccuracy } from '@app/drift';
import type { AccuracyDto } from '@app/contracts';
import { DRIFT_RETRAINS_PER_CHAMPION, NEW_LABELS_SHARE } from '@app/domain';
import type { DriftDecision, EpisodeCondition, EpisodeOpening } from '@app/domain';

/** One key feature's comparison of the current window with its frozen baseline. */
export interface FeatureResult {
  feature: string;
  baselineSize: number;
  currentSize: number;
  /** Absent when the window had too few claims to judge. */
  psi?: number;
  band?: 'stable' | 'moderate' | 'significant';
}

/** The version in production, as far as the decision needs it. */
export interface ChampionFacts {
  version: number;
  /** A champion without an artifact (a seeded version) cannot be scored on a hold-out: any model may replace it. */
  hasArtifact: boolean;
  /** Its training-set size; null when not recorded (then only minNewLabels counts). */
  trainingSamples: number | null;
}

/** An open episode as stored (drift_episodes), what the decision continues or closes. */
export interface EpisodeState {
  id: string;
  condition: EpisodeCondition;
  startedOn: string;
  lastSeenOn: string;
  days: number;
  retrains: number;
  /** The last retrain it asked for: the date, the champion then, and the new labels counted then. */
  lastRetrainOn: string | null;
  lastRetrainChampion: number | null;
  lastRetrainNewLabels: number | null;
}

/** What happens to the (tenant, model)'s episode with this check. */
export type EpisodeChange =
  | { kind: 'none' }
  | { kind: 'open'; episode: EpisodeState }
  /** `remind`: this day completes another week of it (people are reminded it is still open). */
  | { kind: 'continue'; episode: EpisodeState; remind: boolean }
  | { kind: 'close'; episode: EpisodeState; endedOn: string };

export interface Eligibility {
  eligible: boolean;
  /** The labels compared with `needed`: since the cut-off, or since this episode's last retrain. */
  newLabels: number;
  needed: number;
  reason: string;
}

export interface DecisionInput {
  force: boolean;
  requestedBy: string;
  logicalDate: string;
  /** The version in production; null when the tenant has none. */
  champion: ChampionFacts | null;
  correct: number;
  labelled: number;
  accuracyThreshold: number;
  minLabelled: number;
  windowDays: number;
  /**
   * The active version's predictions of the claims filed in the last `days` days whose labels are known:
   * how many, and how many right. The labels of a changed relationship show here first.
   */
  cohort: { correct: number; labelled: number; days: number };
  /** The active version's predictions made in the accuracy window, and how many have labels. */
  maturity: { predictions: number; labelled: number };
  /**
   * The estimated accuracy of those predictions (their calibrated probabilities of being right); null when
   * none has one. It decides when the realized accuracy has too few labels (docs/models.md).
   */
  estimate: EstimatedAccuracy | null;
  features: FeatureResult[];
  /** The window the features were judged on (the long one when the short had too few claims). */
  psiWindowDays: number;
  minWindowSamples: number;
  driftThreshold: number;
  /**
   * Labelled examples of claims filed after the champion's training cut-off, known as of the check. Read
   * only when `needsNewLabels` says the decision looks at them (0 otherwise).
   */
  newLabels: number;
  minNewLabels: number;
  /** The (tenant, model)'s open episode, if any. */
  openEpisode: EpisodeState | null;
  /**
   * The open episode's retrains against the current champion whose candidates the validator rejected as
   * no_improvement (0 without an episode).
   */
  rejectedRetrains: number;
  /**
   * The shadow challenger on trial beside the champion (issue 19): while it runs, a retrain waits for its
   * verdict (its trial is the retrain in progress; another candidate would only replace it).
   */
  challenger?: { version: number; startedOn: string } | null;
  /** The id a new episode gets (ids are made by the caller, so the decision stays pure). */
  newEpisodeId: string;
  /** When a breach opens an episode, and when a clean day closes one (the model's k of n). */
  opening: EpisodeOpening;
  /**
   * Whether each earlier day of the last `historyDays(...)` had a breach (its stored checks, suppressed
   * ones aside); a day without a stored check had none. Read only when `historyDays` says it matters.
   */
  recent?: readonly DayBreach[];
}

/** One earlier logical date's checks of the (tenant, model): did any find a breach. */
export interface DayBreach {
  logicalDate: string;
  breach: boolean;
}

/** Which accuracy a check judged: realized (enough labels), estimated (too few), or none. */
export type AccuracySource = 'realized' | 'estimated' | null;

export interface Decision {
  decision: DriftDecision;
  /** The check found drift or low accuracy (stored: the k of n of later days count it). */
  breach: boolean;
  accuracy?: AccuracyDto;
  accuracySource?: AccuracySource;
  reasons: string[];
  /** On a breach: whether a retrain could change something. */
  eligibility?: Eligibility;
  episode: EpisodeChange;
}

/** An open episode is recalled to people after 1, 2, 4, 8... times this many days (its digest lists it again). */
export const REMINDER_DAYS = 7;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** What the signals say, before eligibility and episodes. */
interface Judgement {
  accuracy?: AccuracyDto;
  accuracySource: AccuracySource;
  reasons: string[];
  drifted: boolean;
  below: boolean;
  psiJudged: boolean;
  accuracyJudged: boolean;
}

/** PSI of the key features and the accuracy of the active version, each judged only with enough data. */
function judge(i: DecisionInput): Judgement {
  const reasons: string[] = [];
  let accuracy: AccuracyDto | undefined;
  if (i.labelled > 0) {
    const w = wilsonInterval(i.correct, i.labelled);
    accuracy = {
      value: w.estimate,
      low: w.low,
      high: w.high,
      labelled: i.labelled,
      threshold: i.accuracyThreshold,
    };
  }
  const judged = i.features.filter((f) => f.psi !== undefined);
  const drifted = judged.filter((f) => f.band === 'significant');
  for (const f of drifted)
    reasons.push(`${f.feature} PSI ${f.psi!.toFixed(3)} > ${i.driftThreshold} (significant drift)`);
  for (const f of judged.filter((x) => x.band === 'moderate'))
    reasons.push(`${f.feature} PSI ${f.psi!.toFixed(3)} (moderate: recorded, no retrain)`);
  if (judged.length === 0 && i.features.length > 0) {
    const n = Math.max(...i.features.map((f) => f.currentSize));
    reasons.push(
      `only ${n} claims in the last ${i.psiWindowDays} days (need ${i.minWindowSamples}): PSI not judged`,
    );
  } else if (drifted.length === 0 && judged.length > 0) {
    const top = [...judged].sort((a, b) => b.psi! - a.psi!)[0]!;
    reasons.push(`largest PSI ${top.psi!.toFixed(3)} (${top.feature}) is within ${i.driftThreshold}`);
  }

  const enough = sampleSizeCheck(i.labelled, i.minLabelled);
  // Low accuracy only when the whole 95% interval lies under the threshold: a week of bad luck on a few
  // dozen cases is not evidence of decay.
  const windowBelow = enough.sufficient && accuracy !== undefined && accuracy.high < i.accuracyThreshold;
  // The filing cohort: the first labels of the newest claims. Its labels come first from the quickest
  // claims, a biased slice, so it only ever adds a breach (with the same interval rule), never clears one.
  const cohort =
    i.cohort.labelled >= i.minLabelled ? wilsonInterval(i.cohort.correct, i.cohort.labelled) : null;
  const cohortBelow = cohort !== null && cohort.high < i.accuracyThreshold;
  // Too few labels: the estimate of the window's predictions decides, with the same interval rule (its
  // interval is the window's sampling noise; a changed relationship is not in it, docs/models.md).
  const e = i.estimate;
  const estimateJudged = !enough.sufficient && e !== null && e.n >= i.minLabelled;
  const estimateBelow = estimateJudged && e.high < i.accuracyThreshold;
  const below = windowBelow || cohortBelow || estimateBelow;
  const ci = accuracy
    ? `${pct(accuracy.value)} (95% CI ${pct(accuracy.low)}-${pct(accuracy.high)}, n=${i.labelled})`
    : '';
  if (!enough.sufficient && estimateJudged) {
    const verdict = estimateBelow
      ? 'is below'
      : e.estimate >= i.accuracyThreshold
        ? 'meets'
        : 'is not significantly below';
    reasons.push(
      `only ${enough.have} labelled predictions in the last ${i.windowDays} days (need ${enough.need}): judged by the estimate`,
      `estimated accuracy of the last ${i.windowDays} days' ${e.n} predictions ${pct(e.estimate)} (95% CI ${pct(e.low)}-${pct(e.high)}) ${verdict} the ${pct(i.accuracyThreshold)} threshold`,
    );
  } else if (!enough.sufficient) {
    reasons.push(
      `only ${enough.have} labelled predictions in the last ${i.windowDays} days (need ${enough.need}): accuracy not judged`,
    );
  } else if (windowBelow) {
    reasons.push(`${i.windowDays}-day accuracy ${ci} is below the ${pct(i.accuracyThreshold)} threshold`);
  } else {
    const verdict = accuracy!.value >= i.accuracyThreshold ? 'meets' : 'is not significantly below';
    reasons.push(`${i.windowDays}-day accuracy ${ci} ${verdict} the ${pct(i.accuracyThreshold)} threshold`);
  }
  if (cohortBelow)
    reasons.push(
      `claims filed in the last ${i.cohort.days} days: ${pct(cohort.estimate)} right of the ${i.cohort.labelled} labelled so far (95% CI ${pct(cohort.low)}-${pct(cohort.high)}), below the ${pct(i.accuracyThreshold)} threshold`,
    );
  return {
    accuracy,
    accuracySource: enough.sufficient ? 'realized' : estimateJudged ? 'estimated' : null,
    reasons,
    drifted: drifted.length > 0,
    below,
    psiJudged: judged.length > 0,
    accuracyJudged: enough.sufficient || estimateJudged,
  };
}

/**
 * Whether a retrain can change something (docs/models.md): the champion has no artifact, or at least
 * max(minNewLabels, 10% of its training set) labelled examples arrived after its training cut-off. Within
 * an episode that already retrained against this champion, the count restarts at that retrain: a candidate
 * it rejected learned from the same labels, and another one would too. Each candidate of the episode that
 * the validator rejected as no_improvement doubles the labels the next one needs: evidence that the
 * champion is as good as these data allow, so the next try waits for more of them.
 */
export function eligibility(i: {
  champion: ChampionFacts;
  newLabels: number;
  minNewLabels: number;
  episode: EpisodeState | null;
  rejectedRetrains?: number;
}): Eligibility {
  const { champion } = i;
  const base = Math.max(i.minNewLabels, Math.ceil(NEW_LABELS_SHARE * (champion.trainingSamples ?? 0)));
  const e = i.episode;
  const retrainedAgainstIt =
    e !== null && e.lastRetrainChampion === champion.version && e.lastRetrainNewLabels !== null;
  if (!retrainedAgainstIt) {
    const needed = base;
    if (!champion.hasArtifact)
      return {
        eligible: true,
        newLabels: i.newLabels,
        needed,
        reason: `v${champion.version} has no artifact: a trained model can be compared with it, retrain`,
      };
    const eligible = i.newLabels >= needed;
    return {
      eligible,
      newLabels: i.newLabels,
      needed,
      reason: eligible
        ? `${i.newLabels} labelled examples arrived after v${champion.version}'s training cut-off (need ${needed}): a retrain can learn from them`
        : `only ${i.newLabels} labelled examples arrived after v${champion.version}'s training cut-off (need ${needed}): a retrain would learn nothing new, awaiting labels`,
    };
  }
  const rejected = i.rejectedRetrains ?? 0;
  const needed = base * 2 ** rejected;
  const since = Math.max(0, i.newLabels - e.lastRetrainNewLabels!);
  const eligible = since >= needed;
  const backoff =
    rejected > 0
      ? `, ${base} doubled for each of the ${rejected} candidate(s) of this episode rejected as no_improvement`
      : '';
  return {
    eligible,
    newLabels: since,
    needed,
    reason: eligible
      ? `${since} labelled examples arrived since this episode's retrain on ${e.lastRetrainOn} (need ${needed}${backoff}): retrain again`
      : `only ${since} labelled examples arrived since this episode's retrain on ${e.lastRetrainOn} (need ${needed}${backoff}): awaiting labels`,
  };
}

/** Whole weeks an episode of `days` days has completed since its first day (day 8 completes the first). */
const weeks = (days: number) => Math.floor((days - 1) / REMINDER_DAYS);

/**
 * Whether an episode that grew from `before` to `after` days is recalled to people now: when it completes
 * its 1st, 2nd, 4th, 8th, 16th... week. Backing off: an episode that nobody can end soon (churn awaits
 * labels for months) is not announced every week.
 */
export function remindsOn(before: number, after: number): boolean {
  const octave = (w: number) => (w <= 0 ? -1 : Math.floor(Math.log2(w)));
  return octave(weeks(after)) > octave(weeks(before));
}

function conditionOf(drifted: boolean, below: boolean): EpisodeCondition {
  return drifted && below ? 'drift_and_accuracy' : drifted ? 'drift' : 'accuracy';
}

/** The open episode extended to `date` (dates may arrive out of order: a catch-up of an older day). */
function extend(e: EpisodeState, date: string, condition: EpisodeCondition): EpisodeState {
  const startedOn = dayNumber(date) < dayNumber(e.startedOn) ? date : e.startedOn;
  const lastSeenOn = dayNumber(date) > dayNumber(e.lastSeenOn) ? date : e.lastSeenOn;
  return {
    ...e,
    condition: e.condition === condition ? e.condition : 'drift_and_accuracy',
    startedOn,
    lastSeenOn,
    days: dayNumber(lastSeenOn) - dayNumber(startedOn) + 1,
  };
}

/**
 * Whether a model needs retraining, and whether it is worth it. Pure, so every branch has a fixture test.
 * Each signal is judged only with enough data. Drift (PSI of a key feature) or accuracy significantly under
 * its threshold is a breach. A breach on fewer than k of the last n days (the model's `episodeOpening`) is
 * `watching`; at k it opens an episode, and within one it continues it. An episode's breach is `retrain`
 * when a retrain can change something, `awaiting_labels` otherwise. A later day that judges something and
 * finds no breach, after n - k clean days before it, closes the episode. A forced check retrains whatever it
 * finds and leaves episodes alone.
 */
export function decide(i: DecisionInput): Decision {
  const j = judge(i);
  const { accuracy } = j;
  if (i.force)
    return {
      decision: 'retrain',
      breach: j.drifted || j.below,
      accuracy,
      accuracySource: j.accuracySource,
      reasons: [`retraining forced by ${i.requestedBy}`],
      episode: { kind: 'none' },
    };
  if (!i.champion)
    return {
      decision: 'retrain',
      breach: j.drifted || j.below,
      accuracy,
      accuracySource: j.accuracySource,
      reasons: ['no active model version: train one'],
      episode: { kind: 'none' },
    };

  const reasons = [...j.reasons];
  const open = i.openEpisode;
  let since = i.logicalDate;
  if ((j.drifted || j.below) && !open) {
    const seen = breachDays(i, i.opening.n - 1);
    since = seen.first ?? i.logicalDate;
    if (seen.count + 1 < i.opening.k) {
      reasons.push(
        `a breach on ${seen.count + 1} of the last ${i.opening.n} days (an episode opens at ${i.opening.k}): watching`,
      );
      return {
        decision: 'watching',
        breach: true,
        accuracy,
        accuracySource: j.accuracySource,
        reasons,
        episode: { kind: 'none' },
      };
    }
    if (i.opening.k > 1)
      reasons.push(`a breach on ${seen.count + 1} of the last ${i.opening.n} days: the episode opens`);
  }
  if (j.drifted || j.below) {
    const condition = conditionOf(j.drifted, j.below);
    const labels = eligibility({
      champion: i.champion,
      newLabels: i.newLabels,
      minNewLabels: i.minNewLabels,
      episode: open,
      rejectedRetrains: i.rejectedRetrains,
    });
    // Input drift alone, with accuracy not under its threshold: once the champion has held up against
    // DRIFT_RETRAINS_PER_CHAMPION candidates trained on the drifted data, the new inputs are not what it
    // fails on. Drift alone no longer retrains it in this episode; an accuracy breach still does.
    const heldUp = !j.below && i.rejectedRetrains >= DRIFT_RETRAINS_PER_CHAMPION;
    const trial = i.challenger ?? null;
    const elig: Eligibility = trial
      ? {
          ...labels,
          eligible: false,
          reason: `v${trial.version} has been on trial as a shadow challenger since ${trial.startedOn}: a retrain waits for its verdict`,
        }
      : heldUp
        ? {
            ...labels,
            eligible: false,
            reason: `v${i.champion.version} held up against ${i.rejectedRetrains} candidates trained on this episode's data (rejected as no_improvement): input drift alone does not retrain it again in this episode, an accuracy breach will`,
          }
        : labels;
    reasons.push(elig.reason);
    const coverage =
      i.maturity.predictions > 0
        ? `${pct(i.maturity.labelled / i.maturity.predictions)} (${i.maturity.labelled} of ${i.maturity.predictions})`
        : 'none (no predictions)';
    if (!elig.eligible)
      reasons.push(`labels of the last ${i.windowDays} days' predictions so far: ${coverage}`);
    let episode: EpisodeState = open
      ? extend(open, i.logicalDate, condition)
      : {
          id: i.newEpisodeId,
          condition,
          startedOn: since,
          lastSeenOn: i.logicalDate,
          days: dayNumber(i.logicalDate) - dayNumber(since) + 1,
          retrains: 0,
          lastRetrainOn: null,
          lastRetrainChampion: null,
          lastRetrainNewLabels: null,
        };
    if (elig.eligible)
      episode = {
        ...episode,
        retrains: episode.retrains + 1,
        lastRetrainOn: i.logicalDate,
        lastRetrainChampion: i.champion.version,
        lastRetrainNewLabels: i.newLabels,
      };
    return {
      decision: elig.eligible ? 'retrain' : 'awaiting_labels',
      breach: true,
      accuracy,
      accuracySource: j.accuracySource,
      reasons,
      eligibility: elig,
      // A champion that held up on the drifted inputs needs nobody: its episode is not recalled every week.
      episode: open
        ? { kind: 'continue', episode, remind: !heldUp && remindsOn(open.days, episode.days) }
        : { kind: 'open', episode },
    };
  }

  const judgedSomething = j.psiJudged || j.accuracyJudged;
  // Only a later day closes an episode (a catch-up of an older date says nothing about today), and only
  // after n - k + 1 clean days in a row: the k of n that opened it cannot then reopen it tomorrow.
  const later = open !== null && judgedSomething && dayNumber(i.logicalDate) > dayNumber(open.lastSeenOn);
  const cleanNeeded = i.opening.n - i.opening.k + 1;
  const earlierBreaches = later && cleanNeeded > 1 ? breachDays(i, cleanNeeded - 1).count : 0;
  const closes = later && earlierBreaches === 0;
  if (closes)
    reasons.push(
      `no drift or low accuracy${cleanNeeded > 1 ? ` on ${cleanNeeded} days in a row` : ''}: the episode open since ${open.startedOn} ends after ${open.days} day(s)`,
    );
  else if (later)
    reasons.push(
      `no drift or low accuracy today; the episode open since ${open.startedOn} closes after ${cleanNeeded} clean days in a row`,
    );
  const episode: EpisodeChange = closes
    ? { kind: 'close', episode: open, endedOn: i.logicalDate }
    : { kind: 'none' };
  const accuracySource = j.accuracySource;
  const base = { breach: false, accuracy, accuracySource, reasons, episode };
  if (!judgedSomething) return { decision: 'insufficient_data', ...base };
  if (!j.accuracyJudged) return { decision: 'insufficient_labels', ...base };
  return { decision: 'no_action', ...base };
}

/** Breached days among the `days` logical dates before the check's (from `recent`). */
function breachDays(i: DecisionInput, days: number): { count: number; first: string | null } {
  const today = dayNumber(i.logicalDate);
  const dates = [
    ...new Set(
      (i.recent ?? [])
        .filter((r) => {
          const ago = today - dayNumber(r.logicalDate);
          return r.breach && ago >= 1 && ago <= days;
        })
        .map((r) => r.logicalDate),
    ),
  ].sort();
  return { count: dates.length, first: dates[0] ?? null };
}

/**
 * How many earlier days of breaches the decision needs (`recent`): the last n - 1 when today's breach might
 * open an episode, the last n - k when a clean day might close one; 0 when neither (read nothing then).
 */
export function historyDays(i: DecisionInput): number {
  if (i.force || !i.champion) return 0;
  const j = judge(i);
  const breach = j.drifted || j.below;
  if (breach && !i.openEpisode) return i.opening.k > 1 ? i.opening.n - 1 : 0;
  if (!breach && i.openEpisode && (j.psiJudged || j.accuracyJudged)) return i.opening.n - i.opening.k;
  return 0;
}

/**
 * Whether the decision looks at the labels new to the champion: only a breach asks whether a retrain can
 * change something. Counting them scans a tenant's claims since the champion's cut-off, so a check reads
 * them only then (issue 20: most days of most models find no breach).
 */
export function needsNewLabels(i: DecisionInput): boolean {
  if (i.force || !i.champion) return false;
  const j = judge(i);
  return j.drifted || j.below;
}
