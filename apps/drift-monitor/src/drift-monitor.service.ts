import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import type { Envelope } from '@app/contracts';
import { MODEL_CONFIGS } from '@app/domain';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { decide } from './decision';
import { DriftCheckRepository } from './drift-check.repository';
import { DriftMonitorConfig } from './drift-monitor.config';

/** The spec's steps 1 and 2: check drift and 7-day performance, store the check, say what it found. */
@Injectable()
export class DriftMonitorService {
  constructor(
    private readonly checks: DriftCheckRepository,
    private readonly config: DriftMonitorConfig,
  ) {}

  @OnEvent('drift.check.requested')
  async onCheckRequested(event: Envelope<'drift.check.requested'>, ctx: HandlerContext): Promise<void> {
    const { modelType, logicalDate, force, requestedBy } = event.payload;
    const cfg = MODEL_CONFIGS[modelType];
    const version = await this.checks.activeVersion(ctx.em, event.tenantId, modelType);
    const window = await this.checks.accuracyWindow(
      ctx.em,
      event.tenantId,
      modelType,
      logicalDate,
      this.config.ACCURACY_WINDOW_DAYS,
    );
    const decision = decide({
      force: force ?? false,
      requestedBy,
      hasActiveModel: version !== null,
      correct: window.correct,
      labelled: window.labelled,
      accuracyThreshold: cfg.accuracyThreshold,
      minLabelled: this.config.MIN_LABELLED_PREDICTIONS,
      windowDays: this.config.ACCURACY_WINDOW_DAYS,
      features: [],
    });
    const checkId = newId();
    await this.checks.record(ctx.em, {
      id: checkId,
      tenantId: event.tenantId,
      modelType,
      version,
      logicalDate,
      decision,
      eventId: event.id,
      correlationId: event.correlationId,
    });
    const common = {
      checkId,
      modelType,
      activeVersion: version ?? undefined,
      accuracy: decision.accuracy,
      reasons: decision.reasons,
    };
    await ctx.emit('drift.checked', { ...common, decision: decision.decision, features: [] });
    if (decision.decision === 'retrain') await ctx.emit('drift.detected', { ...common, driftedFeatures: [] });
    ctx.log.info('drift check done', { modelType, decision: decision.decision, reasons: decision.reasons });
  }
}
