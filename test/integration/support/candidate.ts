import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { labelledClaims } from '@app/database';
import type { FeatureBaselineDraft } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { candidateBaselines, evaluateXgbModel, splitByTime, trainXgbModel, XGB_FORMAT } from '@app/ml';

/** A candidate model trained here as the trainer trains one: what a test stores as any number of versions. */
export interface TrainedCandidate {
  content: Buffer;
  accuracy: number;
  /** The hold-out's first filing time (the run's split cut-off). */
  cutoff: Date;
  /** The newest labelled example's filing time (the version's training cut-off). */
  newest: Date;
  asOf: Date;
  train: number;
  holdout: number;
  baselines: FeatureBaselineDraft[];
}

/** Trains `modelType` on the tenant's labels known now (time split, XGBoost, drift baselines). */
export async function trainCandidate(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  rounds = 100,
): Promise<TrainedCandidate> {
  const cfg = MODEL_CONFIGS[modelType];
  const asOf = new Date();
  const examples = await labelledClaims(em, tenantId, modelType, cfg.trainingWindowMonths, asOf);
  const split = splitByTime(
    examples.map((e) => ({ ...e, label: String(e.target) })),
    cfg.validationSplit,
  );
  const booster = await trainXgbModel(modelType, cfg.features, split.train, { rounds, threads: 2 });
  try {
    return {
      content: booster.save(),
      accuracy: evaluateXgbModel(modelType, booster, cfg.features, split.holdout).accuracy,
      cutoff: split.cutoff,
      newest: split.holdout.at(-1)!.at,
      asOf,
      train: split.train.length,
      holdout: split.holdout.length,
      baselines: candidateBaselines(cfg.features, split.train),
    };
  } finally {
    booster.dispose();
  }
}

/** What a test can run statements with (the harness, or a pg client). */
interface Queryable {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * What the trainer leaves for a candidate: its run (completed, with the hold-out cut-off) and its artifact
 * (the model and its drift baselines, `null` for none). Returns the model.trained the trainer would publish.
 */
export async function storeCandidate(
  db: Queryable,
  c: {
    tenantId: string;
    modelType: ModelType;
    version: number;
    correlationId: string;
    model: TrainedCandidate;
    baselines?: FeatureBaselineDraft[] | null;
    split?: { asOf: Date; cutoff: Date };
  },
): Promise<Envelope<'model.trained'>> {
  const split = c.split ?? c.model;
  const baselines = c.baselines === undefined ? c.model.baselines : c.baselines;
  const runId = randomUUID();
  await db.query(
    `insert into ml_model_training_runs (id, tenant_id, model_type, status, trigger, correlation_id, candidate_version, split, as_of)
     values ($1, $2, $3, 'completed', 'manual', $4, $5, $6, $7)`,
    [
      runId,
      c.tenantId,
      c.modelType,
      c.correlationId,
      c.version,
      JSON.stringify({ cutoff: split.cutoff.toISOString(), asOf: split.asOf.toISOString() }),
      split.asOf,
    ],
  );
  const [artifact] = await db.query<{ id: string }>(
    `insert into model_artifacts (tenant_id, model_type, model_version, format, checksum, content, feature_baselines)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [
      c.tenantId,
      c.modelType,
      c.version,
      XGB_FORMAT,
      createHash('sha256').update(c.model.content).digest('hex'),
      c.model.content,
      baselines === null ? null : JSON.stringify(baselines),
    ],
  );
  return createEnvelope(
    'model.trained',
    {
      runId,
      modelType: c.modelType,
      candidateVersion: c.version,
      holdoutAccuracy: c.model.accuracy,
      trainingSamples: c.model.train,
      validationSamples: c.model.holdout,
      artifactId: artifact!.id,
      algorithm: 'xgboost',
      trainingCutoff: c.model.newest.toISOString(),
    },
    { tenantId: c.tenantId, correlationId: c.correlationId },
  );
}
