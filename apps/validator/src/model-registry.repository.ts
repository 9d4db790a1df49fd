import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@app/common';
import type { DeploymentReason, ModelType } from '@app/domain';

export interface ActiveModel {
  version: number;
  accuracy: number;
  artifactId: string | null;
}

export interface StoredArtifact {
  format: string;
  checksum: string;
  content: Buffer;
}

/** Postgres' unique_violation on the one-active-version index: another deployment won the race. */
function isActiveRace(err: unknown): boolean {
  return (
    (err as { code?: string }).code === '23505' &&
    String(
      (err as { constraint?: string; message?: string }).constraint ?? (err as { message?: string }).message,
    ).includes('model_metadata_one_active')
  );
}

/** model_metadata (which version is active), the baselines that go with it, and the append-only deployment history. */
@Injectable()
export class ModelRegistryRepository {
  /**
   * The active version, read after taking a per-(tenant, model) transaction lock: validations and
   * deployments of one model run one at a time, each seeing the version the previous one activated.
   */
  async activeForUpdate(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
  ): Promise<ActiveModel | null> {
    await em.execute(`select pg_advisory_xact_lock(hashtext('deploy:' || ? || ':' || ?))`, [
      tenantId,
      modelType,
    ]);
    const rows = await em.execute<
      { model_version: number; baseline_accuracy: number; artifact_id: string | null }[]
    >(
      `select model_version, baseline_accuracy, artifact_id from model_metadata where tenant_id = ? and model_type = ? and is_active for update`,
      [tenantId, modelType],
    );
    return rows[0]
      ? {
          version: rows[0].model_version,
          accuracy: rows[0].baseline_accuracy,
          artifactId: rows[0].artifact_id,
        }
      : null;
  }

  async artifact(em: EntityManager, id: string): Promise<StoredArtifact | null> {
    const rows = await em.execute<StoredArtifact[]>(
      `select format, checksum, content from model_artifacts where id = ?`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The hold-out cut-off the trainer recorded on the run. */
  async runSplit(em: EntityManager, runId: string): Promise<{ cutoff: string } | null> {
    const rows = await em.execute<{ split: { cutoff?: string } | null }[]>(
      `select split from ml_model_training_runs where id = ?`,
      [runId],
    );
    const cutoff = rows[0]?.split?.cutoff;
    return cutoff ? { cutoff } : null;
  }

  /** Whether each of these claims was predicted right by a version in production (ml_predictions). */
  async storedOutcomes(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    version: number,
    claimIds: readonly string[],
  ): Promise<Map<string, boolean>> {
    if (claimIds.length === 0) return new Map();
    const rows = await em.execute<{ claim_id: string; is_correct: boolean }[]>(
      `select claim_id, is_correct from ml_predictions where tenant_id = ? and model_type = ? and model_version = ? and is_correct is not null and claim_id in (?)`,
      [tenantId, modelType, version, claimIds],
    );
    return new Map(rows.map((r) => [r.claim_id, r.is_correct]));
  }

  async recordValidation(em: EntityManager, runId: string, result: object): Promise<void> {
    await em.execute(`update ml_model_training_runs set validation_result = ?::jsonb where id = ?`, [
      JSON.stringify(result),
      runId,
    ]);
  }

  async metadata(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    version: number,
  ): Promise<{ accuracy: number } | null> {
    const rows = await em.execute<{ baseline_accuracy: number }[]>(
      `select baseline_accuracy from model_metadata where tenant_id = ? and model_type = ? and model_version = ?`,
      [tenantId, modelType, version],
    );
    return rows[0] ? { accuracy: rows[0].baseline_accuracy } : null;
  }

  /** The version that was active before the current one, from the deployment history. */
  async previousVersion(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    current: number,
  ): Promise<number | null> {
    const rows = await em.execute<{ v: number }[]>(
      `select coalesce(
          (select from_version from model_deployments where tenant_id = ? and model_type = ? and to_version = ? and from_version is not null order by deployed_at desc limit 1),
          (select max(model_version) from model_metadata where tenant_id = ? and model_type = ? and model_version < ?)) as v`,
      [tenantId, modelType, current, tenantId, modelType, current],
    );
    return rows[0]?.v ?? null;
  }

  /**
   * Makes `version` the active one, in the caller's transaction: deactivates the old version, activates the
   * new (inserting its metadata row for a new candidate, or reactivating an existing one for a rollback),
   * switches the active drift baselines to that version's, and appends to the history. Losing a race
   * with a concurrent deployment is a retryable error: the retry sees the winner.
   */
  async activate(
    em: EntityManager,
    d: {
      tenantId: string;
      modelType: ModelType;
      version: number;
      previous: number | null;
      reason: DeploymentReason;
      correlationId: string;
      runId?: string;
      candidate?: { accuracy: number; artifactId: string; metrics: object };
    },
  ): Promise<void> {
    try {
      await em.execute(
        `update model_metadata set is_active = false where tenant_id = ? and model_type = ? and is_active`,
        [d.tenantId, d.modelType],
      );
      if (d.candidate) {
        await em.execute(
          `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at, training_run_id, artifact_id, metrics)
           values (?, ?, ?, true, ?, clock_timestamp(), ?, ?, ?::jsonb)`,
          [
            d.tenantId,
            d.modelType,
            d.version,
            d.candidate.accuracy,
            d.runId ?? null,
            d.candidate.artifactId,
            JSON.stringify(d.candidate.metrics),
          ],
        );
      } else {
        await em.execute(
          `update model_metadata set is_active = true, deployed_at = clock_timestamp() where tenant_id = ? and model_type = ? and model_version = ?`,
          [d.tenantId, d.modelType, d.version],
        );
      }
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
        // clock_timestamp(), not now(): the history is ordered by when each deployment really happened,
        // and transactions waiting for the deployment lock started earlier than they deploy.
        `insert into model_deployments (tenant_id, model_type, from_version, to_version, reason, training_run_id, correlation_id, deployed_at) values (?, ?, ?, ?, ?, ?, ?, clock_timestamp())`,
        [d.tenantId, d.modelType, d.previous, d.version, d.reason, d.runId ?? null, d.correlationId],
      );
    } catch (err) {
      if (isActiveRace(err))
        throw new DomainError(
          'CONCURRENT_DEPLOYMENT',
          `another deployment of ${d.modelType} for ${d.tenantId} won the race`,
          true,
        );
      throw err;
    }
  }
}
