import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  advisoryXactLocks,
  DriftCheck,
  DriftEpisode,
  insertDriftChecks,
  tenantDriftCheckInputs,
  tenantNewLabels,
  noImprovementVerdicts,
  tenantWindowValues,
} from '@app/database';
import type { DriftCheckInputs, NewDriftCheckRow, TenantWindowValues } from '@app/database';
import type { EstimatedAccuracy } from '@app/drift';
import type { ModelType } from '@app/domain';
import type { DayBreach, Decision, EpisodeChange, EpisodeState, FeatureResult } from './decision';

/** The end (exclusive) of a logical date's windows: the next midnight UTC. */
export function windowEnd(logicalDate: string): Date {
  return new Date(Date.parse(`${logicalDate}T00:00:00Z`) + 86_400_000);
}

const DAY_MS = 86_400_000;

/** The version in production (null when the tenant has none) and its recent accuracy window. */
export type CheckContext = DriftCheckInputs;

/** A check as the drift monitor decided it, to be stored in drift_checks. */
export interface NewDriftCheck {
  id: string;
  tenantId: string;
  modelType: ModelType;
  version: number | null;
  logicalDate: string;
  decision: Decision;
  features: FeatureResult[];
  /** (tenant, model, version, date) for scheduled checks; null: always stored. */
  idempotencyKey: string | null;
  /** Days of the window the features were judged on. */
  psiWindowDays: number;
  maturity: DriftCheckInputs['maturity'];
  estimate: EstimatedAccuracy | null;
  eventId: string;
  correlationId: string;
}

@Injectable()
export class DriftCheckRepository {
  /**
   * The baselines of each (model, version) asked and the short and long windows' claims counted by
   * distinct feature value: one statement for all of a tenant's checks of a day (libs/database
   * tenantWindowValues).
   */
  async windowValues(
    em: EntityManager,
    q: {
      tenantId: string;
      versions: readonly { modelType: ModelType; version: number }[];
      logicalDate: string;
      shortDays: number;
      longDays: number;
    },
  ): Promise<TenantWindowValues> {
    const to = windowEnd(q.logicalDate);
    return tenantWindowValues((sql, params) => em.execute(sql, params), {
      tenantId: q.tenantId,
      versions: q.versions,
      shortFrom: new Date(to.getTime() - q.shortDays * DAY_MS),
      longFrom: new Date(to.getTime() - Math.max(q.shortDays, q.longDays) * DAY_MS),
      to,
    });
  }

  /**
   * In one round trip, for each of a tenant's models checked for a day: the active version (the validator's
   * registry), the accuracy of its predictions whose outcome became known in the accuracy window, the label
   * maturity of its predictions made in it, the known labels of its predictions of the filing cohort, and
   * the challenger on trial beside it.
   */
  async contexts(
    em: EntityManager,
    tenantId: string,
    modelTypes: readonly ModelType[],
    logicalDate: string,
    days: { accuracy: number; cohort: number },
  ): Promise<Map<ModelType, CheckContext>> {
    const to = windowEnd(logicalDate);
    return tenantDriftCheckInputs(em, {
      tenantId,
      modelTypes,
      from: new Date(to.getTime() - days.accuracy * DAY_MS),
      cohortFrom: new Date(to.getTime() - days.cohort * DAY_MS),
      to,
    });
  }

  /** The labels new to each of these models' champions, as of a logical date's end (libs/database). */
  async newLabels(
    em: EntityManager,
    tenantId: string,
    modelTypes: readonly ModelType[],
    logicalDate: string,
  ): Promise<Map<ModelType, number>> {
    return tenantNewLabels(em, { tenantId, modelTypes, to: windowEnd(logicalDate) });
  }

  /**
   * Stores checks in one statement. A check with an idempotency key that was already used (same tenant,
   * model, active version and logical date) is not stored again: the ids returned are those stored, and the
   * caller reports the others suppressed.
   */
  async record(em: EntityManager, checks: readonly NewDriftCheck[]): Promise<Set<string>> {
    return insertDriftChecks(em, checks.map(toRow));
  }

  /**
   * Whether each of the `days` logical dates before `logicalDate` had a check that found a breach (a
   * repeated, suppressed check aside): what the k of n of the episode rule counts.
   */
  async recentBreaches(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; logicalDate: string; days: number },
  ): Promise<DayBreach[]> {
    const day = (offset: number) =>
      new Date(Date.parse(`${q.logicalDate}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);
    const rows = await em.find(
      DriftCheck,
      {
        tenantId: q.tenantId,
        modelType: q.modelType,
        logicalDate: { $gte: day(-q.days), $lt: q.logicalDate },
        decision: { $ne: 'suppressed' },
      },
      { fields: ['logicalDate', 'breach'], disableIdentityMap: true },
    );
    const breached = new Map<string, boolean>();
    for (const r of rows) breached.set(r.logicalDate, (breached.get(r.logicalDate) ?? false) || r.breach);
    return [...breached].map(([logicalDate, breach]) => ({ logicalDate, breach }));
  }

  /**
   * The open episodes of a tenant's models, read after taking each (tenant, model)'s transaction lock (all
   * in one statement, in a fixed order): checks of one model (a scheduled one and an operator's) then decide
   * one after the other, each seeing the episode the previous one left.
   */
  async openEpisodes(
    em: EntityManager,
    tenantId: string,
    modelTypes: readonly ModelType[],
  ): Promise<Map<ModelType, EpisodeState>> {
    await advisoryXactLocks(
      em,
      modelTypes.map((m) => `drift-episode:${tenantId}:${m}`),
    );
    const rows = await em.find(
      DriftEpisode,
      { tenantId, modelType: { $in: [...modelTypes] }, status: 'open' },
      { disableIdentityMap: true },
    );
    return new Map(
      rows.map((e) => [
        e.modelType,
        {
          id: e.id,
          condition: e.condition,
          startedOn: e.startedOn,
          lastSeenOn: e.lastSeenOn,
          days: e.days,
          retrains: e.retrains,
          lastRetrainOn: e.lastRetrainOn,
          lastRetrainChampion: e.lastRetrainChampion,
          lastRetrainNewLabels: e.lastRetrainNewLabels,
        },
      ]),
    );
  }

  /**
   * How many of the episode's retrains against `championVersion` (its checks that decided `retrain` while
   * that version was active) the validator rejected as no_improvement.
   */
  async rejectedRetrains(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; episodeId: string; championVersion: number },
  ): Promise<number> {
    const checks = await em.find(
      DriftCheck,
      { episodeId: q.episodeId, decision: 'retrain', modelVersion: q.championVersion },
      { fields: ['correlationId'], disableIdentityMap: true },
    );
    return noImprovementVerdicts(em, {
      tenantId: q.tenantId,
      modelType: q.modelType,
      correlationIds: checks.map((c) => c.correlationId),
    });
  }

  /** Stores what the decision did to the episode: opens, continues or closes it. */
  async applyEpisode(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; version: number | null; checkId: string },
    change: EpisodeChange,
  ): Promise<void> {
    const now = new Date();
    switch (change.kind) {
      case 'none':
        return;
      case 'open': {
        await em.insert(DriftEpisode, {
          ...change.episode,
          tenantId: q.tenantId,
          modelType: q.modelType,
          status: 'open',
          modelVersion: q.version,
          openedByCheckId: q.checkId,
        });
        return;
      }
      case 'continue': {
        const { id, ...state } = change.episode;
        await em.nativeUpdate(DriftEpisode, { id }, { ...state, updatedAt: now });
        return;
      }
      case 'close':
        await em.nativeUpdate(
          DriftEpisode,
          { id: change.episode.id },
          { status: 'closed', endedOn: change.endedOn, updatedAt: now },
        );
        return;
    }
  }
}

/** A check as drift_checks stores it: its most drifted feature, accuracies and label maturity in columns. */
function toRow(c: NewDriftCheck): NewDriftCheckRow {
  const a = c.decision.accuracy;
  const top = [...c.features]
    .filter((f) => f.psi !== undefined)
    .sort((x, y) => (y.psi ?? 0) - (x.psi ?? 0))[0];
  return {
    id: c.id,
    tenantId: c.tenantId,
    modelType: c.modelType,
    modelVersion: c.version,
    logicalDate: c.logicalDate,
    decision: c.decision.decision,
    breach: c.decision.breach,
    features: c.features.map((f) => ({ ...f })),
    maxPsi: top?.psi ?? null,
    maxPsiFeature: top?.feature ?? null,
    accuracy: a?.value ?? null,
    accuracyLow: a?.low ?? null,
    accuracyHigh: a?.high ?? null,
    labelledCount: a?.labelled ?? 0,
    reasons: c.decision.reasons,
    psiWindowDays: c.psiWindowDays,
    windowPredictions: c.maturity.predictions,
    windowLabelled: c.maturity.labelled,
    labelCoverage: c.maturity.predictions > 0 ? c.maturity.labelled / c.maturity.predictions : null,
    oldestUnlabelledAt: c.maturity.oldestUnlabelledAt,
    estimatedAccuracy: c.estimate?.estimate ?? null,
    estimatedLow: c.estimate?.low ?? null,
    estimatedHigh: c.estimate?.high ?? null,
    estimatedCount: c.estimate?.n ?? 0,
    accuracySource: c.decision.accuracySource ?? null,
    newLabels: c.decision.eligibility?.newLabels ?? null,
    newLabelsNeeded: c.decision.eligibility?.needed ?? null,
    episodeId: c.decision.episode.kind === 'none' ? null : c.decision.episode.episode.id,
    idempotencyKey: c.idempotencyKey,
    eventId: c.eventId,
    correlationId: c.correlationId,
  };
}
