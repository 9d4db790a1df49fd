import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType, PredictionRole } from '@app/domain';
import type { NewPrediction } from './scoring';

/** A prediction as stored (what claim.scored carries). */
export interface StoredPrediction {
  claimId: string;
  modelType: ModelType;
  version: number;
  role: PredictionRole;
  predictedValue: string;
  confidence: number;
}

/** The scorer's writes to ml_predictions (it owns the table: libs/database/src/ownership.ts). */
@Injectable()
export class PredictionsRepository {
  /**
   * Stores a batch's predictions in one statement and returns those actually stored. A (claim, model, role)
   * that already has a prediction of ANY version is skipped, so a claim.filed delivered again after a deployment
   * never gives one claim two versions' answers; the unique (claim, model, version) constraint makes a
   * concurrent duplicate harmless too. `predicted_at` is the claim's `filed_at`, not the wall clock: the
   * prediction is made at filing, and a replayed or simulated history (claims filed on past days) must put
   * each prediction on its claim's day, where the monitoring windows look for it. SQL on purpose: a batch
   * of hundreds of rows as one JSON parameter (one round trip), with a condition MikroORM's insert cannot
   * say.
   */
  async insertNew(
    em: EntityManager,
    tenantId: string,
    rows: readonly NewPrediction[],
  ): Promise<StoredPrediction[]> {
    if (rows.length === 0) return [];
    const json = JSON.stringify(
      rows.map((r) => ({
        claim_id: r.claimId,
        model_type: r.modelType,
        model_version: r.version,
        role: r.role,
        predicted_value: r.predictedValue,
        confidence: r.confidence,
        right_probability: r.rightProbability,
      })),
    );
    const stored = await em.execute<
      {
        claim_id: string;
        model_type: ModelType;
        model_version: number;
        role: PredictionRole;
        predicted_value: string;
        confidence: number;
      }[]
    >(
      `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, role, predicted_value, confidence, right_probability, predicted_at)
       select c.tenant_id, p.claim_id, p.model_type, p.model_version, p.role, p.predicted_value, p.confidence, p.right_probability, c.filed_at
         from jsonb_to_recordset(cast(? as jsonb))
              as p(claim_id uuid, model_type text, model_version int, role text, predicted_value text, confidence float8, right_probability float8)
         join claims c on c.id = p.claim_id and c.tenant_id = ?
        where not exists (select 1 from ml_predictions m
                           where m.claim_id = p.claim_id and m.model_type = p.model_type and m.role = p.role)
       on conflict (claim_id, model_type, model_version) do nothing
       returning claim_id, model_type, model_version, role, predicted_value, confidence`,
      [json, tenantId],
    );
    return stored.map((r) => ({
      claimId: r.claim_id,
      modelType: r.model_type,
      version: Number(r.model_version),
      role: r.role,
      predictedValue: r.predicted_value,
      confidence: Number(r.confidence),
    }));
  }
}
