import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftDecision, ModelType } from '@app/domain';
import { DriftCheck } from '../entities/pipeline.entities';

/** Read models over the drift monitor's checks (drift_checks): what the CLI shows of the last one. */
export interface DriftCheckView {
  id: string;
  tenantId: string;
  modelType: ModelType;
  /** Version checked; null when the tenant had no active model. */
  version: number | null;
  logicalDate: string;
  decision: DriftDecision;
  maxPsi: number | null;
  maxPsiFeature: string | null;
  accuracy: { value: number; low: number | null; high: number | null; labelled: number } | null;
  reasons: string[];
  correlationId: string;
  checkedAt: Date;
}

function toView(c: DriftCheck): DriftCheckView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    modelType: c.modelType,
    version: c.modelVersion,
    logicalDate: c.logicalDate,
    decision: c.decision,
    maxPsi: c.maxPsi,
    maxPsiFeature: c.maxPsiFeature,
    accuracy:
      c.accuracy === null
        ? null
        : { value: c.accuracy, low: c.accuracyLow, high: c.accuracyHigh, labelled: c.labelledCount },
    reasons: c.reasons,
    correlationId: c.correlationId,
    checkedAt: c.createdAt,
  };
}

/** The most recent check of one tenant's model, or null when it was never checked. */
export async function latestDriftCheck(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
): Promise<DriftCheckView | null> {
  const c = await em.findOne(
    DriftCheck,
    { tenantId, modelType },
    { orderBy: { createdAt: 'desc', id: 'desc' }, disableIdentityMap: true },
  );
  return c ? toView(c) : null;
}

/** Every check of one tenant's model, oldest first (a check's history, as stored). */
export async function driftChecks(
  em: EntityManager,
  tenantId: string,
  modelType?: ModelType,
): Promise<DriftCheckView[]> {
  const rows = await em.find(DriftCheck, modelType === undefined ? { tenantId } : { tenantId, modelType }, {
    orderBy: { createdAt: 'asc', modelType: 'asc' },
    disableIdentityMap: true,
  });
  return rows.map(toView);
}
