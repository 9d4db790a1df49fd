import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { artifactBaselines, modelVersions, planRollback, versionBefore } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { scoreOnHoldout } from './champion-scoring';
import { ValidatorError } from './errors';
import { evaluateGates } from './gates';
import { ModelRegistryRepository } from './model-registry.repository';
import { ValidatorConfig } from './validator.config';

/**
 * The spec's steps 5 and 6: judges a trained candidate against the gates (accuracy floor, evidence, A/B
 * against the champion on the same hold-out with McNemar's test, improvement over it, fairness) and, when
 * every gate passes, deploys it: exactly one active version per tenant and model. Also rolls back on
 * request.
 */
@Injectable()
export class ValidatorService {
  private readonly validations;
  private readonly deployments;

  constructor(
    private readonly registry: ModelRegistryRepository,
    private readonly config: ValidatorConfig,
    metrics: MessagingMetrics,
  ) {
    this.validations = metrics.counter('ue_validations_total', 'Candidates validated, by model and verdict', [
      'model_type',
      'passed',
    ]);
    this.deployments = metrics.counter(
      'ue_deployments_total',
      'Versions activated, by model and reason (validated, rollback)',
      ['model_type', 'reason'],
    );
  }

  @OnEvent('model.trained')
  async onModelTrained(event: Envelope<'model.trained'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const { em, log } = ctx;
    const champion = await this.registry.activeForUpdate(em, event.tenantId, p.modelType);
    // Checked under the deployment lock: a model.trained delivered again (another event for the same run)
    // finds the first verdict committed, and is not judged, nor deployed, twice.
    if (await this.registry.isValidated(em, p.runId)) {
      log.info('training run already validated; this delivery is ignored', {
        modelType: p.modelType,
        runId: p.runId,
      });
      return;
    }
    const verdict = (passed: boolean, result: Record<string, unknown>, validatedAt: Date) =>
      this.registry.recordValidation(em, {
        trainingRunId: p.runId,
        tenantId: event.tenantId,
        modelType: p.modelType,
        version: p.candidateVersion,
        passed,
        result: { passed, ...result, validatedAt: validatedAt.toISOString() },
        correlationId: event.correlationId,
        validatedAt,
      });
    if (champion && champion.version >= p.candidateVersion) {
      // A late or replayed candidate never replaces a newer model; it is not even scored.
      const gates = [
        {
          name: 'newer_than_active',
          value: p.candidateVersion,
          threshold: champion.version,
          passed: false,
          detail: `candidate v${p.candidateVersion} is not newer than active v${champion.version}`,
        },
      ];
      await verdict(false, { gates }, new Date());
      await ctx.emit('model.validated', {
        runId: p.runId,
        modelType: p.modelType,
        candidateVersion: p.candidateVersion,
        championVersion: champion.version,
        passed: false,
        gates,
      });
      log.info('stale candidate ignored', {
        modelType: p.modelType,
        version: p.candidateVersion,
        active: champion.version,
      });
      return;
    }
    const scores = await scoreOnHoldout(em, {
      tenantId: event.tenantId,
      modelType: p.modelType,
      runId: p.runId,
      candidateArtifactId: p.artifactId,
      champion,
    });
    const gates = evaluateGates({
      holdoutAccuracy: p.holdoutAccuracy,
      validationSamples: scores.holdout.length,
      accuracyThreshold: MODEL_CONFIGS[p.modelType].accuracyThreshold,
      minHoldoutSamples: this.config.MIN_HOLDOUT_SAMPLES,
      champion: scores.champion,
      championTolerance: this.config.CHAMPION_TOLERANCE,
      alpha: this.config.MCNEMAR_ALPHA,
      minGain: MODEL_CONFIGS[p.modelType].minGain,
      subgroups: scores.subgroups,
      fairnessMaxGap: this.config.FAIRNESS_MAX_GAP,
      fairnessMinGroup: this.config.FAIRNESS_MIN_GROUP,
      fairnessBlocking: this.config.FAIRNESS_BLOCKING_MODELS.split(',').includes(p.modelType),
    });
    const passed = gates.every((g) => g.passed);
    this.validations.inc({ model_type: p.modelType, passed: String(passed) });
    await verdict(passed, { gates, subgroups: scores.subgroups }, new Date());
    await ctx.emit('model.validated', {
      runId: p.runId,
      modelType: p.modelType,
      candidateVersion: p.candidateVersion,
      championVersion: champion?.version,
      passed,
      gates,
    });
    if (!passed) {
      log.info('candidate rejected', {
        modelType: p.modelType,
        version: p.candidateVersion,
        failed: gates.filter((g) => !g.passed).map((g) => g.reason ?? g.name),
      });
      return;
    }
    await this.registry.activate(em, {
      tenantId: event.tenantId,
      modelType: p.modelType,
      version: p.candidateVersion,
      previous: champion?.version ?? null,
      reason: 'validated',
      correlationId: event.correlationId,
      runId: p.runId,
      candidate: {
        accuracy: p.holdoutAccuracy,
        artifactId: p.artifactId,
        metrics: {
          holdoutAccuracy: p.holdoutAccuracy,
          validationSamples: p.validationSamples,
          algorithm: p.algorithm,
        },
        // What says which labels are new to this version (the drift monitor's retrain eligibility).
        trainingCutoff: p.trainingCutoff ? new Date(p.trainingCutoff) : null,
        trainingSamples: p.trainingSamples,
      },
      baselines: await artifactBaselines(em, p.artifactId),
    });
    await ctx.emit('model.deployed', {
      modelType: p.modelType,
      version: p.candidateVersion,
      previousVersion: champion?.version,
      reason: 'validated',
      runId: p.runId,
      accuracy: p.holdoutAccuracy,
    });
    this.deployments.inc({ model_type: p.modelType, reason: 'validated' });
    log.info('candidate deployed', {
      modelType: p.modelType,
      version: p.candidateVersion,
      previous: champion?.version ?? null,
      allowedBy: gates.find((g) => g.name === 'improvement')?.rule,
    });
  }

  @OnEvent('model.rollback.requested')
  async onRollbackRequested(event: Envelope<'model.rollback.requested'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const { em } = ctx;
    // Under the deployment lock, the same rules the CLI asked before publishing (read-models/registry.ts).
    const current = await this.registry.activeForUpdate(em, event.tenantId, p.modelType);
    const versions = await modelVersions(em, event.tenantId, p.modelType);
    const previous =
      current && p.toVersion === undefined
        ? await versionBefore(em, event.tenantId, p.modelType, current.version)
        : null;
    const plan = planRollback(versions, p.toVersion, previous);
    if (!plan.ok) throw new ValidatorError(plan.code, plan.message);
    const { from, to } = plan;
    await this.registry.activate(em, {
      tenantId: event.tenantId,
      modelType: p.modelType,
      version: to.version,
      previous: from.version,
      reason: 'rollback',
      correlationId: event.correlationId,
    });
    await ctx.emit('model.deployed', {
      modelType: p.modelType,
      version: to.version,
      previousVersion: from.version,
      reason: 'rollback',
      accuracy: to.accuracy,
    });
    this.deployments.inc({ model_type: p.modelType, reason: 'rollback' });
    ctx.log.info('rolled back', {
      modelType: p.modelType,
      from: from.version,
      to: to.version,
      by: p.requestedBy,
      reason: p.reason,
    });
  }
}
