import { Injectable } from '@nestjs/common';
import { LockMode, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  advisoryXactLock,
  ModelDeployment,
  ModelFeatureBaseline,
  ModelMetadata,
  ModelValidation,
} from '@app/database';
import type { FeatureBaselineDraft, ValidationView } from '@app/database';
import type { DeploymentReason, ModelType } from '@app/domain';
import { ValidatorError } from './errors';

export interface ActiveModel {
  version: number;
  accuracy: number;
  artifactId: string | null;
}

/** The verdict on one training run, as model_validations stores it (and its read model returns it). */
export type NewValidation = ValidationView;

/** A validated candidate's figures, stored with its metadata row when it becomes a version. */
export interface CandidateFacts {
  accuracy: number;
  artifactId: string;
  metrics: Record<string, unknown>;
  /** Filing time of the newest labelled example it was trained on; null when the trainer did not say. */
  trainingCutoff: Date | null;
  trainingSamples: number;
}

/** A version registered without being deployed: a shadow challenger (issue 19). */
export interface Registration {
  tenantId: string;
  modelType: ModelType;
  version: number;
  runId: string;
  candidate: CandidateFacts;
  baselines: readonly FeatureBaselineDraft[] | null;
}

export interface Deployment {
  tenantId: string;
  modelType: ModelType;
  version: number;
  previous: number | null;
  reason: DeploymentReason;
  correlationId: string;
  runId?: string;
  /** A new version (validated candidate): its metadata row is inserted. Absent: an existing version (rollback). */
  candidate?: CandidateFacts;
  /**
   * The version's drift baselines from its artifact, stored with the deployment. Absent or null (a version
   * whose artifact carries none, e.g. seeded v1, or a rollback): the rows already stored for it are used.
   */
  baselines?: readonly FeatureBaselineDraft[] | null;
  /** A promotion's evidence (the shadow trial), kept in the history with it. */
  evidence?: Record<string, unknown>;
}

/** Postgres' unique_violation on the one-active-version index: another deployment won the race. */
function isActiveRace(err: unknown): boolean {
  if (!(err instanceof UniqueConstraintViolationException)) return false;
  const { constraint } = err as { constraint?: string };
  return (constraint ?? err.message).includes('model_metadata_one_active');
}

// Wall-clock time of the statement, not now(): the history is ordered by when each deployment really
// happened, and transactions waiting for the deployment lock started earlier than they deploy.
const statementTime = (): Date => raw<object, Date>('clock_timestamp()');

/**
 * The validator's tables: model_metadata (which version is active), model_feature_baselines (the drift
 * baselines that go with it), model_deployments (append-only history) and model_validations (verdicts).
 */
@Injectable()
export class ModelRegistryRepository {
  /**
   * The active version, read after taking a per-(tenant, model) transaction lock and locking its row:
   * validations and deployments of one model run one at a time, each seeing the version the previous one
   * activated.
   */
  async activeForUpdate(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
  ): Promise<ActiveModel | null> {
    await advisoryXactLock(em, `deploy:${tenantId}:${modelType}`);
    const m = await em.findOne(
      ModelMetadata,
      { tenantId, modelType, isActive: true },
      {
        fields: ['modelVersion', 'baselineAccuracy', 'artifactId'],
        lockMode: LockMode.PESSIMISTIC_WRITE,
        disableIdentityMap: true,
      },
    );
    return m ? { version: m.modelVersion, accuracy: m.baselineAccuracy, artifactId: m.artifactId } : null;
  }

  /** Whether this training run already has a verdict (a redelivered model.trained finds it). */
  async isValidated(em: EntityManager, trainingRunId: string): Promise<boolean> {
    return (await em.count(ModelValidation, { trainingRunId })) > 0;
  }

  async recordValidation(em: EntityManager, v: NewValidation): Promise<void> {
    await em.insert(ModelValidation, {
      trainingRunId: v.trainingRunId,
      tenantId: v.tenantId,
      modelType: v.modelType,
      modelVersion: v.version,
      passed: v.passed,
      result: v.result,
      correlationId: v.correlationId,
      validatedAt: v.validatedAt,
    });
  }

  /**
   * Records a validated candidate as a version that is not active (never deployed, `deployed_at` null), with
   * its drift baselines switched off: a shadow challenger, which `activate` may promote later.
   */
  async register(em: EntityManager, r: Registration): Promise<void> {
    await em.insert(ModelMetadata, {
      tenantId: r.tenantId,
      modelType: r.modelType,
      modelVersion: r.version,
      isActive: false,
      baselineAccuracy: r.candidate.accuracy,
      deployedAt: null,
      trainingRunId: r.runId,
      artifactId: r.candidate.artifactId,
      metrics: r.candidate.metrics,
      trainingCutoff: r.candidate.trainingCutoff,
      trainingSamples: r.candidate.trainingSamples,
    });
    if (r.baselines && r.baselines.length > 0) await this.storeBaselines(em, r, r.baselines);
  }

  /**
   * Makes `version` the active one, in the caller's transaction: deactivates the old version, activates the
   * new (inserting its metadata row for a new candidate, or reactivating an existing one for a rollback),
   * switches the active drift baselines to that version's (storing them first when they come with the
   * deployment), and appends to the history. Losing a race with a concurrent deployment is a retryable
   * error: the retry sees the winner.
   */
  async activate(em: EntityManager, d: Deployment): Promise<void> {
    const model = { tenantId: d.tenantId, modelType: d.modelType };
    try {
      await em.nativeUpdate(ModelMetadata, { ...model, isActive: true }, { isActive: false });
      if (d.candidate) {
        await em.insert(ModelMetadata, {
          ...model,
          modelVersion: d.version,
          isActive: true,
          baselineAccuracy: d.candidate.accuracy,
          deployedAt: statementTime(),
          trainingRunId: d.runId ?? null,
          artifactId: d.candidate.artifactId,
          metrics: d.candidate.metrics,
          trainingCutoff: d.candidate.trainingCutoff,
          trainingSamples: d.candidate.trainingSamples,
        });
      } else {
        await em.nativeUpdate(
          ModelMetadata,
          { ...model, modelVersion: d.version },
          { isActive: true, deployedAt: statementTime() },
        );
      }
      // The drift monitor compares with the baselines of the version in production.
      await em.nativeUpdate(ModelFeatureBaseline, { ...model, isActive: true }, { isActive: false });
      if (d.baselines && d.baselines.length > 0) await this.storeBaselines(em, d, d.baselines);
      await em.nativeUpdate(ModelFeatureBaseline, { ...model, modelVersion: d.version }, { isActive: true });
      await em.insert(ModelDeployment, {
        ...model,
        fromVersion: d.previous,
        toVersion: d.version,
        reason: d.reason,
        trainingRunId: d.runId ?? null,
        correlationId: d.correlationId,
        deployedAt: statementTime(),
        evidence: d.evidence ?? null,
      });
    } catch (err) {
      if (isActiveRace(err))
        throw new ValidatorError(
          'CONCURRENT_DEPLOYMENT',
          `another deployment of ${d.modelType} for ${d.tenantId} won the race`,
          true,
        );
      throw err;
    }
  }

  /**
   * Inserts the version's baselines it does not have yet (inactive: `activate` switches them on), in one
   * statement: a redeployed version keeps the rows it already has.
   */
  private async storeBaselines(
    em: EntityManager,
    d: { tenantId: string; modelType: ModelType; version: number },
    drafts: readonly FeatureBaselineDraft[],
  ): Promise<void> {
    await em
      .createQueryBuilder(ModelFeatureBaseline)
      .insert(
        drafts.map((b) => ({
          tenantId: d.tenantId,
          modelType: d.modelType,
          modelVersion: d.version,
          featureName: b.featureName,
          featureKind: b.featureKind,
          baselineValue: b.baselineValue,
          baselineComplexity: b.baselineComplexity,
          distribution: b.distribution,
          sampleSize: b.sampleSize,
          isActive: false,
        })),
      )
      .onConflict(['tenantId', 'modelType', 'modelVersion', 'featureName'])
      .ignore()
      .execute();
  }
}
