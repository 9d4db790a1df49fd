import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClaimFeatureValues } from '../training-data';
import { CLAIM_FEATURES_SQL, toClaimFeaturesView } from './claims';
import type { ClaimFeaturesView } from './claims';
import { ACTIVE_VERSION_COLUMNS, activeVersionView } from './registry';
import type { ActiveVersionRow, ModelVersionView } from './registry';

/** What scoring a batch of one tenant's claims starts from. */
export interface ScoringInputs {
  /** The versions in production of the tenant's models (model_metadata, the validator's). */
  actives: ModelVersionView[];
  /**
   * The versions on trial as shadow challengers (model_challengers, the validator's; issue 19): they score
   * the same claims, for their trial only.
   */
  challengers: ModelVersionView[];
  /** The claims found, with their features (claims, the claims application's); unknown ids are absent. */
  claims: ClaimFeaturesView[];
}

/**
 * The scorer's read for every batch, over two owners' tables in one statement (one round trip, which at
 * a claim a time is most of a claim's cost): the active versions and the challengers on trial, read in the batch's transaction so that
 * they are the versions that score it, and the claims' features with the training data's select
 * (CLAIM_FEATURES_SQL). SQL on purpose.
 */
export async function scoringInputs(
  em: EntityManager,
  tenantId: string,
  claimIds: readonly string[],
): Promise<ScoringInputs> {
  const [row] = await em.execute<
    {
      actives: ActiveVersionRow[];
      challengers: ActiveVersionRow[];
      claims: (ClaimFeatureValues & { id: string; filed_at: string })[];
    }[]
  >(
    `select (select coalesce(json_agg(m order by m.model_type), '[]')
               from (select ${ACTIVE_VERSION_COLUMNS} from model_metadata where tenant_id = ? and is_active) m) as actives,
            (select coalesce(json_agg(m order by m.model_type), '[]')
               from (select ${ACTIVE_VERSION_COLUMNS} from model_metadata v
                      where v.tenant_id = ? and not v.is_active
                        and exists (select 1 from model_challengers c
                                     where c.tenant_id = v.tenant_id and c.model_type = v.model_type
                                       and c.challenger_version = v.model_version and c.state = 'running')) m) as challengers,
            (select coalesce(json_agg(c), '[]') from (${CLAIM_FEATURES_SQL}) c) as claims`,
    [tenantId, tenantId, tenantId, claimIds.join(',')],
  );
  return {
    actives: (row?.actives ?? []).map((a) => activeVersionView(tenantId, a)),
    challengers: (row?.challengers ?? []).map((a) => ({ ...activeVersionView(tenantId, a), active: false })),
    claims: (row?.claims ?? []).map(toClaimFeaturesView),
  };
}
