import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import type { Envelope, FeatureDriftDto } from '@app/contracts';
import { countsFromBins, DriftMathError, parseBaseline, psiFromCounts } from '@app/drift';
import type { FeatureBinCount } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { decide } from './decision';
import type { Decision, FeatureResult } from './decision';
import { DriftCheckRepository } from './drift-check.repository';
import { DriftMonitorConfig } from './drift-monitor.config';

/**
 * Runs `work` on one feature's stored baseline. A corrupt baseline is not judged, skipped or retried: its
 * DriftMathError goes on to the message edge (which dead-letters it with its reason at once), named with
 * the feature and version so that a person knows which row to fix.
 */
function withFeature<T>(feature: string, version: number, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof DriftMathError)
      throw new DriftMathError(err.code, `baseline of ${feature} (v${version}): ${err.message}`);
    throw err;
  }
}

/** The spec's steps 1 and 2: check drift (PSI of key features) and 7-day performance, store the check, say what it found. */
@Injectable()
export class DriftMonitorService {
  private readonly checksTotal;

  constructor(
    private readonly checks: DriftCheckRepository,
    private readonly config: DriftMonitorConfig,
    metrics: MessagingMetrics,
  ) {
    this.checksTotal = metrics.counter('ue_drift_checks_total', 'Drift checks by model and decision', [
      'model_type',
      'decision',
    ]);
  }

  @OnEvent('drift.check.requested')
  async onCheckRequested(event: Envelope<'drift.check.requested'>, ctx: HandlerContext): Promise<void> {
    const { modelType, logicalDate, force, requestedBy } = event.payload;
    const { em } = ctx;
    const cfg = MODEL_CONFIGS[modelType];
    const tenantId = event.tenantId;
    const context = await this.checks.context(
      em,
      tenantId,
      modelType,
      logicalDate,
      this.config.ACCURACY_WINDOW_DAYS,
    );
    const version = context.version;
    const features = this.psi(
      await this.checks.histograms(em, tenantId, modelType, logicalDate, this.config.PSI_WINDOW_DAYS),
      modelType,
    );
    // No check for a retrain in progress here: the trainer owns its runs and coalesces a trigger that
    // arrives while one runs (one retrain at a time per model, whoever asks).
    let decision: Decision = decide({
      force: force ?? false,
      requestedBy,
      hasActiveModel: version !== null,
      correct: context.correct,
      labelled: context.labelled,
      accuracyThreshold: cfg.accuracyThreshold,
      minLabelled: this.config.MIN_LABELLED_PREDICTIONS,
      windowDays: this.config.ACCURACY_WINDOW_DAYS,
      features,
      psiWindowDays: this.config.PSI_WINDOW_DAYS,
      minWindowSamples: this.config.MIN_WINDOW_SAMPLES,
      driftThreshold: cfg.driftThreshold,
    });
    // Scheduled checks are keyed by (tenant, model, active version, date): a repeated trigger is suppressed.
    const scheduled = requestedBy === 'schedule' || requestedBy === 'catch_up';
    const key = scheduled && !force ? `${tenantId}:${modelType}:v${version ?? 0}:${logicalDate}` : null;
    const checkId = newId();
    const record = {
      id: checkId,
      tenantId,
      modelType,
      version,
      logicalDate,
      features,
      eventId: event.id,
      correlationId: event.correlationId,
    };
    if (!(await this.checks.record(em, { ...record, decision, idempotencyKey: key }))) {
      decision = {
        ...decision,
        decision: 'suppressed',
        reasons: [`version ${version ?? '-'} was already checked for ${logicalDate}: not triggering again`],
      };
      await this.checks.record(em, { ...record, decision, idempotencyKey: null });
    }
    const judged: FeatureDriftDto[] = features
      .filter((f) => f.psi !== undefined)
      .map((f) => ({
        feature: f.feature,
        psi: f.psi!,
        band: f.band!,
        baselineSize: f.baselineSize,
        currentSize: f.currentSize,
      }));
    const common = {
      checkId,
      modelType,
      activeVersion: version ?? undefined,
      accuracy: decision.accuracy,
      reasons: decision.reasons,
    };
    await ctx.emit('drift.checked', { ...common, decision: decision.decision, features: judged });
    if (decision.decision === 'retrain')
      await ctx.emit('drift.detected', {
        ...common,
        driftedFeatures: judged.filter((f) => f.band === 'significant'),
        logicalDate,
      });
    this.checksTotal.inc({ model_type: modelType, decision: decision.decision });
    ctx.log.info('drift check done', {
      modelType,
      decision: decision.decision,
      maxPsi: Math.max(0, ...judged.map((f) => f.psi)),
      reasons: decision.reasons,
    });
  }

  /** PSI of every key feature whose window has enough claims, from the counts SQL computed. */
  private psi(rows: FeatureBinCount[], modelType: ModelType): FeatureResult[] {
    const byFeature = new Map<string, FeatureBinCount[]>();
    for (const r of rows) {
      const bins = byFeature.get(r.featureName) ?? [];
      bins.push(r);
      byFeature.set(r.featureName, bins);
    }
    const threshold = MODEL_CONFIGS[modelType].driftThreshold;
    return [...byFeature.entries()].map(([feature, bins]) => {
      const { baseline, counts } = withFeature(feature, bins[0]!.version, () => {
        const parsed = parseBaseline(bins[0]!.distribution);
        return { baseline: parsed, counts: countsFromBins(parsed, bins) };
      });
      const currentSize = bins.reduce((sum, b) => sum + b.n, 0);
      if (currentSize < this.config.MIN_WINDOW_SAMPLES)
        return { feature, baselineSize: baseline.n, currentSize };
      const r = psiFromCounts(baseline, counts, { significant: threshold });
      return { feature, baselineSize: baseline.n, currentSize, psi: r.psi, band: r.band };
    });
  }
}
