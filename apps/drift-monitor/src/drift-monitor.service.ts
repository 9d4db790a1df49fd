import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import type { DriftEpisodeDto, Envelope, FeatureDriftDto, LabelMaturityDto } from '@app/contracts';
import { countsFromBins, DriftMathError, estimatedAccuracy, parseBaseline, psiFromCounts } from '@app/drift';
import type { EstimatedAccuracy } from '@app/drift';
import type { FeatureBinCount, TenantBinCount } from '@app/database';

import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { groupBy, MessagingMetrics, OnEvent } from '@app/messaging';
import type { BatchContext } from '@app/messaging';
import { decide, historyDays } from './decision';
import type { Decision, DecisionInput, EpisodeState, FeatureResult } from './decision';
import { DriftCheckRepository } from './drift-check.repository';
import type { CheckContext } from './drift-check.repository';
import { DriftMonitorConfig } from './drift-monitor.config';

/** What PSI needs of one bin: its feature, the version and baseline it belongs to, and its count. */
type BinCount = Pick<FeatureBinCount, 'featureName' | 'version' | 'distribution' | 'bin' | 'n'>;

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

/** Most checks one transaction of a tenant's holds (a day's four models, and the days a catch-up fires). */
export const CHECK_BATCH_MAX = 64;

/**
 * How long a pull that found a backlog keeps filling while checks keep arriving (ms): the scheduler fires a
 * tenant's four checks one after the other, and they are worth one transaction.
 */
export const CHECK_BATCH_FILL_MS = 20;

/** What a check measured: its features' PSI over the window that judged them, and its estimated accuracy. */
interface Measured {
  features: FeatureResult[];
  windowDays: number;
  estimate: EstimatedAccuracy | null;
}

/** A check with what it read before deciding. */
interface Prepared {
  event: Envelope<'drift.check.requested'>;
  openEpisode: EpisodeState | null;
  context: CheckContext;
}

/**
 * The checks of a batch in rounds: each round holds at most one check per model, in model order (the
 * order its locks are taken in); a second check of a model (a repeated trigger) waits for the next round,
 * so that it reads what the first stored.
 */
export function rounds<E extends Envelope<'drift.check.requested'>>(events: readonly E[]): E[][] {
  const out: E[][] = [];
  const seen = new Map<string, number>();
  for (const e of events) {
    const k = seen.get(e.payload.modelType) ?? 0;
    seen.set(e.payload.modelType, k + 1);
    (out[k] ??= []).push(e);
  }
  return out.map((r) => r.sort((a, b) => a.payload.modelType.localeCompare(b.payload.modelType)));
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

  /**
   * A tenant's checks of one pull, in one transaction (libs/messaging batch handler): the day's four models
   * share the tenant scope, the inbox and outbox statements, and one histogram statement for both windows
   * (issue 20). Checks of the same model in one batch (a repeated trigger) are taken in rounds, each seeing
   * what the one before it stored. A corrupt baseline fails its own check alone (dead-lettered with its
   * reason); the tenant's other checks go on.
   */
  @OnEvent('drift.check.requested', { batch: { max: CHECK_BATCH_MAX, fillMs: CHECK_BATCH_FILL_MS } })
  async onChecksRequested(
    events: readonly Envelope<'drift.check.requested'>[],
    ctx: BatchContext,
  ): Promise<void> {
    for (const round of rounds(events)) {
      // The locks that make checks of one model decide one after the other (episodes), all of the round's
      // models in one statement in a fixed order (replicas checking one tenant cannot deadlock), then their
      // open episodes.
      const episodes = await this.checks.openEpisodes(
        ctx.em,
        ctx.tenantId,
        round.map((e) => e.payload.modelType),
      );
      // Then, per day checked, one statement for the inputs of all its models and one for their histograms.
      const prepared: Prepared[] = [];
      const counts = new Map<string, TenantBinCount[]>();
      for (const [logicalDate, group] of groupBy(round, (e) => e.payload.logicalDate)) {
        const contexts = await this.checks.contexts(
          ctx.em,
          ctx.tenantId,
          group.map((e) => e.payload.modelType),
          logicalDate,
          { accuracy: this.config.ACCURACY_WINDOW_DAYS, cohort: this.config.COHORT_WINDOW_DAYS },
        );
        const day = group.map((event) => ({
          event,
          openEpisode: episodes.get(event.payload.modelType) ?? null,
          context: contexts.get(event.payload.modelType)!,
        }));
        prepared.push(...day);
        const versions = day.flatMap((p) =>
          p.context.version === null
            ? []
            : [{ modelType: p.event.payload.modelType, version: p.context.version }],
        );
        counts.set(
          logicalDate,
          await this.checks.histograms(ctx.em, {
            tenantId: ctx.tenantId,
            versions,
            logicalDate,
            shortDays: this.config.PSI_WINDOW_DAYS,
            longDays: this.config.PSI_LONG_WINDOW_DAYS,
          }),
        );
      }
      for (const p of prepared) {
        const { modelType, logicalDate } = p.event.payload;
        let measured: Measured;
        try {
          // Everything that can find stored data unusable (a corrupt baseline, a calibrated probability out of
          // range), before anything is written for this check: it fails alone.
          const ps = p.context.maturity.rightProbabilities;
          measured = {
            ...(p.context.version === null
              ? { features: [], windowDays: this.config.PSI_WINDOW_DAYS }
              : this.featuresOf(counts.get(logicalDate) ?? [], modelType, p.context.version)),
            estimate: ps.length > 0 ? estimatedAccuracy(ps) : null,
          };
        } catch (err) {
          if (!(err instanceof DriftMathError)) throw err;
          ctx.fail(p.event, err);
          continue;
        }
        await this.check(p, measured, ctx);
      }
    }
  }

  /** One check: decide, store it with its episode, and say what it found. */
  private async check(p: Prepared, measured: Measured, ctx: BatchContext): Promise<void> {
    const { event, openEpisode, context } = p;
    const { modelType, logicalDate, force, requestedBy } = event.payload;
    const { em } = ctx;
    const log = ctx.logFor(event);
    const cfg = MODEL_CONFIGS[modelType];
    const tenantId = event.tenantId;
    const version = context.version;
    const { features, windowDays, estimate } = measured;
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
    await ctx.emit(event, 'drift.checked', {
      ...common,
      decision: decision.decision,
      features: judged,
      psiWindowDays: windowDays,
      logicalDate,
    });
    if (decision.decision === 'retrain')
      await ctx.emit(event, 'drift.detected', {
        ...common,
        driftedFeatures: judged.filter((f) => f.band === 'significant'),
        logicalDate,
      });
    this.checksTotal.inc({ model_type: modelType, decision: decision.decision });
    log.info('drift check done', {
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
   * short holds too few claims to judge (docs/models.md, "Windows"), from the tenant's counts of both.
   */
  private featuresOf(
    counts: readonly TenantBinCount[],
    modelType: ModelType,
    version: number,
  ): { features: FeatureResult[]; windowDays: number } {
    const mine = counts.filter((c) => c.modelType === modelType && c.version === version);
    // One window's counts: the bins as they are, with the short or the long window's number in each.
    const window = (long: boolean): BinCount[] => mine.map((c) => ({ ...c, n: long ? c.nLong : c.nShort }));
    const short = this.config.PSI_WINDOW_DAYS;
    const features = this.psi(window(false), modelType);
    const claims = Math.max(0, ...features.map((f) => f.currentSize));
    const long = this.config.PSI_LONG_WINDOW_DAYS;
    if (claims >= this.config.MIN_WINDOW_SAMPLES || long <= short) return { features, windowDays: short };
    return { features: this.psi(window(true), modelType), windowDays: long };
  }

  /** PSI of every key feature whose window has enough claims, from the counts SQL computed. */
  private psi(rows: readonly BinCount[], modelType: ModelType): FeatureResult[] {
    const byFeature = new Map<string, BinCount[]>();
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
