import type { ModelType } from '@app/domain';

/** What a test can run statements with (the harness, or a pg client). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Makes seeded version 1 of a tenant's model a champion without an artifact, whose stored predictions were
 * all wrong (`right: false`) or all right (`right: true`): the validator then scores it by those
 * predictions. Version 1 is a real model, as good as a candidate trained on the same data, and a candidate
 * replaces a champion only when it improves on it: tests that need a deployment (or a sure rejection) set
 * the champion's quality here.
 */
export async function championFromStoredPredictions(
  db: Queryable,
  tenantId: string,
  modelType: ModelType,
  right: boolean,
): Promise<void> {
  await db.query(
    `update model_metadata set artifact_id = null where tenant_id = $1 and model_type = $2 and model_version = 1`,
    [tenantId, modelType],
  );
  await db.query(
    `update ml_predictions set is_correct = $3 where tenant_id = $1 and model_type = $2 and actual_value is not null`,
    [tenantId, modelType, right],
  );
}
