import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType, TrainingRunStatus } from '@app/domain';
import { MlModelTrainingRun } from '../entities/ml.entities';
import { ModelArtifact } from '../entities/pipeline.entities';
import type { FeatureBaselineDraft } from '../entities/pipeline.entities';

/**
 * Read models over the trainer's tables (ml_model_training_runs, model_artifacts): what the validator (and
 * the CLI) may know about a training run and its candidate. The trainer writes these tables; nobody else.
 */

/** How a run split its examples: by time, at `cutoff` (train before, hold-out from it). */
export interface TrainingSplitView {
  method: string;
  validationSplit: number | null;
  /** The cut-off between the training examples and the hold-out. */
  cutoff: Date | null;
  train: number | null;
  holdout: number | null;
}

export interface TrainingRunView {
  id: string;
  tenantId: string;
  modelType: ModelType;
  status: TrainingRunStatus;
  trigger: string;
  correlationId: string;
  /** The version the run's candidate was stored as; null until it has one. */
  candidateVersion: number | null;
  holdoutAccuracy: number | null;
  trainingSamples: number | null;
  validationSamples: number | null;
  split: TrainingSplitView | null;
  /** The run's logical time: its examples (and so its hold-out) are the labels known at this instant. */
  asOf: Date;
  metrics: Record<string, unknown> | null;
  backend: string;
  externalJobId: string | null;
  error: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface CandidateArtifactView {
  id: string;
  tenantId: string;
  modelType: ModelType;
  version: number;
  /** e.g. `xgboost-json/1.7`. */
  format: string;
  /** SHA-256 of `content`, hex: check it before loading the model. */
  checksum: string;
  content: Buffer;
  /** The candidate's feature baselines (empty for artifacts stored before baselines travelled with them). */
  featureBaselines: FeatureBaselineDraft[];
  createdAt: Date;
}

function splitOf(raw: Record<string, unknown> | null): TrainingSplitView | null {
  if (!raw) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    method: typeof raw.method === 'string' ? raw.method : 'time',
    validationSplit: num(raw.validationSplit),
    cutoff: typeof raw.cutoff === 'string' ? new Date(raw.cutoff) : null,
    train: num(raw.train),
    holdout: num(raw.holdout),
  };
}

function toRunView(r: MlModelTrainingRun): TrainingRunView {
  return {
    id: r.id,
    tenantId: r.tenantId,
    modelType: r.modelType,
    status: r.status,
    trigger: r.trigger,
    correlationId: r.correlationId,
    candidateVersion: r.candidateVersion,
    holdoutAccuracy: r.validationAccuracy,
    trainingSamples: r.trainingSamples,
    validationSamples: r.validationSamples,
    split: splitOf(r.split),
    asOf: r.asOf,
    metrics: r.metrics,
    backend: r.backend,
    externalJobId: r.externalJobId,
    error: r.error,
    startedAt: r.trainingStartedAt,
    completedAt: r.trainingCompletedAt,
  };
}

function toArtifactView(a: ModelArtifact): CandidateArtifactView {
  return {
    id: a.id,
    tenantId: a.tenantId,
    modelType: a.modelType,
    version: a.modelVersion,
    format: a.format,
    checksum: a.checksum,
    content: a.content,
    featureBaselines: a.featureBaselines ?? [],
    createdAt: a.createdAt,
  };
}

/** One training run by id (its split and cut-off, its candidate version and figures), or null. */
export async function trainingRun(em: EntityManager, id: string): Promise<TrainingRunView | null> {
  const r = await em.findOne(MlModelTrainingRun, { id }, { disableIdentityMap: true });
  return r ? toRunView(r) : null;
}

/** The runs of one tenant's model, newest first (`limit` of them). */
export async function trainingRuns(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  limit = 20,
): Promise<TrainingRunView[]> {
  const rows = await em.find(
    MlModelTrainingRun,
    { tenantId, modelType },
    { orderBy: { createdAt: 'desc' }, limit, disableIdentityMap: true },
  );
  return rows.map(toRunView);
}

/** A stored candidate by artifact id: its model bytes, format, checksum and feature baselines, or null. */
export async function candidateArtifact(
  em: EntityManager,
  id: string,
): Promise<CandidateArtifactView | null> {
  const a = await em.findOne(ModelArtifact, { id }, { disableIdentityMap: true });
  return a ? toArtifactView(a) : null;
}

/** The artifact of one version of a tenant's model (a candidate, or a deployed version), or null. */
export async function artifactOfVersion(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  version: number,
): Promise<CandidateArtifactView | null> {
  const a = await em.findOne(
    ModelArtifact,
    { tenantId, modelType, modelVersion: version },
    { disableIdentityMap: true },
  );
  return a ? toArtifactView(a) : null;
}

/**
 * Only the feature baselines stored with an artifact (without loading the model itself): what the
 * validator writes into model_feature_baselines when it deploys the version. Null when the artifact
 * carries none, or does not exist.
 */
export async function artifactBaselines(
  em: EntityManager,
  id: string,
): Promise<FeatureBaselineDraft[] | null> {
  const a = await em.findOne(
    ModelArtifact,
    { id },
    { fields: ['featureBaselines'], disableIdentityMap: true },
  );
  return a?.featureBaselines ?? null;
}
