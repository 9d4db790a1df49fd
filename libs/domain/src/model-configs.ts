import type { EpisodeCondition, ModelType, PromotionPolicy } from './enums';
import type { FeatureName } from './features';

/** Per-model settings of the retraining pipeline (the spec's `MODEL_CONFIGS`). */
export interface ModelConfig {
  readonly modelType: ModelType;
  readonly displayName: string;
  /** Minimum acceptable accuracy (0..1), for the 7-day check and the validation gate. */
  readonly accuracyThreshold: number;
  /** PSI above which a key feature counts as significantly drifted. */
  readonly driftThreshold: number;
  /** Labelled examples needed before a model may be trained. */
  readonly minTrainingSamples: number;
  /** Share of the (most recent) examples held out for validation. */
  readonly validationSplit: number;
  /** Key features watched for drift, as named in docs/models.md. */
  readonly features: readonly FeatureName[];
  /** Months of history used for training. */
  readonly trainingWindowMonths: number;
  /**
   * Half-life, in days, of a training example's weight by age (libs/ml recencyWeights): after a change of
   * the relationship, recent labels outweigh a year of older ones within weeks (docs/models.md, "Training").
   */
  readonly trainingHalfLifeDays: number;
  /**
   * The half-life when the retrain answers an accuracy breach (the relationship may have changed): recent
   * labels must outweigh the old relationship within weeks, not months (docs/models.md, "Training").
   */
  readonly breachHalfLifeDays: number;
  /**
   * Labelled examples that must have arrived after the champion's training cut-off before a retrain can
   * change anything (the floor of max(minNewLabels, 10% of the champion's training set); docs/models.md).
   */
  readonly minNewLabels: number;
  /**
   * Accuracy points (0..1) by which a candidate must beat the champion on the shared hold-out to replace
   * it when the gain is not statistically significant (docs/models.md, "Deploy only what improves").
   */
  readonly minGain: number;
  /**
   * When a breach becomes an episode (and people hear of it): on `k` of the last `n` daily checks, today's
   * included. A lone day of breach is `watching`; an open episode closes after `n - k + 1` clean days in a
   * row, so that it cannot reopen the next day on the breaches that opened it (docs/models.md, "Episodes").
   */
  readonly episodeOpening: EpisodeOpening;
  /**
   * How a candidate that passed the offline gates reaches production (docs/models.md, "Shadow
   * challengers"): `direct` deploys it at once; `shadow` runs it beside the champion on live claims as the
   * challenger until a sequential test on their paired outcomes promotes or retires it.
   */
  readonly promotion: PromotionPolicy;
  /**
   * Days a challenger may run undecided before it is retired: its labels' delay plus two months of them
   * (a claim's outcome comes within weeks; churn is known 180 days after filing).
   */
  readonly shadowMaxDays: number;
}

/** k of the last n daily checks (ModelConfig.episodeOpening). */
export interface EpisodeOpening {
  readonly k: number;
  readonly n: number;
}

/** Every valid written form `k/n` of an opening rule (1 <= k <= n <= 14). */
export const EPISODE_OPENINGS: readonly string[] = Array.from({ length: 14 }, (_, n) =>
  Array.from({ length: n + 1 }, (__, k) => `${k + 1}/${n + 1}`),
).flat();

/** The opening rule from its written form `k/n` (1 <= k <= n <= 14); null when it is not one. */
export function parseEpisodeOpening(text: string): EpisodeOpening | null {
  const m = /^(\d{1,2})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const k = Number(m[1]);
  const n = Number(m[2]);
  return k >= 1 && k <= n && n <= 14 ? { k, n } : null;
}

/**
 * The half-life of a retrain's example weights: `breachHalfLifeDays` when the episode that asked for it
 * includes an accuracy breach (its answers became wrong: learn mostly from recent labels), otherwise
 * `trainingHalfLifeDays` (input drift, a forced retrain, version 1: more data is better).
 */
export function trainingHalfLifeDays(modelType: ModelType, condition?: EpisodeCondition): number {
  const cfg = MODEL_CONFIGS[modelType];
  return condition === 'accuracy' || condition === 'drift_and_accuracy'
    ? cfg.breachHalfLifeDays
    : cfg.trainingHalfLifeDays;
}

/**
 * Days of claims, up to a version's training time, that its drift baselines describe: every claim filed
 * then, labelled or not (docs/models.md, "Baselines"). Below BASELINE_MIN_INPUTS claims in them, the
 * baselines come from the training sample instead.
 */
export const BASELINE_WINDOW_DAYS = 90;

/**
 * Most labelled examples a model is trained on: the most recent ones of its window (docs/models.md,
 * "Training"). The examples left out are the oldest, whose recency weights (half-lives of 60 days and
 * less) are under a fifth by then on the tenants large enough to have more; a fit's time grows with its
 * examples, and 20,000 fit in well under a second on one XGBoost thread (issue 20: version 1 of a
 * 100,000-claim tenant was 70% of a seed).
 */
export const MAX_TRAINING_SAMPLES = 20_000;
export const BASELINE_MIN_INPUTS = 250;

/** Share of the champion's training set that must be new labels before a retrain (docs/models.md). */
export const NEW_LABELS_SHARE = 0.1;

/**
 * Candidates rejected as no_improvement, in one episode of input drift alone, after which the champion has
 * held up and drift alone stops retraining it (docs/models.md, "Episodes").
 */
export const DRIFT_RETRAINS_PER_CHAMPION = 2;

/** Chosen from the simulation (docs/benchmarks.md, "Issue 17, alerts"). */
const DEFAULT_EPISODE_OPENING: EpisodeOpening = { k: 2, n: 3 };

const COMMON_FEATURES = ['member_age', 'case_complexity', 'union_tenure_years'] as const;

export const MODEL_CONFIGS: Readonly<Record<ModelType, ModelConfig>> = {
  claim_outcome: {
    modelType: 'claim_outcome',
    displayName: 'Claim Outcome Prediction',
    accuracyThreshold: 0.85,
    driftThreshold: 0.25,
    minTrainingSamples: 1000,
    validationSplit: 0.2,
    features: [...COMMON_FEATURES, 'claim_type', 'department'],
    trainingWindowMonths: 12,
    trainingHalfLifeDays: 60,
    breachHalfLifeDays: 7,
    minNewLabels: 200,
    minGain: 0.03,
    episodeOpening: DEFAULT_EPISODE_OPENING,
    promotion: 'direct',
    shadowMaxDays: 60,
  },
  timeline: {
    modelType: 'timeline',
    displayName: 'Timeline Forecasting',
    accuracyThreshold: 0.78,
    driftThreshold: 0.25,
    minTrainingSamples: 800,
    validationSplit: 0.2,
    features: [...COMMON_FEATURES, 'claim_type', 'priority'],
    trainingWindowMonths: 12,
    trainingHalfLifeDays: 60,
    breachHalfLifeDays: 7,
    minNewLabels: 200,
    minGain: 0.03,
    episodeOpening: DEFAULT_EPISODE_OPENING,
    promotion: 'direct',
    shadowMaxDays: 60,
  },
  churn_risk: {
    modelType: 'churn_risk',
    displayName: 'Churn Risk Prediction',
    accuracyThreshold: 0.85,
    driftThreshold: 0.25,
    minTrainingSamples: 500,
    validationSplit: 0.2,
    features: [...COMMON_FEATURES, 'department'],
    trainingWindowMonths: 12,
    trainingHalfLifeDays: 60,
    breachHalfLifeDays: 7,
    minNewLabels: 200,
    minGain: 0.03,
    episodeOpening: DEFAULT_EPISODE_OPENING,
    promotion: 'direct',
    shadowMaxDays: 240,
  },
  assignment: {
    modelType: 'assignment',
    displayName: 'Smart Assignment',
    accuracyThreshold: 0.7,
    driftThreshold: 0.25,
    minTrainingSamples: 600,
    validationSplit: 0.2,
    features: [...COMMON_FEATURES, 'claim_type', 'department'],
    trainingWindowMonths: 12,
    trainingHalfLifeDays: 60,
    breachHalfLifeDays: 7,
    minNewLabels: 200,
    minGain: 0.03,
    episodeOpening: DEFAULT_EPISODE_OPENING,
    promotion: 'direct',
    shadowMaxDays: 60,
  },
};
