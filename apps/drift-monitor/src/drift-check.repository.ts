import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { currentHistograms } from '@app/database';
import type { FeatureHistogramRow } from '@app/database';
import type { ModelType } from '@app/domain';
import type { FeatureResult } from './decision';
import type { Decision } from './decision';

/** The end (exclusive) of a logical date's windows: the next midnight UTC. */
export function windowEnd(logicalDate: string): Date {
  return new Date(Date.parse(`${logicalDate}T00:00:00Z`) + 86_400_000);
}

export interface CheckContext {
  version: number | null;
  runningRunId: string | null;
  correct: number;
  labelled: number;
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
  ): Promise<FeatureHistogramRow[]> {
    const to = windowEnd(logicalDate);
    return currentHistograms((sql, params) => em.execute(sql, params), {
      tenantId,
      modelType,
      from: new Date(to.getTime() - days * 86_400_000),
      to,
    });
  }

  /**
   * In one round trip: the active version, a training run in progress (read from the trainer's table; the
   * trainer owns it), and the correct and labelled predictions whose outcome became known in the window.
   */
  async context(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    logicalDate: string,
    accuracyDays: number,
  ): Promise<CheckContext> {
    const to = windowEnd(logicalDate);
    const [row] = await em.execute<CheckContext[]>(
      `select (select model_version from model_metadata where tenant_id = ? and model_type = ? and is_active) as "version",
              (select id from ml_model_training_runs where tenant_id = ? and model_type = ? and status in ('queued', 'running') limit 1) as "runningRunId",
              count(*) filter (where is_correct)::int as "correct", count(*)::int as "labelled"
         from ml_predictions
        where tenant_id = ? and model_type = ? and is_correct is not null and outcome_known_at >= ? and outcome_known_at < ?`,
      [
        tenantId,
        modelType,
        tenantId,
        modelType,
        tenantId,
        modelType,
        new Date(to.getTime() - accuracyDays * 86_400_000).toISOString(),
        to.toISOString(),
      ],
    );
    return row!;
  }

  /**
   * Stores the check. A check with an idempotency key that was already used (same tenant, model, active
   * version and logical date) is not stored again: returns false, and the caller reports it suppressed.
   */
  async record(
    em: EntityManager,
    c: {
      id: string;
      tenantId: string;
      modelType: ModelType;
      version: number | null;
      logicalDate: string;
      decision: Decision;
      features: FeatureResult[];
      idempotencyKey: string | null;
      eventId: string;
      correlationId: string;
    },
  ): Promise<boolean> {
    const a = c.decision.accuracy;
    const top = [...c.features]
      .filter((f) => f.psi !== undefined)
      .sort((x, y) => (y.psi ?? 0) - (x.psi ?? 0))[0];
    const rows = await em.execute<{ id: string }[]>(
      `insert into drift_checks (id, tenant_id, model_type, model_version, logical_date, decision, features, max_psi, max_psi_feature,
                                 accuracy, accuracy_low, accuracy_high, labelled_count, reasons, idempotency_key, event_id, correlation_id)
       values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
       on conflict (idempotency_key) do nothing returning id`,
      [
        c.id,
        c.tenantId,
        c.modelType,
        c.version,
        c.logicalDate,
        c.decision.decision,
        JSON.stringify(c.features),
        top?.psi ?? null,
        top?.feature ?? null,
        a?.value ?? null,
        a?.low ?? null,
        a?.high ?? null,
        a?.labelled ?? 0,
        JSON.stringify(c.decision.reasons),
        c.idempotencyKey,
        c.eventId,
        c.correlationId,
      ],
    );
    return rows.length > 0;
  }
}
