import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftDecision, EpisodeCondition, EpisodeStatus, ModelType } from '@app/domain';
import { DriftCheck, DriftEpisode } from '../entities/pipeline.entities';

/**
 * Read models over the drift monitor's checks (drift_checks) and episodes (drift_episodes): what the CLI
 * shows of the last check, and what a simulation reports of a model's life.
 */
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
  /** Estimated accuracy from the calibrated probabilities (issue 17), with its interval and n. */
  estimated: { value: number; low: number | null; high: number | null; n: number } | null;
  /** Which accuracy decided: realized (enough labels) or estimated; null when neither could. */
  accuracySource: 'realized' | 'estimated' | null;
  /** PSI per key feature (null when its window had too few claims to judge). */
  features: { feature: string; psi: number | null; band: string | null }[];
  reasons: string[];
  /** Days of the window the inputs were judged on (null for checks stored before it was recorded). */
  psiWindowDays: number | null;
  /** The active version's predictions made in the accuracy window, and how many have labels (null: older checks). */
  labels: {
    predictions: number;
    labelled: number;
    coverage: number | null;
    oldestUnlabelledAt: Date | null;
  } | null;
  /** On a breach: labels after the champion's training cut-off, and how many a retrain needs. */
  newLabels: { have: number; needed: number } | null;
  episodeId: string | null;
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
    estimated:
      c.estimatedAccuracy === null
        ? null
        : { value: c.estimatedAccuracy, low: c.estimatedLow, high: c.estimatedHigh, n: c.estimatedCount },
    accuracySource: c.accuracySource,
    features: (c.features ?? []).map((f) => ({
      feature: String(f.feature),
      psi: typeof f.psi === 'number' ? f.psi : null,
      band: typeof f.band === 'string' ? f.band : null,
    })),
    reasons: c.reasons,
    psiWindowDays: c.psiWindowDays,
    labels:
      c.windowPredictions === null
        ? null
        : {
            predictions: c.windowPredictions,
            labelled: c.windowLabelled ?? 0,
            coverage: c.labelCoverage,
            oldestUnlabelledAt: c.oldestUnlabelledAt,
          },
    newLabels:
      c.newLabels === null || c.newLabelsNeeded === null
        ? null
        : { have: c.newLabels, needed: c.newLabelsNeeded },
    episodeId: c.episodeId,
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

/** Every check of one tenant's model (from logical date `since` on, when given), oldest first, as stored. */
export async function driftChecks(
  em: EntityManager,
  tenantId: string,
  modelType?: ModelType,
  since?: string,
): Promise<DriftCheckView[]> {
  const where = {
    tenantId,
    ...(modelType === undefined ? {} : { modelType }),
    ...(since === undefined ? {} : { logicalDate: { $gte: since } }),
  };
  const rows = await em.find(DriftCheck, where, {
    orderBy: { createdAt: 'asc', modelType: 'asc' },
    disableIdentityMap: true,
  });
  return rows.map(toView);
}

/** One continuous stretch of drift or low accuracy of a tenant's model (drift_episodes). */
export interface DriftEpisodeView {
  id: string;
  tenantId: string;
  modelType: ModelType;
  condition: EpisodeCondition;
  status: EpisodeStatus;
  /** Logical dates: the first breached day, the last one, and the first day without a breach (null while open). */
  startedOn: string;
  lastSeenOn: string;
  endedOn: string | null;
  days: number;
  retrains: number;
  /** The active version when it opened. */
  version: number | null;
}

/** A tenant's episodes (of one model, or all), oldest first. */
export async function driftEpisodes(
  em: EntityManager,
  tenantId: string,
  modelType?: ModelType,
): Promise<DriftEpisodeView[]> {
  const rows = await em.find(DriftEpisode, modelType === undefined ? { tenantId } : { tenantId, modelType }, {
    orderBy: { startedOn: 'asc', modelType: 'asc', createdAt: 'asc' },
    disableIdentityMap: true,
  });
  return rows.map((e) => ({
    id: e.id,
    tenantId: e.tenantId,
    modelType: e.modelType,
    condition: e.condition,
    status: e.status,
    startedOn: e.startedOn,
    lastSeenOn: e.lastSeenOn,
    endedOn: e.endedOn,
    days: e.days,
    retrains: e.retrains,
    version: e.modelVersion,
  }));
}
