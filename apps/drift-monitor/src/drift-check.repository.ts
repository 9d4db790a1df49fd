import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DriftCheck, driftCheckInputs, windowHistograms } from '@app/database';
import type { DriftCheckInputs, FeatureBinCount } from '@app/database';
import type { ModelType } from '@app/domain';
import type { Decision, FeatureResult } from './decision';

/** The end (exclusive) of a logical date's windows: the next midnight UTC. */
export function windowEnd(logicalDate: string): Date {
  return new Date(Date.parse(`${logicalDate}T00:00:00Z`) + 86_400_000);
}

const DAY_MS = 86_400_000;

/** The version in production (null when the tenant has none) and its recent accuracy window. */
export type CheckContext = DriftCheckInputs;

/** A check as the drift monitor decided it, to be stored in drift_checks. */
export interface NewDriftCheck {
  id: string;
  tenantId: string;
  modelType: ModelType;
  version: number | null;
  logicalDate: string;
  decision: Decision;
  features: FeatureResult[];
  /** (tenant, model, version, date) for scheduled checks; null: always stored. */
  idempotencyKey: string | null;
  eventId: string;
  correlationId: string;
}

@Injectable()
export class DriftCheckRepository {
  /** Current-window counts of every key feature in the bins of the active baselines (computed in SQL). */
  async histograms(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    logicalDate: string,
    days: number,
  ): Promise<FeatureBinCount[]> {
    const to = windowEnd(logicalDate);
    return windowHistograms(em, { tenantId, modelType, from: new Date(to.getTime() - days * DAY_MS), to });
  }

  /**
   * In one round trip: the active version (the validator's registry) and the correct and labelled
   * predictions whose outcome became known in the accuracy window.
   */
  async context(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    logicalDate: string,
    accuracyDays: number,
  ): Promise<CheckContext> {
    const to = windowEnd(logicalDate);
    return driftCheckInputs(em, {
      tenantId,
      modelType,
      from: new Date(to.getTime() - accuracyDays * DAY_MS),
      to,
    });
  }

  /**
   * Stores the check. A check with an idempotency key that was already used (same tenant, model, active
   * version and logical date) is not stored again: returns false, and the caller reports it suppressed.
   */
  async record(em: EntityManager, c: NewDriftCheck): Promise<boolean> {
    const a = c.decision.accuracy;
    const top = [...c.features]
      .filter((f) => f.psi !== undefined)
      .sort((x, y) => (y.psi ?? 0) - (x.psi ?? 0))[0];
    const row: Omit<DriftCheck, 'createdAt'> = {
      id: c.id,
      tenantId: c.tenantId,
      modelType: c.modelType,
      modelVersion: c.version,
      logicalDate: c.logicalDate,
      decision: c.decision.decision,
      features: c.features.map((f) => ({ ...f })),
      maxPsi: top?.psi ?? null,
      maxPsiFeature: top?.feature ?? null,
      accuracy: a?.value ?? null,
      accuracyLow: a?.low ?? null,
      accuracyHigh: a?.high ?? null,
      labelledCount: a?.labelled ?? 0,
      reasons: c.decision.reasons,
      idempotencyKey: c.idempotencyKey,
      eventId: c.eventId,
      correlationId: c.correlationId,
    };
    // ON CONFLICT DO NOTHING rather than a failed insert: a unique violation would abort the handler's
    // transaction, and two scheduled triggers of one key may arrive at once.
    const inserted = await em
      .createQueryBuilder(DriftCheck)
      .insert(row)
      .onConflict('idempotencyKey')
      .ignore()
      .returning('id')
      .execute<{ id: string }[]>('all');
    return inserted.length > 0;
  }
}
