import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { MODEL_CONFIGS } from '@app/domain';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { evaluateGates } from './gates';
import { ModelRegistryRepository } from './model-registry.repository';
import { ValidatorConfig } from './validator.config';

/** Judges a trained candidate against the gates and, when every gate passes, deploys it. */
@Injectable()
export class ValidatorService {
  constructor(
    private readonly registry: ModelRegistryRepository,
    private readonly config: ValidatorConfig,
  ) {}

  @OnEvent('model.trained')
  async onModelTrained(event: Envelope<'model.trained'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const { em, log } = ctx;
    const champion = await this.registry.activeForUpdate(em, event.tenantId, p.modelType);
    const gates = evaluateGates({
      holdoutAccuracy: p.holdoutAccuracy,
      validationSamples: p.validationSamples,
      accuracyThreshold: MODEL_CONFIGS[p.modelType].accuracyThreshold,
      minHoldoutSamples: this.config.MIN_HOLDOUT_SAMPLES,
      champion,
      championTolerance: this.config.CHAMPION_TOLERANCE,
    });
    if (champion && champion.version >= p.candidateVersion) {
      // A late or replayed candidate never replaces a newer model.
      gates.push({
        name: 'newer_than_active',
        value: p.candidateVersion,
        threshold: champion.version,
        passed: false,
        detail: `candidate v${p.candidateVersion} is not newer than active v${champion.version}`,
      });
    }
    const passed = gates.every((g) => g.passed);
    await this.registry.recordValidation(em, p.runId, {
      passed,
      gates,
      validatedAt: new Date().toISOString(),
    });
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
        failed: gates.filter((g) => !g.passed).map((g) => g.name),
      });
      return;
    }
    await this.registry.activate(em, {
      tenantId: event.tenantId,
      modelType: p.modelType,
      version: p.candidateVersion,
      accuracy: p.holdoutAccuracy,
      runId: p.runId,
      artifactId: p.artifactId,
      previous: champion?.version ?? null,
      reason: 'validated',
      correlationId: event.correlationId,
      metrics: {
        holdoutAccuracy: p.holdoutAccuracy,
        validationSamples: p.validationSamples,
        algorithm: p.algorithm,
      },
    });
    await ctx.emit('model.deployed', {
      modelType: p.modelType,
      version: p.candidateVersion,
      previousVersion: champion?.version,
      reason: 'validated',
      runId: p.runId,
      accuracy: p.holdoutAccuracy,
    });
    log.info('candidate deployed', {
      modelType: p.modelType,
      version: p.candidateVersion,
      previous: champion?.version ?? null,
    });
  }
}
