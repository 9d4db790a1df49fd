import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import type { Decision } from './decision';

@Injectable()
export class DriftCheckRepository {
  async activeVersion(em: EntityManager, tenantId: string, modelType: ModelType): Promise<number | null> {
    const rows = await em.execute<{ v: number }[]>(
      `select model_version as v from model_metadata where tenant_id = ? and model_type = ? and is_active`,
      [tenantId, modelType],
    );
    return rows[0]?.v ?? null;
  }

  /** Correct and labelled predictions whose outcome became known in the window before `asOf`. */
  async accuracyWindow(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    asOf: string,
    days: number,
  ): Promise<{ correct: number; labelled: number }> {
    const [row] = await em.execute<{ correct: number; labelled: number }[]>(
      `select count(*) filter (where is_correct)::int as correct, count(*)::int as labelled
         from ml_predictions
        where tenant_id = ? and model_type = ? and is_correct is not null
          and outcome_known_at >= (?::date + 1) - make_interval(days => ?) and outcome_known_at < ?::date + 1`,
      [tenantId, modelType, asOf, days, asOf],
    );
    return { correct: row!.correct, labelled: row!.labelled };
  }

  async record(
    em: EntityManager,
    c: {
      id: string;
      tenantId: string;
      modelType: ModelType;
      version: number | null;
      logicalDate: string;
      decision: Decision;
      eventId: string;
      correlationId: string;
    },
  ): Promise<void> {
    const a = c.decision.accuracy;
    await em.execute(
      `insert into drift_checks (id, tenant_id, model_type, model_version, logical_date, decision, features, accuracy, accuracy_low, accuracy_high, labelled_count, reasons, event_id, correlation_id)
       values (?, ?, ?, ?, ?, ?, '[]'::jsonb, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
      [
        c.id,
        c.tenantId,
        c.modelType,
        c.version,
        c.logicalDate,
        c.decision.decision,
        a?.value ?? null,
        a?.low ?? null,
        a?.high ?? null,
        a?.labelled ?? 0,
        JSON.stringify(c.decision.reasons),
        c.eventId,
        c.correlationId,
      ],
    );
  }
}
