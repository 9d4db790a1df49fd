import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import { ModelFeatureBaseline, ModelMetadata } from '../entities/ml.entities';
import { ModelDeployment, ModelValidation } from '../entities/pipeline.entities';

/**
 * Read models over the validator's registry (model_metadata, model_deployments, model_feature_baselines,
 * model_validations): what every other app and the CLI may know about which version is where, with which
 * baselines and verdicts. The validator writes these tables; nobody else.
 */
export interface ModelVersionView {
  tenantId: string;
  modelType: ModelType;
  version: number;
  active: boolean;
  /** Hold-out accuracy recorded when the version was trained. */
  accuracy: number;
  deployedAt: Date | null;
  trainingRunId: string | null;
  artifactId: string | null;
  /** Filing time of the newest labelled example it was trained on (labels after it are new to it). */
  trainingCutoff: Date | null;
  /** Size of its training set (hold-out excluded). */
  trainingSamples: number | null;
}

function toView(m: ModelMetadata): ModelVersionView {
  return {
    tenantId: m.tenantId,
    modelType: m.modelType,
    version: m.modelVersion,
    active: m.isActive,
    accuracy: m.baselineAccuracy,
    deployedAt: m.deployedAt,
    trainingRunId: m.trainingRunId,
    artifactId: m.artifactId,
    trainingCutoff: m.trainingCutoff,
    trainingSamples: m.trainingSamples,
  };
}

/** Every version of one tenant's model, oldest first. */
export async function modelVersions(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
): Promise<ModelVersionView[]> {
  const rows = await em.find(
    ModelMetadata,
    { tenantId, modelType },
    { orderBy: { modelVersion: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toView);
}

/** The version in production of each (tenant, model), for one tenant or all, ordered by tenant and model. */
export async function activeModels(em: EntityManager, tenantId?: string): Promise<ModelVersionView[]> {
  const rows = await em.find(
    ModelMetadata,
    tenantId === undefined ? { isActive: true } : { isActive: true, tenantId },
    { orderBy: { tenantId: 'asc', modelType: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toView);
}

/** The columns of an active version as SQL reads them (`activeVersions`, the scorer's `scoringInputs`). */
export const ACTIVE_VERSION_COLUMNS =
  'model_type, model_version, baseline_accuracy, deployed_at, training_run_id, artifact_id, training_cutoff, training_samples';

/** A row of ACTIVE_VERSION_COLUMNS, from the driver or through json_agg (timestamps as text). */
export interface ActiveVersionRow {
  model_type: ModelType;
  model_version: number;
  baseline_accuracy: number;
  deployed_at: Date | string | null;
  training_run_id: string | null;
  artifact_id: string | null;
  training_cutoff: Date | string | null;
  training_samples: number | null;
}

export function activeVersionView(tenantId: string, r: ActiveVersionRow): ModelVersionView {
  return {
    tenantId,
    modelType: r.model_type,
    version: Number(r.model_version),
    active: true,
    accuracy: Number(r.baseline_accuracy),
    deployedAt: r.deployed_at ? new Date(r.deployed_at) : null,
    trainingRunId: r.training_run_id,
    artifactId: r.artifact_id,
    trainingCutoff: r.training_cutoff ? new Date(r.training_cutoff) : null,
    trainingSamples: r.training_samples === null ? null : Number(r.training_samples),
  };
}

/**
 * The versions in production of one tenant's models, by model type: what the scorer reads for every batch
 * of claims, so SQL on purpose (one statement, the columns it needs, no entity per row).
 */
export async function activeVersions(em: EntityManager, tenantId: string): Promise<ModelVersionView[]> {
  const rows = await em.execute<ActiveVersionRow[]>(
    `select ${ACTIVE_VERSION_COLUMNS} from model_metadata where tenant_id = ? and is_active order by model_type`,
    [tenantId],
  );
  return rows.map((r) => activeVersionView(tenantId, r));
}

/**
 * The version that was in production before `current`: the deployment that made `current` active says
 * what it replaced; a version never deployed that way falls back to the highest earlier version.
 */
export async function versionBefore(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  current: number,
): Promise<number | null> {
  const replaced = await em.findOne(
    ModelDeployment,
    { tenantId, modelType, toVersion: current, fromVersion: { $ne: null } },
    { orderBy: { deployedAt: 'desc' }, disableIdentityMap: true },
  );
  if (replaced?.fromVersion != null) return replaced.fromVersion;
  const earlier = await em.findOne(
    ModelMetadata,
    // Never deployed (a challenger that was retired): not a version to go back to.
    { tenantId, modelType, modelVersion: { $lt: current }, deployedAt: { $ne: null } },
    { orderBy: { modelVersion: 'desc' }, disableIdentityMap: true },
  );
  return earlier?.modelVersion ?? null;
}

export type RollbackRefusalCode =
  'NOTHING_TO_ROLL_BACK' | 'ALREADY_ACTIVE' | 'NO_SUCH_VERSION' | 'NEVER_DEPLOYED';

export type RollbackPlan =
  | { ok: true; from: ModelVersionView; to: ModelVersionView }
  | { ok: false; code: RollbackRefusalCode; message: string };

/**
 * The rollback rules, in one place: the validator applies them (under its deployment lock) and the CLI
 * asks them before it publishes a request, so both refuse the same way. `requested` is the version asked
 * for; without it, `previous` (from `versionBefore`).
 */
export function planRollback(
  versions: readonly ModelVersionView[],
  requested: number | undefined,
  previous: number | null,
): RollbackPlan {
  const active = versions.find((v) => v.active);
  const model = versions[0] ? `${versions[0].modelType} of ${versions[0].tenantId}` : 'the model';
  if (!active) return { ok: false, code: 'NOTHING_TO_ROLL_BACK', message: `${model} has no active version` };
  const target = requested ?? previous;
  if (target === null)
    return {
      ok: false,
      code: 'NOTHING_TO_ROLL_BACK',
      message: `${model} v${active.version} has no earlier version`,
    };
  if (target === active.version)
    return { ok: false, code: 'ALREADY_ACTIVE', message: `${active.modelType} v${target} is already active` };
  const to = versions.find((v) => v.version === target);
  if (!to)
    return {
      ok: false,
      code: 'NO_SUCH_VERSION',
      message: `${model} has no version ${target} (versions: ${versions.map((v) => v.version).join(', ')})`,
    };
  if (to.deployedAt === null)
    return {
      ok: false,
      code: 'NEVER_DEPLOYED',
      message: `${model} v${target} was never in production (a shadow challenger that was not promoted)`,
    };
  return { ok: true, from: active, to };
}

/** One feature's frozen drift baseline of a deployed version (model_feature_baselines). */
export interface FeatureBaselineView {
  tenantId: string;
  modelType: ModelType;
  version: number;
  featureName: string;
  featureKind: string;
  /** Mean of a numeric feature in the baseline sample; null for categorical ones. */
  baselineValue: number | null;
  baselineComplexity: number | null;
  /** Frozen bins as libs/drift stores them: parse with `parseBaseline` before use (it may be corrupt). */
  distribution: Record<string, unknown>;
  sampleSize: number;
}

/**
 * The baselines the drift monitor compares with: those of the version in production, by feature name.
 * Empty when the model has no active version, or the active version has none (its artifact carried none).
 */
export async function activeBaselines(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
): Promise<FeatureBaselineView[]> {
  const active = em
    .createQueryBuilder(ModelMetadata, 'm')
    .select('m.modelVersion')
    .where({ tenantId, modelType, isActive: true });
  const rows = await em
    .createQueryBuilder(ModelFeatureBaseline, 'b')
    .select('*')
    .where({ tenantId, modelType, isActive: true, modelVersion: { $in: active.getKnexQuery() } })
    .orderBy({ featureName: 'asc' })
    .getResultList();
  return rows.map((b) => ({
    tenantId: b.tenantId,
    modelType: b.modelType,
    version: b.modelVersion,
    featureName: b.featureName,
    featureKind: b.featureKind,
    baselineValue: b.baselineValue,
    baselineComplexity: b.baselineComplexity,
    distribution: b.distribution,
    sampleSize: b.sampleSize,
  }));
}

/** The validator's verdict on one training run (model_validations). */
export interface ValidationView {
  trainingRunId: string;
  tenantId: string;
  modelType: ModelType;
  version: number;
  passed: boolean;
  /** Every gate with its figures and reasons, the subgroups, and when (as the validator recorded them). */
  result: Record<string, unknown>;
  correlationId: string;
  validatedAt: Date;
}

/** The verdict on a training run, or null while it has not been validated. */
export async function validationOfRun(
  em: EntityManager,
  trainingRunId: string,
): Promise<ValidationView | null> {
  const v = await em.findOne(ModelValidation, { trainingRunId }, { disableIdentityMap: true });
  return v
    ? {
        trainingRunId: v.trainingRunId,
        tenantId: v.tenantId,
        modelType: v.modelType,
        version: v.modelVersion,
        passed: v.passed,
        result: v.result,
        correlationId: v.correlationId,
        validatedAt: v.validatedAt,
      }
    : null;
}

/**
 * How many of these training runs' candidates (by the correlation id their trigger carried) the validator
 * rejected because they did not improve on the champion (the improvement gate's `no_improvement`). The
 * drift monitor asks it of an episode's retrains: a champion that held up against candidates trained on
 * the episode's data is not retrained again on the same evidence (docs/models.md, "Episodes").
 */
export async function noImprovementVerdicts(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; correlationIds: readonly string[] },
): Promise<number> {
  if (q.correlationIds.length === 0) return 0;
  const [row] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from model_validations
      where tenant_id = ? and model_type = ? and not passed
        and correlation_id = any(string_to_array(?, ','))
        and result->'gates' @> '[{"name": "improvement", "reason": "no_improvement"}]'::jsonb`,
    [q.tenantId, q.modelType, q.correlationIds.join(',')],
  );
  return Number(row?.n ?? 0);
}
