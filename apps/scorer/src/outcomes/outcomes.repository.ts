import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { claimLabels, fillOutcomesKnownBefore, fillResolvedClaimOutcomes } from '@app/database';
import type { ClaimLabelsView, FilledOutcomes } from '@app/database';

/** The end (exclusive) of a logical date: the next midnight UTC, as the drift monitor's windows end. */
export function endOfLogicalDate(logicalDate: string): Date {
  return new Date(Date.parse(`${logicalDate}T00:00:00Z`) + 86_400_000);
}

/** The claims' labels the scorer reads, and the outcomes it fills on its predictions (ml_predictions). */
@Injectable()
export class OutcomesRepository {
  claim(em: EntityManager, tenantId: string, claimId: string): Promise<ClaimLabelsView | null> {
    return claimLabels(em, tenantId, claimId);
  }

  /** Every version's prediction of a resolved claim whose label its resolution made known. */
  fillResolved(em: EntityManager, tenantId: string, claimId: string): Promise<FilledOutcomes> {
    return fillResolvedClaimOutcomes(em, { tenantId, claimId });
  }

  /** Every prediction of the tenant whose label was known by the end of the logical date and is still open. */
  fillDue(em: EntityManager, tenantId: string, logicalDate: string): Promise<FilledOutcomes> {
    return fillOutcomesKnownBefore(em, { tenantId, before: endOfLogicalDate(logicalDate) });
  }
}
