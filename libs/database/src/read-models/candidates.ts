import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import { MlModelTrainingRun } from '../entities/ml.entities';
import { ModelArtifact } from '../entities/pipeline.entities';
import type { FeatureBaselineDraft } from '../entities/pipeline.entities';

/**
 * What the validator reads of the trainer's tables (ml_model_training_runs, model_artifacts) to judge and
 * deploy a candidate. The trainer writes them; the validator only reads.
 */

/** How the trainer split the run's examples by time: the hold-out is every labelled claim from `cutoff`. */
export interface HoldoutSplit {
  runId: string;
  cutoff: Date;
}

/** The hold-out cut-off the trainer recorded on a run, or null when the run has none (or does not exist). */
export async function candidateSplit(em: EntityManager, runId: string): Promise<HoldoutSplit | null> {
  const run = await em.findOne(
    MlModelTrainingRun,
    { id: runId },
    { fields: ['split'], disableIdentityMap: true },
  );
  const cutoff = run?.split?.cutoff;
  return typeof cutoff === 'string' ? { runId, cutoff: new Date(cutoff) } : null;
}

/** A stored model of one version, its checksum, and the drift baselines the trainer computed with it. */
export interface StoredArtifact {
  id: string;
  tenantId: string;
  modelType: ModelType;
  version: number;
  format: string;
  checksum: string;
  content: Buffer;
  /** null for an artifact stored without them (a seeded or older version). */
  featureBaselines: FeatureBaselineDraft[] | null;
}

export async function storedArtifact(em: EntityManager, id: string): Promise<StoredArtifact | null> {
  const a = await em.findOne(ModelArtifact, { id }, { disableIdentityMap: true });
  return a
    ? {
        id: a.id,
        tenantId: a.tenantId,
        modelType: a.modelType,
        version: a.modelVersion,
        format: a.format,
        checksum: a.checksum,
        content: a.content,
        featureBaselines: a.featureBaselines,
      }
    : null;
}

/**
 * The drift baselines stored with an artifact (without loading the model itself): null when the artifact
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
