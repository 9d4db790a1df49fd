import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClaimLabels } from '@app/domain';
import { Claim } from '../entities/platform.entities';

/**
 * Read model over the claims application's `claims` (the seeder stands in for its owner): what a claim's
 * row says about its labels, for the scorer to check a resolution it is told about.
 */
export interface ClaimLabelsView extends ClaimLabels {
  id: string;
  tenantId: string;
}

/** One claim of a tenant, or null when the tenant has no such claim. */
export async function claimLabels(
  em: EntityManager,
  tenantId: string,
  claimId: string,
): Promise<ClaimLabelsView | null> {
  const c = await em.findOne(
    Claim,
    { id: claimId, tenantId },
    {
      fields: ['filedAt', 'resolvedAt', 'outcome', 'resolutionDays', 'assignedTeam', 'memberChurned'],
      disableIdentityMap: true,
    },
  );
  if (!c) return null;
  return {
    id: c.id,
    tenantId,
    filedAt: c.filedAt,
    resolvedAt: c.resolvedAt,
    outcome: c.outcome,
    resolutionDays: c.resolutionDays,
    assignedTeam: c.assignedTeam,
    memberChurned: c.memberChurned,
  };
}
