import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { labelledClaims } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { evaluateXgbModel, splitByTime, trainXgbModel, XGB_FORMAT } from '@app/ml';

// Fixtures of the scorer's tests and benchmark: a trained version made active as the trainer and the
// validator leave one (its artifact in model_artifacts, its row in model_metadata active, with its hold-out
// accuracy) without running them, and new claims as the claims application files them. Connect as the
// database owner or an admin: it writes several services' tables.

export interface TrainedVersion {
  tenantId: string;
  modelType: ModelType;
  version: number;
  artifactId: string;
  accuracy: number;
  /** The model's bytes (XGBoost JSON), e.g. to store them again as another version. */
  content: Buffer;
}

/** Trains `modelType` on the tenant's labelled claims as the trainer does (time split, XGBoost). */
export async function trainVersion(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  opts: { rounds?: number; threads?: number } = {},
): Promise<{ content: Buffer; accuracy: number }> {
  const cfg = MODEL_CONFIGS[modelType];
  const examples = await labelledClaims(em, tenantId, modelType, cfg.trainingWindowMonths, new Date());
  const split = splitByTime(
    examples.map((e) => ({ ...e, label: String(e.target) })),
    cfg.validationSplit,
  );
  const booster = await trainXgbModel(modelType, cfg.features, split.train, {
    rounds: opts.rounds ?? 100,
    threads: opts.threads ?? 1,
  });
  try {
    return {
      content: booster.save(),
      accuracy: evaluateXgbModel(modelType, booster, cfg.features, split.holdout).accuracy,
    };
  } finally {
    booster.dispose();
  }
}

/**
 * Stores `model` as `version` of the tenant's model and makes it the active one (the previous active
 * version is deactivated), in one transaction, as the validator's deployment does.
 */
export async function deployVersion(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; version: number },
  model: { content: Buffer; accuracy: number },
): Promise<TrainedVersion> {
  return em.transactional(async (tx) => {
    const [artifact] = await tx.execute<{ id: string }[]>(
      `insert into model_artifacts (tenant_id, model_type, model_version, format, checksum, content)
       values (?, ?, ?, ?, ?, ?) returning id`,
      [
        q.tenantId,
        q.modelType,
        q.version,
        XGB_FORMAT,
        createHash('sha256').update(model.content).digest('hex'),
        model.content,
      ],
    );
    await tx.execute(
      `update model_metadata set is_active = false where tenant_id = ? and model_type = ? and is_active`,
      [q.tenantId, q.modelType],
    );
    await tx.execute(
      `insert into model_metadata (tenant_id, model_type, model_version, is_active, baseline_accuracy, deployed_at, artifact_id)
       values (?, ?, ?, true, ?, now(), ?)`,
      [q.tenantId, q.modelType, q.version, model.accuracy, artifact!.id],
    );
    return { ...q, artifactId: artifact!.id, accuracy: model.accuracy, content: model.content };
  });
}

/**
 * `n` new claims for a tenant, filed at `filedAt`, as the claims application would create them before it
 * publishes claim.filed: copies of the tenant's latest claims (same member, features and status), not yet
 * resolved. Returns their ids, in order.
 */
export async function fileNewClaims(
  em: EntityManager,
  tenantId: string,
  n: number,
  filedAt: Date = new Date(),
): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `insert into claims (tenant_id, claim_number, member_id, claim_type, status, priority, department, description,
                         case_complexity, member_age, union_tenure_years, filed_at)
     select c.tenant_id, 'NEW-' || gen_random_uuid(), c.member_id, c.claim_type, c.status, c.priority, c.department,
            c.description, c.case_complexity, c.member_age, c.union_tenure_years, cast(? as timestamptz)
       from claims c cross join generate_series(1, ceil(cast(? as int) / 500.0)::int) as g
      where c.id in (select id from claims where tenant_id = ? order by filed_at desc, id limit 500)
      limit ?
     returning id`,
    [filedAt.toISOString(), n, tenantId, n],
  );
  return rows.map((r) => r.id);
}
