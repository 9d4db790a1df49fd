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
import { DRIFT_DECISIONS, MODEL_TYPES } from '@app/domain';
import type { DeploymentReason, DriftDecision, ModelType } from '@app/domain';

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

  @IsIn(['schedule', 'cli', 'catch_up', 'test'])
  requestedBy: 'schedule' | 'cli' | 'catch_up' | 'test';
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

  @IsIn(['initial', 'validated', 'rollback'])
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
