// class-transformer's @Type reads decorator metadata when the classes are defined: load the polyfill
// here, so that importing the contracts first (a test, a script) works.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  IsArray,
} from 'class-validator';
import {
  CHALLENGER_DECISIONS,
  DEPLOYMENT_REASONS,
  DRIFT_DECISIONS,
  EPISODE_CONDITIONS,
  MODEL_TYPES,
} from '@app/domain';
import type {
  ChallengerDecision,
  DeploymentReason,
  DriftDecision,
  EpisodeCondition,
  ModelType,
} from '@app/domain';

// One class per subject. Validated with whitelist + forbidNonWhitelisted where a message enters a service.

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class DriftCheckRequestedPayload {
  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  /** Day the check is for (the scheduler's logical date), YYYY-MM-DD. */
  @Matches(DATE)
  logicalDate: string;

  /** Report drift whatever the figures say (operators, tests, demos). */
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  /** Who asked: the daily job (`schedule`, `catch_up`) or a person (`cli`, `console`), or a test. */
  @IsIn(['schedule', 'cli', 'catch_up', 'test', 'console'])
  requestedBy: 'schedule' | 'cli' | 'catch_up' | 'test' | 'console';
}

export class FeatureDriftDto {
  @IsString()
  @MaxLength(100)
  feature: string;

  @IsNumber()
  psi: number;

  @IsIn(['stable', 'moderate', 'significant'])
  band: 'stable' | 'moderate' | 'significant';

  @IsInt()
  @Min(0)
  baselineSize: number;

  @IsInt()
  @Min(0)
  currentSize: number;
}

export class AccuracyDto {
  @IsNumber()
  value: number;

  @IsNumber()
  low: number;

  @IsNumber()
  high: number;

  @IsInt()
  @Min(0)
  labelled: number;

  @IsNumber()
  threshold: number;
}

/**
 * The estimated accuracy of the active version's predictions made in the check's window, labelled or not:
 * the mean of their calibrated probabilities of being right, with the Poisson-binomial 95% bounds
 * (docs/models.md, "Estimated accuracy").
 */
export class EstimatedAccuracyDto {
  @IsNumber()
  @Min(0)
  @Max(1)
  value: number;

  @IsNumber()
  @Min(0)
  @Max(1)
  low: number;

  @IsNumber()
  @Min(0)
  @Max(1)
  high: number;

  /** Predictions it is made of (those with a calibrated probability). */
  @IsInt()
  @Min(1)
  n: number;
}

/**
 * How far the labels of the active version's recent predictions have arrived: of the predictions it made
 * in the check's window, how many have a known outcome as of the check's date.
 */
export class LabelMaturityDto {
  /** Days of the window (ending on the check's logical date). */
  @IsInt()
  @Min(1)
  windowDays: number;

  /** The active version's predictions made in the window. */
  @IsInt()
  @Min(0)
  predictions: number;

  /** Of those, the ones whose outcome is known as of the check's date. */
  @IsInt()
  @Min(0)
  labelled: number;

  /** labelled / predictions; absent when there were no predictions. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  coverage?: number;

  /** When the oldest prediction of the window still without a label was made (ISO 8601). */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  oldestUnlabelledAt?: string;

  // Optional additions (estimated accuracy, issue 17), compatible with version 1.

  /** The window's estimated accuracy; absent when none of its predictions has a calibrated probability. */
  @IsOptional()
  @ValidateNested()
  @Type(() => EstimatedAccuracyDto)
  estimated?: EstimatedAccuracyDto;

  /** Which accuracy the check judged: realized (enough labels) or estimated; absent when neither. */
  @IsOptional()
  @IsIn(['realized', 'estimated'])
  decidedBy?: 'realized' | 'estimated';
}

/**
 * Whether a retrain can change something: the champion has no artifact, or enough labelled examples
 * arrived after its training cut-off (docs/models.md, "A retrain happens only when it can change something").
 */
export class EligibilityDto {
  @IsBoolean()
  eligible: boolean;

  /** Labelled examples of claims filed after the champion's training cut-off, known as of the check's date. */
  @IsInt()
  @Min(0)
  newLabels: number;

  /** How many are needed: max(minNewLabels, 10% of the champion's training set). */
  @IsInt()
  @Min(0)
  needed: number;

  @IsString()
  @MaxLength(500)
  reason: string;
}

/** One continuous stretch of drift or low accuracy of a (tenant, model): people are told once per episode. */
export class DriftEpisodeDto {
  @IsUUID()
  id: string;

  @IsIn(EPISODE_CONDITIONS)
  condition: EpisodeCondition;

  /** Logical date of its first breached day. */
  @Matches(DATE)
  startedOn: string;

  /** Breached days so far, the first included. */
  @IsInt()
  @Min(1)
  days: number;

  /** Retrains it has caused so far, this check's included. */
  @IsInt()
  @Min(0)
  retrains: number;

  /** True on the check that opened it: the one that tells people. */
  @IsBoolean()
  opened: boolean;

  /** True on a day that completes another week of it: people are reminded it is still open. Optional addition. */
  @IsOptional()
  @IsBoolean()
  remind?: boolean;

  /** Present on the check that closed it (its logical date): the condition cleared. Optional addition. */
  @IsOptional()
  @Matches(DATE)
  closedOn?: string;
}

export class DriftCheckedPayload {
  @IsUUID()
  checkId: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsOptional()
  @IsInt()
  activeVersion?: number;

  @IsIn(DRIFT_DECISIONS)
  decision: DriftDecision;

  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FeatureDriftDto)
  features: FeatureDriftDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => AccuracyDto)
  accuracy?: AccuracyDto;

  @IsArray()
  @IsString({ each: true })
  reasons: string[];

  // Optional additions (closed loop), compatible with version 1.

  /** Days of the window whose inputs were compared with the baselines (PSI). */
  @IsOptional()
  @IsInt()
  @Min(1)
  psiWindowDays?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => LabelMaturityDto)
  labels?: LabelMaturityDto;

  /** Present when the check found drift or low accuracy: whether a retrain could change anything. */
  @IsOptional()
  @ValidateNested()
  @Type(() => EligibilityDto)
  eligibility?: EligibilityDto;

  /** The episode this check belongs to: one it opened, continued, or closed (`closedOn`). */
  @IsOptional()
  @ValidateNested()
  @Type(() => DriftEpisodeDto)
  episode?: DriftEpisodeDto;

  /** The day the check is for (YYYY-MM-DD). Optional addition: the notifier's day of the tenant's digest. */
  @IsOptional()
  @Matches(DATE)
  logicalDate?: string;
}

export class DriftDetectedPayload {
  @IsUUID()
  checkId: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsOptional()
  @IsInt()
  activeVersion?: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FeatureDriftDto)
  driftedFeatures: FeatureDriftDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => AccuracyDto)
  accuracy?: AccuracyDto;

  @IsArray()
  @IsString({ each: true })
  reasons: string[];

  // Optional additions (closed loop), compatible with version 1. Absent on a forced retrain.

  @IsOptional()
  @ValidateNested()
  @Type(() => LabelMaturityDto)
  labels?: LabelMaturityDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => EligibilityDto)
  eligibility?: EligibilityDto;

  /** The episode that asked for this retrain; `opened` on its first day (the one people are told about). */
  @IsOptional()
  @ValidateNested()
  @Type(() => DriftEpisodeDto)
  episode?: DriftEpisodeDto;

  /**
   * The logical date of the check that found it (YYYY-MM-DD): the trainer trains as of the end of that day.
   * Absent (events from before it was added): as of the moment training starts.
   */
  @IsOptional()
  @Matches(DATE)
  logicalDate?: string;
}

export class ModelTrainedPayload {
  @IsUUID()
  runId: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsInt()
  @Min(1)
  candidateVersion: number;

  @IsNumber()
  @Min(0)
  @Max(1)
  holdoutAccuracy: number;

  @IsInt()
  @Min(0)
  trainingSamples: number;

  @IsInt()
  @Min(0)
  validationSamples: number;

  @IsUUID()
  artifactId: string;

  @IsString()
  algorithm: string;

  /**
   * Filing time (ISO 8601) of the newest labelled example the run was given, training set and hold-out
   * alike: labels of claims filed after it are new to this candidate. Optional addition (closed loop).
   */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  trainingCutoff?: string;
}

export class TrainingFailedPayload {
  @IsOptional()
  @IsUUID()
  runId?: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsString()
  @MaxLength(100)
  code: string;

  @IsString()
  @MaxLength(2000)
  reason: string;
}

export class GateResultDto {
  @IsString()
  name: string;

  @IsOptional()
  @IsNumber()
  value?: number;

  @IsOptional()
  @IsNumber()
  threshold?: number;

  @IsOptional()
  @IsNumber()
  pValue?: number;

  @IsBoolean()
  passed: boolean;

  @IsString()
  @MaxLength(1000)
  detail: string;

  /** Which rule let the gate pass (the improvement gate: significant, min_gain, floor, no_champion). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rule?: string;

  /** Why it failed, as a code (the improvement gate: no_improvement). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reason?: string;
}

export class ModelValidatedPayload {
  @IsUUID()
  runId: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsInt()
  candidateVersion: number;

  @IsOptional()
  @IsInt()
  championVersion?: number;

  @IsBoolean()
  passed: boolean;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GateResultDto)
  gates: GateResultDto[];

  /**
   * Optional addition (issue 19): the candidate passed and, its model's promotion being `shadow`, started
   * as the challenger beside the champion instead of being deployed.
   */
  @IsOptional()
  @IsBoolean()
  challenger?: boolean;
}

/** What a shadow challenger's trial found (model.challenger.decided, and a promotion's model.deployed). */
export class ChallengerEvidenceDto {
  /** Claims both versions answered whose outcome is known. */
  @IsInt()
  @Min(0)
  labelledPairs: number;

  /** Of which exactly one was right: the pairs the sequential test used. */
  @IsInt()
  @Min(0)
  discordantPairs: number;

  /** Discordant pairs the challenger got right. */
  @IsInt()
  @Min(0)
  challengerWins: number;

  /** ln of the mixture likelihood ratio (docs/decisions.md, "Shadow challengers"). */
  @IsNumber()
  logLikelihoodRatio: number;

  @IsNumber()
  alwaysValidP: number;

  /** The trial's first and last logical days, and the days between them. */
  @Matches(DATE)
  startedOn: string;

  @Matches(DATE)
  decidedOn: string;

  @IsInt()
  @Min(0)
  days: number;
}

export class ModelChallengerDecidedPayload {
  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsInt()
  @Min(1)
  challengerVersion: number;

  @IsInt()
  @Min(1)
  championVersion: number;

  @IsIn(CHALLENGER_DECISIONS)
  decision: ChallengerDecision;

  /** Why, in words. */
  @IsString()
  @MaxLength(2000)
  reason: string;

  @ValidateNested()
  @Type(() => ChallengerEvidenceDto)
  evidence: ChallengerEvidenceDto;

  /** The day of the check that decided (the notifier's day of the tenant's digest), YYYY-MM-DD. */
  @Matches(DATE)
  logicalDate: string;
}

export class ModelDeployedPayload {
  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsInt()
  @Min(1)
  version: number;

  @IsOptional()
  @IsInt()
  previousVersion?: number;

  @IsIn(DEPLOYMENT_REASONS)
  reason: DeploymentReason;

  @IsOptional()
  @IsUUID()
  runId?: string;

  @IsNumber()
  accuracy: number;
}

export class SeedRequestedPayload {
  @IsInt()
  @Min(1)
  @Max(1000)
  tenants: number;

  @IsInt()
  @Min(1)
  @Max(100_000)
  users: number;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  claims: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  seed?: number;

  @IsOptional()
  @IsBoolean()
  reset?: boolean;

  @IsOptional()
  @IsIn(['default', 'drift'])
  scenario?: 'default' | 'drift';

  @IsString()
  @MaxLength(200)
  requestedBy: string;
}

export class SeedSummaryDto {
  @IsInt()
  tenants: number;
  @IsInt()
  users: number;
  @IsInt()
  claims: number;
  @IsInt()
  predictions: number;
  @IsInt()
  modelMetadata: number;
  @IsInt()
  feedback: number;
  /** (tenant, model) pairs given no version 1 for lack of labelled history (minTrainingSamples). */
  @IsOptional()
  @IsInt()
  insufficientSamples?: number;
}

export class SeedCompletedPayload {
  @ValidateNested()
  @Type(() => SeedSummaryDto)
  summary: SeedSummaryDto;

  @IsArray()
  @IsString({ each: true })
  tenantIds: string[];

  @IsNumber()
  durationMs: number;
}

export class SeedFailedPayload {
  @IsString()
  @MaxLength(100)
  code: string;

  @IsString()
  @MaxLength(2000)
  reason: string;
}

export class ModelRollbackRequestedPayload {
  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  /** Version to reactivate; without it, the version that was active before the current one. */
  @IsOptional()
  @IsInt()
  @Min(1)
  toVersion?: number;

  @IsString()
  @MaxLength(200)
  requestedBy: string;

  @IsString()
  @MaxLength(500)
  reason: string;
}

// The claims application's events (docs/integration.md). A claim's features and outcome live in its row
// of `claims`; the events only say which row changed, so that the scorer reads features with the same
// code that builds training data (one definition of a feature: no training/serving skew).

export class ClaimFiledPayload {
  @IsUUID()
  claimId: string;
}

export class ClaimResolvedPayload {
  @IsUUID()
  claimId: string;
}

/** One model's answer for a claim, by the version active when the claim was scored. */
export class ClaimPredictionDto {
  @IsIn(MODEL_TYPES)
  modelType: ModelType;

  @IsInt()
  @Min(1)
  version: number;

  /** A class of the model's labels (docs/models.md); timeline: predicted resolution days, as text. */
  @IsString()
  @MaxLength(100)
  prediction: string;

  /** The model's own probability for its answer (timeline: see docs/integration.md). */
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence: number;
}

export class ClaimScoredPayload {
  @IsUUID()
  claimId: string;

  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ClaimPredictionDto)
  predictions: ClaimPredictionDto[];
}

/**
 * The scheduler's daily tick for one tenant: labels that mature with time alone (churn, 180 days after
 * filing) are known as of the end of `logicalDate`, and the scorer fills their predictions' outcomes.
 */
export class ClaimOutcomesDuePayload {
  @Matches(DATE)
  logicalDate: string;
}
