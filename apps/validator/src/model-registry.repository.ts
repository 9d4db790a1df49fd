import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeploymentReason, ModelType } from '@app/domain';

export interface ActiveModel {
  version: number;
  accuracy: number;
}

/** model_metadata (which version is active) and the append-only deployment history. */
@Injectable()
export class ModelRegistryRepository {
  /** The active version, locked until the transaction ends so concurrent deployments serialise. */
  async activeForUpdate(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
  ): Promise<ActiveModel | null> {
    const rows = await em.execute<{ model_version: number; baseline_accuracy: number }[]>(
      `select model_version, baseline_accuracy from model_metadata where tenant_id = ? and model_type = ? and is_active for update`,
      [tenantId, modelType],
    );
    return rows[0] ? { version: rows[0].model_version, accuracy: rows[0].baseline_accuracy } : null;
  }

  async recordValidation(em: EntityManager, runId: string, result: object): Promise<void> {
    await em.execute(`update ml_model_training_runs set validation_result = ?::jsonb where id = ?`, [
      JSON.stringify(result),
      runId,
    ]);
  }

  /** Deactivates the old version and activates the new one; the caller's transaction makes it atomic. */
  async activate(
    em: EntityManager,
    d: {
      tenantId: string;
      modelType: ModelType;
      version: number;
      accuracy: number;
      runId: string;
      artifactId: string;
      previous: number | null;
      reason: DeploymentReason;
      correlationId: string;
      metrics: object;
    },
  ): Promise<void> {
    await em.execute(
      `update model_metadata set is_active = false where tenant_id = ? and model_type = ? and is_active`,
      [d.tenantId, d.modelType],
    );
    await em.execute(
      `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at, training_run_id, artifact_id, metrics)
       values (?, ?, ?, true, ?, now(), ?, ?, ?::jsonb)`,
      [d.tenantId, d.modelType, d.version, d.accuracy, d.runId, d.artifactId, JSON.stringify(d.metrics)],
    );
    // The drift monitor compares with the baselines of the version in production.
    await em.execute(
      `update model_feature_baselines set is_active = false where tenant_id = ? and model_type = ? and is_active`,
      [d.tenantId, d.modelType],
    );
    await em.execute(
      `update model_feature_baselines set is_active = true where tenant_id = ? and model_type = ? and model_version = ?`,
      [d.tenantId, d.modelType, d.version],
    );
    await em.execute(
      `insert into model_deployments (tenant_id, model_type, from_version, to_version, reason, training_run_id, correlation_id) values (?, ?, ?, ?, ?, ?, ?)`,
      [d.tenantId, d.modelType, d.previous, d.version, d.reason, d.runId, d.correlationId],
    );
  }
}
