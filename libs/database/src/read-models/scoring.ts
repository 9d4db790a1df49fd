import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import type { ClaimFeatureValues } from '../training-data';
import { CLAIM_FEATURES_SQL, toClaimFeaturesView } from './claims';
import type { ClaimFeaturesView } from './claims';
import type { ModelVersionView } from './registry';

/** What scoring a batch of one tenant's claims starts from. */
export interface ScoringInputs {
  /** The versions in production of the tenant's models (model_metadata, the validator's). */
  actives: ModelVersionView[];
  /** The claims found, with their features (claims, the claims application's); unknown ids are absent. */
  claims: ClaimFeaturesView[];
}

interface ActiveRow {
  model_type: ModelType;
  model_version: number;
  baseline_accuracy: number;
  deployed_at: string | null;
  training_run_id: string | null;
  artifact_id: string | null;
  training_cutoff: string | null;
  training_samples: number | null;
}

/**
 * The scorer's read for every batch, over two owners' tables in one statement (one round trip, which at
 * a claim a time is most of a claim's cost): the active versions, read in the batch's transaction so that
 * they are the versions that score it, and the claims' features with the training data's select
 * (CLAIM_FEATURES_SQL). SQL on purpose.
 */
export async function scoringInputs(
  em: EntityManager,
  tenantId: string,
  claimIds: readonly string[],
): Promise<ScoringInputs> {
  const [row] = await em.execute<
    { actives: ActiveRow[]; claims: (ClaimFeatureValues & { id: string; filed_at: string })[] }[]
  >(
    `select (select coalesce(json_agg(m order by m.model_type), '[]')
               from (select model_type, model_version, baseline_accuracy, deployed_at, training_run_id, artifact_id,
                    training_cutoff, training_samples
                       from model_metadata where tenant_id = ? and is_active) m) as actives,
            (select coalesce(json_agg(c), '[]') from (${CLAIM_FEATURES_SQL}) c) as claims`,
    [tenantId, tenantId, claimIds.join(',')],
  );
  return {
    actives: (row?.actives ?? []).map((a) => ({
      tenantId,
      modelType: a.model_type,
      version: Number(a.model_version),
      active: true,
      accuracy: Number(a.baseline_accuracy),
      deployedAt: a.deployed_at ? new Date(a.deployed_at) : null,
      trainingRunId: a.training_run_id,
      artifactId: a.artifact_id,
      trainingCutoff: a.training_cutoff ? new Date(a.training_cutoff) : null,
      trainingSamples: a.training_samples === null ? null : Number(a.training_samples),
    })),
    claims: (row?.claims ?? []).map(toClaimFeaturesView),
  };
}
