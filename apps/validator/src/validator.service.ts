import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import {
  artifactBaselines,
  modelVersions,
  pairedOutcomes,
  planRollback,
  runningChallenger,
  versionBefore,
} from '@app/database';
import type { ChallengerView } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ChallengerDecision, ModelType, PromotionPolicy } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { ChallengerRepository } from './challenger.repository';
import type { TrialFigures } from './challenger.repository';
import { daysBetween, judgeTrial } from './challenger-trial';
import { scoreOnHoldout } from './champion-scoring';
import { ValidatorError } from './errors';
import { evaluateGates } from './gates';
import { ModelRegistryRepository } from './model-registry.repository';
import type { ActiveModel, CandidateFacts } from './model-registry.repository';
import { ValidatorConfig } from './validator.config';

/** The logical day of a run's `asOf` (the end of the day of the check that asked for it). */
function logicalDayOf(asOf: Date): string {
  return new Date(asOf.getTime() - 1).toISOString().slice(0, 10);
}

const wallClockDay = (): string => new Date().toISOString().slice(0, 10);

/**
 * The spec's steps 5 and 6: judges a trained candidate against the gates (accuracy floor, evidence, A/B
 * against the champion on the same hold-out with McNemar's test, improvement over it, fairness) and, when
 * every gate passes, deploys it: exactly one active version per tenant and model. With the model's promotion
 * `shadow`, a candidate that passes starts as the challenger instead, scores live claims beside the
 * champion, and is promoted or retired by a sequential test on their paired outcomes, re-evaluated at every
 * daily check (issue 19; docs/models.md, "Shadow challengers"). Also rolls back on request.
 */
@Injectable()
export class ValidatorService {
  private readonly validations;
  private readonly deployments;
  private readonly trials;

  constructor(
    private readonly registry: ModelRegistryRepository,
    private readonly challengers: ChallengerRepository,
    private readonly config: ValidatorConfig,
    metrics: MessagingMetrics,
  ) {
    this.trials = metrics.counter(
      'ue_challengers_total',
      'Shadow challengers, by model and event (started, promoted, retired_*)',
      ['model_type', 'event'],
    );
    this.validations = metrics.counter('ue_validations_total', 'Candidates validated, by model and verdict', [
      'model_type',
      'passed',
    ]);
    this.deployments = metrics.counter(
      'ue_deployments_total',
      'Versions activated, by model and reason (validated, rollback, promoted)',
      ['model_type', 'reason'],
    );
  }

  @OnEvent('model.trained')
  async onModelTrained(event: Envelope<'model.trained'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const { em, log } = ctx;
    const champion = await this.registry.activeForUpdate(em, event.tenantId, p.modelType);
    const trial = await runningChallenger(em, event.tenantId, p.modelType);
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
    const newest = Math.max(champion?.version ?? 0, trial?.challengerVersion ?? 0);
    if (champion && newest >= p.candidateVersion) {
      // A late or replayed candidate never replaces a newer model (nor a newer challenger); it is not even scored.
      const than =
        newest === champion.version ? `active v${champion.version}` : `challenger v${newest} on trial`;
      const gates = [
        {
          name: 'newer_than_active',
          value: p.candidateVersion,
          threshold: newest,
          passed: false,
          detail: `candidate v${p.candidateVersion} is not newer than ${than}`,
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
    // Shadow needs a champion that scores live claims to be paired with: a model without an active version,
    // or whose active version has no artifact (the scorer cannot answer with it), deploys directly.
    const shadow =
      passed && champion !== null && champion.artifactId !== null && this.policyOf(p.modelType) === 'shadow';
    this.validations.inc({ model_type: p.modelType, passed: String(passed) });
    await verdict(
      passed,
      { gates, subgroups: scores.subgroups, ...(shadow ? { challenger: true } : {}) },
      new Date(),
    );
    await ctx.emit('model.validated', {
      runId: p.runId,
      modelType: p.modelType,
      candidateVersion: p.candidateVersion,
      championVersion: champion?.version,
      passed,
      gates,
      ...(shadow ? { challenger: true } : {}),
    });
    if (!passed) {
      log.info('candidate rejected', {
        modelType: p.modelType,
        version: p.candidateVersion,
        failed: gates.filter((g) => !g.passed).map((g) => g.reason ?? g.name),
      });
      return;
    }
    const candidate: CandidateFacts = {
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
    };
    const baselines = await artifactBaselines(em, p.artifactId);
    const today = logicalDayOf(scores.asOf);
    if (shadow && champion) {
      if (trial)
        await this.endTrial(ctx, trial, {
          decision: 'retired_superseded',
          reason: `v${trial.challengerVersion} is replaced by v${p.candidateVersion}, a newer candidate that passed the gates`,
          today,
        });
      await this.registry.register(em, {
        tenantId: event.tenantId,
        modelType: p.modelType,
        version: p.candidateVersion,
        runId: p.runId,
        candidate,
        baselines,
      });
      await this.challengers.start(em, {
        tenantId: event.tenantId,
        modelType: p.modelType,
        challengerVersion: p.candidateVersion,
        championVersion: champion.version,
        runId: p.runId,
        startedOn: today,
        correlationId: event.correlationId,
      });
      this.trials.inc({ model_type: p.modelType, event: 'started' });
      log.info('candidate started as a shadow challenger', {
        modelType: p.modelType,
        version: p.candidateVersion,
        champion: champion.version,
        startedOn: today,
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
      candidate,
      baselines,
    });
    if (trial)
      await this.endTrial(ctx, trial, {
        decision: 'retired_champion_changed',
        reason: `v${p.candidateVersion} was deployed directly in place of v${trial.championVersion}, the champion the challenger was paired with`,
        today,
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
    // The challenger's pairs were against the champion that just left: its trial cannot go on.
    const trial = await runningChallenger(em, event.tenantId, p.modelType);
    if (trial)
      await this.endTrial(ctx, trial, {
        decision: 'retired_champion_changed',
        reason: `rolled back from v${from.version} to v${to.version}: the champion the challenger was paired with left production`,
        today: wallClockDay(),
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

  /**
   * Every daily check re-evaluates the model's challenger, if one is on trial: the sequential test over
   * its paired outcomes with the champion, counted afresh from the stored predictions. It continues, or
   * promotes it (a deployment like any other, with the trial as its evidence), or retires it.
   */
  @OnEvent('drift.checked')
  async onDriftChecked(event: Envelope<'drift.checked'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const { em, log } = ctx;
    // Most checks find no trial: one indexed look-up, without the deployment lock.
    if (!(await runningChallenger(em, event.tenantId, p.modelType))) return;
    const champion = await this.registry.activeForUpdate(em, event.tenantId, p.modelType);
    const trial = await runningChallenger(em, event.tenantId, p.modelType);
    if (!trial) return;
    const today = p.logicalDate ?? wallClockDay();
    // A check of a day the trial has already been judged on, or of a day before it started (a catch-up, a
    // replay), says nothing new: the trial is judged on its newest day only.
    if (today < (trial.evaluatedOn ?? trial.startedOn)) return;
    if (!champion || champion.version !== trial.championVersion) {
      await this.endTrial(ctx, trial, {
        decision: 'retired_champion_changed',
        reason: `the champion it was paired with, v${trial.championVersion}, is no longer in production`,
        today,
      });
      return;
    }
    const paired = await pairedOutcomes(em, {
      tenantId: event.tenantId,
      modelType: p.modelType,
      championVersion: trial.championVersion,
      challengerVersion: trial.challengerVersion,
      limit: this.config.SHADOW_MAX_PAIRS,
    });
    const j = judgeTrial({
      challengerVersion: trial.challengerVersion,
      championVersion: trial.championVersion,
      labelledPairs: paired.labelledPairs,
      discordant: paired.discordant,
      startedOn: trial.startedOn,
      today,
      maxDays: MODEL_CONFIGS[p.modelType].shadowMaxDays,
      test: {
        alpha: this.config.SHADOW_ALPHA,
        prior: this.config.SHADOW_PRIOR,
        maxPairs: this.config.SHADOW_MAX_PAIRS,
      },
    });
    const figures: TrialFigures = {
      evaluatedOn: today,
      labelledPairs: paired.labelledPairs,
      discordantPairs: j.test.pairs,
      challengerWins: j.test.challengerWins,
      logLikelihoodRatio: j.test.logLikelihoodRatio,
      alwaysValidP: j.test.alwaysValidP,
    };
    if (j.outcome === 'continue') {
      await this.challengers.recordEvaluation(em, trial.id, figures);
      log.info('shadow challenger evaluated: undecided', {
        modelType: p.modelType,
        challenger: trial.challengerVersion,
        labelledPairs: figures.labelledPairs,
        discordantPairs: figures.discordantPairs,
        challengerWins: figures.challengerWins,
        logLikelihoodRatio: figures.logLikelihoodRatio,
      });
      return;
    }
    if (j.outcome === 'promoted')
      await this.promote(ctx, event.correlationId, trial, champion, figures, j.reason, today);
    else await this.endTrial(ctx, trial, { decision: j.outcome, reason: j.reason, today, figures });
  }

  /** The challenger becomes the active version, with its trial in the deployment history. */
  private async promote(
    ctx: HandlerContext,
    correlationId: string,
    trial: ChallengerView,
    champion: ActiveModel,
    figures: TrialFigures,
    reason: string,
    today: string,
  ): Promise<void> {
    const { em, log } = ctx;
    const evidence = this.evidenceOf(trial, figures, today);
    await this.registry.activate(em, {
      tenantId: trial.tenantId,
      modelType: trial.modelType,
      version: trial.challengerVersion,
      previous: champion.version,
      reason: 'promoted',
      correlationId,
      runId: trial.trainingRunId ?? undefined,
      evidence: { ...evidence, reason },
    });
    const meta = (await modelVersions(em, trial.tenantId, trial.modelType)).find(
      (v) => v.version === trial.challengerVersion,
    );
    await ctx.emit('model.deployed', {
      modelType: trial.modelType,
      version: trial.challengerVersion,
      previousVersion: champion.version,
      reason: 'promoted',
      ...(trial.trainingRunId ? { runId: trial.trainingRunId } : {}),
      accuracy: meta?.accuracy ?? champion.accuracy,
    });
    this.deployments.inc({ model_type: trial.modelType, reason: 'promoted' });
    await this.endTrial(ctx, trial, { decision: 'promoted', reason, today, figures });
    log.info('shadow challenger promoted', {
      modelType: trial.modelType,
      version: trial.challengerVersion,
      previous: champion.version,
      ...evidence,
    });
  }

  /** Ends a trial (promoted or retired) and tells people why, with its figures. */
  private async endTrial(
    ctx: HandlerContext,
    trial: ChallengerView,
    e: { decision: ChallengerDecision; reason: string; today: string; figures?: TrialFigures },
  ): Promise<void> {
    const figures: TrialFigures = e.figures ?? {
      evaluatedOn: trial.evaluatedOn ?? e.today,
      labelledPairs: trial.labelledPairs,
      discordantPairs: trial.discordantPairs,
      challengerWins: trial.challengerWins,
      logLikelihoodRatio: trial.logLikelihoodRatio,
      alwaysValidP: trial.alwaysValidP,
    };
    const ended = await this.challengers.end(ctx.em, trial.id, {
      decision: e.decision,
      reason: e.reason,
      decidedOn: e.today,
      figures,
    });
    if (!ended) return;
    await ctx.emit('model.challenger.decided', {
      modelType: trial.modelType,
      challengerVersion: trial.challengerVersion,
      championVersion: trial.championVersion,
      decision: e.decision,
      reason: e.reason,
      evidence: this.evidenceOf(trial, figures, e.today),
      logicalDate: e.today,
    });
    this.trials.inc({ model_type: trial.modelType, event: e.decision });
    if (e.decision !== 'promoted')
      ctx.log.info('shadow challenger retired', {
        modelType: trial.modelType,
        version: trial.challengerVersion,
        decision: e.decision,
        reason: e.reason,
      });
  }

  private evidenceOf(trial: ChallengerView, f: TrialFigures, today: string) {
    return {
      labelledPairs: f.labelledPairs,
      discordantPairs: f.discordantPairs,
      challengerWins: f.challengerWins,
      logLikelihoodRatio: f.logLikelihoodRatio,
      alwaysValidP: f.alwaysValidP,
      startedOn: trial.startedOn,
      decidedOn: today,
      days: Math.max(0, daysBetween(trial.startedOn, today)),
    };
  }

  private policyOf(modelType: ModelType): PromotionPolicy {
    return this.config.PROMOTION_POLICY === 'models'
      ? MODEL_CONFIGS[modelType].promotion
      : this.config.PROMOTION_POLICY;
  }
}
