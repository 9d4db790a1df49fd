import {
  BASELINE_WINDOW_DAYS,
  isRightAnswer,
  labelKnownAtMs,
  MAX_TRAINING_SAMPLES,
  MODEL_CONFIGS,
  MODEL_TYPES,
  trainingHalfLifeDays,
} from '@app/domain';
import type { ModelType } from '@app/domain';
import {
  answerXgbModel,
  Booster,
  calibrationOf,
  confidenceOf,
  fitCandidate,
  InsufficientSamplesError,
  predictionText,
  rightProbability,
} from '@app/ml';
import type { ClaimFeatures, FittedCandidate, ModelCalibration, TrainingExample, XgbAnswer } from '@app/ml';
import { DAY } from './generator';
import type { HistoryClaim } from './generator';

// Version 1 of each model is a real model: trained with the trainer's own procedure (libs/ml fitCandidate:
// split, XGBoost, hold-out, baselines) on the history before its deployment date, and its stored
// predictions are its own answers. The examples are selected here, from the claims just generated, by the
// same rules as the trainer's SQL (libs/database labelledClaims): reading them back from the database
// would scan the unindexed claims table once per tenant and model in bulk mode. An integration test
// checks that both give the same examples.

/**
 * Boosting rounds, early stopping's patience and threads: the trainer's XGB_ROUNDS,
 * XGB_EARLY_STOPPING_ROUNDS and XGB_THREADS unless told otherwise.
 */
export interface TrainingOptions {
  rounds: number;
  /** 0 or absent: every round is boosted. */
  earlyStoppingRounds?: number;
  threads: number;
}

/**
 * What the claim's row records as the model's training target (LABEL_SQL[model].target where
 * LABEL_SQL[model].known holds), or null when it records none.
 */
export function recordedTarget(model: ModelType, c: HistoryClaim): string | number | null {
  switch (model) {
    case 'claim_outcome':
      return c.outcome;
    case 'timeline':
      return c.resolutionDays;
    case 'churn_risk':
      return c.churned === null ? null : c.churned ? 'churned' : 'retained';
    case 'assignment':
      return c.resolved === null ? null : c.team;
  }
}

/** When the claim's label becomes known (libs/domain labelKnownAt, the one rule of label time), in ms. */
export function knownAtMs(model: ModelType, c: HistoryClaim): number | null {
  return labelKnownAtMs(model, c.filed, c.resolved);
}

/** The model inputs of a generated claim, as the trainer reads them from its row. */
export function claimFeatures(c: HistoryClaim): ClaimFeatures {
  return {
    member_age: c.memberAge,
    case_complexity: c.complexity,
    union_tenure_years: c.tenure,
    claim_type: c.type,
    department: c.department,
    priority: c.priority,
  };
}

/**
 * `t` minus `months` calendar months, as PostgreSQL computes `timestamptz - make_interval(months => n)`
 * in a UTC session: same day of the month, clamped to the month's last day.
 */
export function monthsBefore(t: number, months: number): number {
  const d = new Date(t);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(
    first.getUTCFullYear(),
    first.getUTCMonth(),
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** A labelled example with its claim id (the trainer's LabelledClaim). */
export type SeededExample = TrainingExample & { id: string };

/**
 * The model's labelled examples as of `asOf`, as libs/database labelledClaims selects them: claims filed in
 * the training window up to `asOf` whose label was known at `asOf`, ordered by filing time, then id.
 */
export function labelledExamples(
  model: ModelType,
  claims: readonly HistoryClaim[],
  asOf: number,
): SeededExample[] {
  const sorted = [...claims].sort(byFilingThenId);
  return newestLabelledExamples(model, sorted, asOf, Number.POSITIVE_INFINITY).examples;
}

/**
 * Filing time, then id: the order of labelledClaims (`order by filed_at, id`; uuid order in PostgreSQL is
 * the order of their lower-case hex text).
 */
export function byFilingThenId(a: HistoryClaim, b: HistoryClaim): number {
  return a.filed - b.filed || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The newest `limit` of labelledExamples (oldest first), and how many there are in all: what fitCandidate
 * uses of them (MAX_TRAINING_SAMPLES), built without an object for each older example. `claims` must be in
 * filing order, then id (trainVersionOnes sorts them once).
 */
export function newestLabelledExamples(
  model: ModelType,
  claims: readonly HistoryClaim[],
  asOf: number,
  limit: number,
): { examples: SeededExample[]; available: number } {
  const from = monthsBefore(asOf, MODEL_CONFIGS[model].trainingWindowMonths);
  const newestFirst: SeededExample[] = [];
  let available = 0;
  for (let k = claims.length - 1; k >= 0; k--) {
    const c = claims[k]!;
    if (c.filed > asOf) continue;
    if (c.filed < from) break;
    const target = recordedTarget(model, c);
    if (target === null) continue;
    const known = knownAtMs(model, c);
    if (known === null || known > asOf) continue;
    available += 1;
    if (newestFirst.length < limit)
      newestFirst.push({ id: c.id, ...claimFeatures(c), target, at: new Date(c.filed) });
  }
  return { examples: newestFirst.reverse(), available };
}

/** Version 1 of one model for one tenant: trained, or not for lack of labelled history. */
export type VersionOne =
  | { model: ModelType; kind: 'trained'; fitted: FittedCandidate; examples: number }
  | { model: ModelType; kind: 'insufficient'; have: number; need: number; reason: string };

/**
 * Up to this many examples a fit runs on one XGBoost thread whatever XGB_THREADS says (fits use at most
 * MAX_TRAINING_SAMPLES, the same number: every version 1 is a one-thread fit). XGBoost's `hist`
 * builds the same model, byte for byte, on any number of threads (checked on seeded tenants), and on a
 * few thousand examples a second OpenMP thread only adds synchronisation: 0.3 s against 4.1 s per fit
 * with the machine's two cores busy (docs/benchmarks.md, bench:pipeline, saw the same).
 */
export const ONE_THREAD_BELOW = 20_000;

/**
 * Trains version 1 of every model of a tenant as of `asOf` (its deployment), with fitCandidate. A model
 * with fewer labelled examples than its minTrainingSamples gets no version 1.
 */
export async function trainVersionOnes(
  tenantId: string,
  claims: readonly HistoryClaim[],
  asOf: number,
  training: TrainingOptions,
): Promise<VersionOne[]> {
  const result: VersionOne[] = [];
  // In filing order (then id) once: each model's examples keep it, so their own sort finds them sorted.
  claims = [...claims].sort(byFilingThenId);
  // What the baselines describe: every claim filed in the BASELINE_WINDOW_DAYS up to the deployment, as
  // libs/database recentInputs selects them for the trainer.
  const from = asOf - BASELINE_WINDOW_DAYS * DAY;
  // In the same order (filing time, then id), so that their means are the same sums, to the last bit.
  const inputs = claims.filter((c) => c.filed > from && c.filed <= asOf).map((c) => claimFeatures(c));
  for (const model of MODEL_TYPES) {
    const { examples, available } = newestLabelledExamples(model, claims, asOf, MAX_TRAINING_SAMPLES);
    try {
      const fitted = await fitCandidate(
        examples,
        {
          tenantId,
          modelType: model,
          rounds: training.rounds,
          earlyStoppingRounds: training.earlyStoppingRounds,
          threads: examples.length <= ONE_THREAD_BELOW ? 1 : training.threads,
          asOf: new Date(asOf),
          halfLifeDays: trainingHalfLifeDays(model),
          available,
        },
        inputs,
      );
      result.push({ model, kind: 'trained', fitted, examples: available });
    } catch (err) {
      if (!(err instanceof InsufficientSamplesError)) throw err;
      result.push({ model, kind: 'insufficient', have: err.have, need: err.need, reason: err.message });
    }
  }
  return result;
}

/** One stored prediction: the version's answer for a claim, and its outcome when known. */
export interface SeededAnswer {
  claim: HistoryClaim;
  /** As the scorer stores it: the class, or (timeline) predicted resolution days with one decimal. */
  predicted: string;
  confidence: number;
  /** The version's calibrated probability that the answer is right (as the scorer stores it); null without one. */
  rightProbability: number | null;
  /** The label as stored with the outcome: the class, or (timeline) the actual resolution days. */
  actual: string | null;
  correct: boolean | null;
  knownAt: number | null;
}

/**
 * A version's answers for claims it scored, with their outcomes where the label is known at `now` (the
 * end of the seeded history): predicted with the stored artifact itself, in one XGBoost call. Confidence
 * is the model's probability of its answer; a timeline answer (days) has none, and stores the version's
 * hold-out accuracy instead: the share of its answers that were within tolerance.
 */
export function answersOf(
  model: ModelType,
  artifact: Buffer,
  holdoutAccuracy: number,
  claims: readonly HistoryClaim[],
  now: number,
): SeededAnswer[] {
  const booster = Booster.load(artifact);
  let scored: XgbAnswer[];
  let calibration: ModelCalibration | null;
  try {
    scored = answerXgbModel(model, booster, MODEL_CONFIGS[model].features, claims.map(claimFeatures));
    calibration = calibrationOf(booster);
  } finally {
    booster.dispose();
  }
  return claims.map((claim, i) => {
    const s = scored[i]!;
    // Stored as the scorer stores its answers (libs/ml predictionText, confidenceOf).
    const predicted = predictionText(model, s.value);
    const target = recordedTarget(model, claim);
    const known = knownAtMs(model, claim);
    const outcome = target !== null && known !== null && known <= now;
    return {
      claim,
      predicted,
      confidence: confidenceOf(s, holdoutAccuracy),
      rightProbability: calibration ? Math.round(rightProbability(calibration, s) * 1e6) / 1e6 : null,
      actual: outcome ? String(target) : null,
      correct: outcome ? isRightAnswer(model, predicted, target) : null,
      knownAt: outcome ? known : null,
    };
  });
}
