import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import type { DriftEpisodeDto, Envelope, FeatureDriftDto, LabelMaturityDto } from '@app/contracts';
import {
  countsFromValues,
  DriftMathError,
  estimatedAccuracy,
  parseBaseline,
  psiFromCounts,
} from '@app/drift';
import type { EstimatedAccuracy, FeatureBaseline } from '@app/drift';
import type { TenantWindowValues, WindowValueCount } from '@app/database';

import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { groupBy, MessagingMetrics, OnEvent } from '@app/messaging';
import type { BatchContext } from '@app/messaging';
import { decide, historyDays, needsNewLabels } from './decision';
import type { Decision, DecisionInput, EpisodeState, FeatureResult } from './decision';
import { DriftCheckRepository } from './drift-check.repository';
import type { CheckContext, NewDriftCheck } from './drift-check.repository';
import { DriftMonitorConfig } from './drift-monitor.config';

/** A baseline of the version checked, parsed, with its feature's values in the windows. */
interface CountedBaseline {
  feature: string;
  version: number;
  baseline: FeatureBaseline;
  values: readonly WindowValueCount[];
}

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

/** A check decided and not yet stored: what it will store, and what it will say. */
interface Decided {
  event: Envelope<'drift.check.requested'>;
  context: CheckContext;
  measured: Measured;
  decision: Decision;
  check: Omit<NewDriftCheck, 'decision'>;
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
   * share the tenant scope, the inbox and outbox statements, and one statement counting both windows' values
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
      // Then, per day checked, one statement for the inputs of all its models and one for their baselines and
      // the windows' feature values.
      const prepared: Prepared[] = [];
      const windows = new Map<string, TenantWindowValues>();
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
        windows.set(
          logicalDate,
          await this.checks.windowValues(ctx.em, {
            tenantId: ctx.tenantId,
            versions,
            logicalDate,
            shortDays: this.config.PSI_WINDOW_DAYS,
            longDays: this.config.PSI_LONG_WINDOW_DAYS,
          }),
        );
      }
      const pending: { p: Prepared; measured: Measured; input: DecisionInput }[] = [];
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
              : this.featuresOf(windows.get(logicalDate), modelType, p.context.version)),
            estimate: ps.length > 0 ? estimatedAccuracy(ps) : null,
          };
        } catch (err) {
          if (!(err instanceof DriftMathError)) throw err;
          ctx.fail(p.event, err);
          continue;
        }
        pending.push({ p, measured, input: this.inputOf(p, measured) });
      }
      // The labels new to each champion, read only for the checks whose decision looks at them (a breach):
      // one statement per day checked for all of its models.
      for (const [logicalDate, group] of groupBy(
        pending.filter((c) => needsNewLabels(c.input)),
        (c) => c.p.event.payload.logicalDate,
      )) {
        const found = await this.checks.newLabels(
          ctx.em,
          ctx.tenantId,
          group.map((c) => c.p.event.payload.modelType),
          logicalDate,
        );
        for (const c of group) c.input.newLabels = found.get(c.p.event.payload.modelType) ?? 0;
      }
      const decided: Decided[] = [];
      for (const c of pending) decided.push(await this.decideOne(c.p, c.measured, c.input, ctx.em));
      await this.store(decided, ctx);
      for (const d of decided) await this.tell(d, ctx);
    }
  }

  /**
   * What a check decides on, from the round's reads and what it measured. The labels new to the champion
   * and the rejected retrains of its episode are read after, only when the decision looks at them.
   */
  private inputOf(p: Prepared, measured: Measured): DecisionInput {
    const { event, openEpisode, context } = p;
    const { modelType, logicalDate, force, requestedBy } = event.payload;
    const cfg = MODEL_CONFIGS[modelType];
    const { features, windowDays, estimate } = measured;
    const scheduled = requestedBy === 'schedule' || requestedBy === 'catch_up';
    return {
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
      newLabels: 0,
      minNewLabels: cfg.minNewLabels,
      openEpisode,
      rejectedRetrains: 0,
      newEpisodeId: newId(),
      // k of n is the daily checks' rule: a person who asks for a check (the CLI) has looked, and is answered
      // on what it finds.
      opening: scheduled ? this.config.openingOf(modelType) : { k: 1, n: 1 },
    };
  }

  /** One check decided: what it reads besides the round's inputs (an episode's history), and its verdict. */
  private async decideOne(
    p: Prepared,
    measured: Measured,
    input: DecisionInput,
    em: BatchContext['em'],
  ): Promise<Decided> {
    const { event, openEpisode, context } = p;
    const { modelType, logicalDate, force, requestedBy } = event.payload;
    const tenantId = event.tenantId;
    const version = context.version;
    const { features, windowDays, estimate } = measured;
    if (openEpisode && openEpisode.retrains > 0 && context.champion)
      input.rejectedRetrains = await this.checks.rejectedRetrains(em, {
        tenantId,
        modelType,
        episodeId: openEpisode.id,
        championVersion: context.champion.version,
      });
    // No check for a retrain in progress here: the trainer owns its runs and coalesces a trigger that
    // arrives while one runs (one retrain at a time per model, whoever asks).
    const checkId = newId();
    const scheduled = requestedBy === 'schedule' || requestedBy === 'catch_up';
    // The earlier days' breaches are read only when today's could open or close an episode (k of n).
    const days = historyDays(input);
    if (days > 0)
      input.recent = await this.checks.recentBreaches(em, { tenantId, modelType, logicalDate, days });
    // Scheduled checks are keyed by (tenant, model, active version, date): a repeated trigger is suppressed.
    const key = scheduled && !force ? `${tenantId}:${modelType}:v${version ?? 0}:${logicalDate}` : null;
    return {
      event,
      context,
      measured,
      decision: decide(input),
      check: {
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
        idempotencyKey: key,
      },
    };
  }

  /**
   * Stores a round's checks in one statement, then each stored check's episode change. A check whose key
   * was used already (a repeated trigger) is stored again as `suppressed`, without its key: it changes no
   * episode and tells nobody but its requester.
   */
  private async store(decided: Decided[], ctx: BatchContext): Promise<void> {
    const { em } = ctx;
    const stored = await this.checks.record(
      em,
      decided.map((d) => ({ ...d.check, decision: d.decision })),
    );
    const repeated = decided.filter((d) => !stored.has(d.check.id));
    for (const d of repeated) {
      d.decision = {
        decision: 'suppressed',
        breach: d.decision.breach,
        accuracy: d.decision.accuracy,
        reasons: [
          `version ${d.check.version ?? '-'} was already checked for ${d.check.logicalDate}: not triggering again`,
        ],
        episode: { kind: 'none' },
      };
    }
    await this.checks.record(
      em,
      repeated.map((d) => ({ ...d.check, decision: d.decision, idempotencyKey: null })),
    );
    for (const d of decided) {
      if (!stored.has(d.check.id)) continue;
      const { tenantId, modelType, version, id: checkId } = d.check;
      await this.checks.applyEpisode(em, { tenantId, modelType, version, checkId }, d.decision.episode);
    }
  }

  /** Says what a stored check found: drift.checked, and drift.detected when it decided to retrain. */
  private async tell(d: Decided, ctx: BatchContext): Promise<void> {
    const { event, context, decision } = d;
    const { modelType, logicalDate } = event.payload;
    const log = ctx.logFor(event);
    const { features, windowDays, estimate } = d.measured;
    const version = d.check.version;
    const checkId = d.check.id;
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
    window: TenantWindowValues | undefined,
    modelType: ModelType,
    version: number,
  ): { features: FeatureResult[]; windowDays: number } {
    // Each baseline parsed once, for both windows.
    const mine = (window?.baselines ?? [])
      .filter((c) => c.modelType === modelType && c.version === version)
      .map((c) => ({
        feature: c.featureName,
        version,
        values: window?.values.get(c.featureName) ?? [],
        baseline: withFeature(c.featureName, version, () => parseBaseline(c.distribution)),
      }));
    const short = this.config.PSI_WINDOW_DAYS;
    const features = this.psi(mine, modelType, 'nShort');
    const claims = Math.max(0, ...features.map((f) => f.currentSize));
    const long = this.config.PSI_LONG_WINDOW_DAYS;
    if (claims >= this.config.MIN_WINDOW_SAMPLES || long <= short) return { features, windowDays: short };
    return { features: this.psi(mine, modelType, 'nLong'), windowDays: long };
  }

  /** PSI of every key feature whose window has enough claims, from its values as SQL counted them. */
  private psi(
    baselines: readonly CountedBaseline[],
    modelType: ModelType,
    window: 'nShort' | 'nLong',
  ): FeatureResult[] {
    const threshold = MODEL_CONFIGS[modelType].driftThreshold;
    return baselines.map(({ feature, version, values, baseline }) => {
      const inWindow = values.map((v) => ({ value: v.value, n: v[window] }));
      const counts = withFeature(feature, version, () => countsFromValues(baseline, inWindow));
      const currentSize = inWindow.reduce((sum, b) => sum + b.n, 0);
      if (currentSize < this.config.MIN_WINDOW_SAMPLES)
        return { feature, baselineSize: baseline.n, currentSize };
      const r = psiFromCounts(baseline, counts, { significant: threshold });
      return { feature, baselineSize: baseline.n, currentSize, psi: r.psi, band: r.band };
    });
  }
}
