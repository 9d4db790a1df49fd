import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftEpisodeDto, Envelope, FeatureDriftDto, LabelMaturityDto } from '@app/contracts';
import { countsFromBins, DriftMathError, estimatedAccuracy, parseBaseline, psiFromCounts } from '@app/drift';
import type { FeatureBinCount } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { decide, historyDays } from './decision';
import type { Decision, DecisionInput, FeatureResult } from './decision';
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

/**
 * The spec's steps 1 and 2: check drift (PSI of key features against the active version's baselines) and
 * the active version's 7-day performance, store the check with its label maturity, keep the model's
 * episode, and say what it found: drift.detected only when a retrain can change something.
 */
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
    // First: the lock that makes checks of one model decide one after the other (episodes).
    const openEpisode = await this.checks.openEpisode(em, tenantId, modelType);
    const context = await this.checks.context(em, tenantId, modelType, logicalDate, {
      accuracy: this.config.ACCURACY_WINDOW_DAYS,
      cohort: this.config.COHORT_WINDOW_DAYS,
    });
    const version = context.version;
    const { features, windowDays } =
      version === null
        ? { features: [], windowDays: this.config.PSI_WINDOW_DAYS }
        : await this.featuresOf(em, { tenantId, modelType, version, logicalDate });
    const rejectedRetrains =
      openEpisode && openEpisode.retrains > 0 && context.champion
        ? await this.checks.rejectedRetrains(em, {
            tenantId,
            modelType,
            episodeId: openEpisode.id,
            championVersion: context.champion.version,
          })
        : 0;
    // No check for a retrain in progress here: the trainer owns its runs and coalesces a trigger that
    // arrives while one runs (one retrain at a time per model, whoever asks).
    const checkId = newId();
    const scheduled = requestedBy === 'schedule' || requestedBy === 'catch_up';
    const ps = context.maturity.rightProbabilities;
    const estimate = ps.length > 0 ? estimatedAccuracy(ps) : null;
    const input: DecisionInput = {
      force: force ?? false,
      requestedBy,
      logicalDate,
      champion: context.champion
        ? {
            version: context.champion.version,
            hasArtifact: context.champion.artifactId !== null,
            trainingSamples: context.champion.trainingSamples,
          }
        : null,
      challenger: context.challenger,
      correct: context.correct,
      labelled: context.labelled,
      accuracyThreshold: cfg.accuracyThreshold,
      minLabelled: this.config.MIN_LABELLED_PREDICTIONS,
      windowDays: this.config.ACCURACY_WINDOW_DAYS,
      cohort: { ...context.cohort, days: this.config.COHORT_WINDOW_DAYS },
      maturity: context.maturity,
      estimate,
      features,
      psiWindowDays: windowDays,
      minWindowSamples: this.config.MIN_WINDOW_SAMPLES,
      driftThreshold: cfg.driftThreshold,
      newLabels: context.newLabels,
      minNewLabels: cfg.minNewLabels,
      openEpisode,
      rejectedRetrains,
      newEpisodeId: newId(),
      // k of n is the daily checks' rule: a person who asks for a check (the CLI) has looked, and is answered
      // on what it finds.
      opening: scheduled ? this.config.openingOf(modelType) : { k: 1, n: 1 },
    };
    // The earlier days' breaches are read only when today's could open or close an episode (k of n).
    const days = historyDays(input);
    if (days > 0)
      input.recent = await this.checks.recentBreaches(em, { tenantId, modelType, logicalDate, days });
    let decision: Decision = decide(input);
    // Scheduled checks are keyed by (tenant, model, active version, date): a repeated trigger is suppressed.
    const key = scheduled && !force ? `${tenantId}:${modelType}:v${version ?? 0}:${logicalDate}` : null;
    const record = {
      id: checkId,
      tenantId,
      modelType,
      version,
      logicalDate,
      features,
      psiWindowDays: windowDays,
      maturity: context.maturity,
      estimate,
      eventId: event.id,
      correlationId: event.correlationId,
    };
    if (await this.checks.record(em, { ...record, decision, idempotencyKey: key })) {
      await this.checks.applyEpisode(em, { tenantId, modelType, version, checkId }, decision.episode);
    } else {
      // A repeated check changes no episode, and tells nobody.
      decision = {
        decision: 'suppressed',
        breach: decision.breach,
        accuracy: decision.accuracy,
        reasons: [`version ${version ?? '-'} was already checked for ${logicalDate}: not triggering again`],
        episode: { kind: 'none' },
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
    const m = context.maturity;
    const labels: LabelMaturityDto = {
      windowDays: this.config.ACCURACY_WINDOW_DAYS,
      predictions: m.predictions,
      labelled: m.labelled,
      ...(m.predictions > 0 ? { coverage: m.labelled / m.predictions } : {}),
      ...(m.oldestUnlabelledAt ? { oldestUnlabelledAt: m.oldestUnlabelledAt.toISOString() } : {}),
      ...(estimate
        ? { estimated: { value: estimate.estimate, low: estimate.low, high: estimate.high, n: estimate.n } }
        : {}),
      ...(decision.accuracySource ? { decidedBy: decision.accuracySource } : {}),
    };
    const ep = decision.episode;
    const episode: DriftEpisodeDto | undefined =
      ep.kind === 'none'
        ? undefined
        : {
            id: ep.episode.id,
            condition: ep.episode.condition,
            startedOn: ep.episode.startedOn,
            days: ep.episode.days,
            retrains: ep.episode.retrains,
            opened: ep.kind === 'open',
            ...(ep.kind === 'continue' && ep.remind ? { remind: true } : {}),
            ...(ep.kind === 'close' ? { closedOn: ep.endedOn } : {}),
          };
    const common = {
      checkId,
      modelType,
      activeVersion: version ?? undefined,
      accuracy: decision.accuracy,
      reasons: decision.reasons,
      labels,
      eligibility: decision.eligibility,
      episode,
    };
    await ctx.emit('drift.checked', {
      ...common,
      decision: decision.decision,
      features: judged,
      psiWindowDays: windowDays,
      logicalDate,
    });
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
      psiWindowDays: windowDays,
      episode: episode
        ? { id: episode.id, days: episode.days, opened: episode.opened, closedOn: episode.closedOn }
        : undefined,
      reasons: decision.reasons,
    });
  }

  /**
   * The key features of `version`'s baselines against the short window, or against the long one when the
   * short holds too few claims to judge (docs/models.md, "Windows").
   */
  private async featuresOf(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; version: number; logicalDate: string },
  ): Promise<{ features: FeatureResult[]; windowDays: number }> {
    const short = this.config.PSI_WINDOW_DAYS;
    const features = this.psi(await this.checks.histograms(em, { ...q, days: short }), q.modelType);
    const claims = Math.max(0, ...features.map((f) => f.currentSize));
    const long = this.config.PSI_LONG_WINDOW_DAYS;
    if (claims >= this.config.MIN_WINDOW_SAMPLES || long <= short) return { features, windowDays: short };
    return {
      features: this.psi(await this.checks.histograms(em, { ...q, days: long }), q.modelType),
      windowDays: long,
    };
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
