import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import { FEATURE_SELECT_LIST } from '../claim-sql';
import { featureValuesOf } from '../training-data';
import type { ClaimFeatureValues } from '../training-data';

/**
 * Read models over the claims application's claims (the seeder stands in for it) and the predictions made
 * for them (ml_predictions, the scorer's): what the scorer reads of a filed claim, how the validator scores
 * a champion without an artifact, and how the drift monitor measures recent accuracy.
 */

/**
 * Whether each of these claims was predicted right by one version in production: claim id -> correct.
 * Claims without a known outcome, or not predicted by that version, are absent.
 */
export async function predictionOutcomes(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; version: number; claimIds: readonly string[] },
): Promise<Map<string, boolean>> {
  if (q.claimIds.length === 0) return new Map();
  // SQL on purpose: a hold-out is hundreds of claims, and as one array parameter the ids cost neither a
  // placeholder each nor an entity each (through em.find this was most of the validator's CPU per candidate).
  const rows = await em.execute<{ claim_id: string; is_correct: boolean }[]>(
    `select claim_id, is_correct from ml_predictions
      where tenant_id = ? and model_type = ? and model_version = ? and is_correct is not null
        and claim_id = any(string_to_array(?, ',')::uuid[])`,
    [q.tenantId, q.modelType, q.version, q.claimIds.join(',')],
  );
  return new Map(rows.map((r) => [r.claim_id, r.is_correct]));
}

/** Correct and labelled predictions of a model (any version) whose outcome became known in a window. */
export interface AccuracyWindow {
  correct: number;
  labelled: number;
}

/** What a drift check starts from: the version in production and its recent accuracy window. */
export interface DriftCheckInputs extends AccuracyWindow {
  /** The active version in the validator's registry, or null when the tenant has none. */
  version: number | null;
}

/**
 * `activeModel` and `accuracyWindow` in one statement: the drift monitor asks this for every (tenant,
 * model) every day, and on a fleet one round trip less per check is measurable (docs/benchmarks.md).
 * SQL on purpose; `from` inclusive, `to` exclusive.
 */
export async function driftCheckInputs(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; from: Date; to: Date },
): Promise<DriftCheckInputs> {
  const [row] = await em.execute<{ version: number | null; correct: number; labelled: number }[]>(
    `select (select model_version from model_metadata where tenant_id = ? and model_type = ? and is_active) as version,
            count(*) filter (where is_correct)::int as correct, count(*)::int as labelled
       from ml_predictions
      where tenant_id = ? and model_type = ? and is_correct is not null and outcome_known_at >= ? and outcome_known_at < ?`,
    [q.tenantId, q.modelType, q.tenantId, q.modelType, q.from.toISOString(), q.to.toISOString()],
  );
  return {
    version: row?.version ?? null,
    correct: Number(row?.correct ?? 0),
    labelled: Number(row?.labelled ?? 0),
  };
}

/** A filed claim's model inputs, read from its row for scoring. */
export interface ClaimFeaturesView extends ClaimFeatureValues {
  id: string;
  /** When the claim was filed: the time its predictions are made at. */
  filedAt: Date;
}

/**
 * The select of claims' model inputs by id for one tenant (two placeholders: tenant, ids joined by
 * commas), with the select list that builds training data (claim-sql.ts FEATURE_SELECT_LIST): one
 * definition of a feature, so no training/serving skew.
 */
export const CLAIM_FEATURES_SQL = `select id, ${FEATURE_SELECT_LIST}, filed_at from claims
  where tenant_id = ? and id = any(string_to_array(?, ',')::uuid[])`;

/** A row of CLAIM_FEATURES_SQL (from the driver, or through json_agg) as the models see it. */
export function toClaimFeaturesView(
  row: ClaimFeatureValues & { id: string; filed_at: Date | string },
): ClaimFeaturesView {
  const { filed_at, ...r } = row;
  return { ...featureValuesOf(r), filedAt: new Date(filed_at) };
}

/**
 * The features of these claims of one tenant, read as training data reads them (featureValuesOf).
 * Claims that do not exist (for this tenant) are absent. SQL on purpose: a batch of claim ids as one
 * array parameter, one round trip.
 */
export async function claimFeatures(
  em: EntityManager,
  tenantId: string,
  claimIds: readonly string[],
): Promise<ClaimFeaturesView[]> {
  if (claimIds.length === 0) return [];
  const rows = await em.execute<(ClaimFeatureValues & { id: string; filed_at: Date | string })[]>(
    CLAIM_FEATURES_SQL,
    [tenantId, claimIds.join(',')],
  );
  return rows.map(toClaimFeaturesView);
}
