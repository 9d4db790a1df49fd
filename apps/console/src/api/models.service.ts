import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  challengers,
  deploymentHistory,
  driftChecks,
  driftEpisodes,
  fleetEntries,
  modelVersions,
  trainingRuns,
  verdictsOfRuns,
  windowHistograms,
} from '@app/database';
import type { DriftCheckView, TrainingRunView } from '@app/database';
import { countsFromBins, DEFAULT_MODERATE_PSI, parseBaseline, psiFromCounts } from '@app/drift';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { ConsoleError } from '../errors';
import { challengerRow, evidenceOf, SHADOW_THRESHOLD } from './challengers';
import { modelState } from './state';
import type { CheckPoint, DeploymentRow, GateResult, Histograms, ModelDetail, TrainingRunRow } from './types';

const DAY_MS = 86_400_000;
/** The drift monitor's input window when a stored check does not say (checks before it was recorded). */
const DEFAULT_PSI_WINDOW_DAYS = 30;
/** Shadow trials on the model page: the running one and the latest verdicts (a trial lasts days to months). */
const CHALLENGER_LIMIT = 20;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function checkPoint(c: DriftCheckView): CheckPoint {
  const psi: Record<string, number> = {};
  for (const f of c.features) if (f.psi !== null) psi[f.feature] = f.psi;
  return {
    logicalDate: c.logicalDate,
    version: c.version,
    decision: c.decision,
    psi,
    maxPsi: c.maxPsi,
    realized: c.accuracy && {
      value: c.accuracy.value,
      low: c.accuracy.low,
      high: c.accuracy.high,
      n: c.accuracy.labelled,
    },
    estimated: c.estimated,
    accuracySource: c.accuracySource,
    labelCoverage: c.labels?.coverage ?? null,
    reasons: c.reasons,
    episodeId: c.episodeId,
  };
}

interface StoredGate {
  name?: unknown;
  passed?: unknown;
  detail?: unknown;
  reason?: unknown;
}

/** The validator's stored verdict, as the page shows it: every gate, and why the candidate went or stayed. */
export function verdictOf(v: {
  passed: boolean;
  result: Record<string, unknown>;
}): TrainingRunRow['verdict'] {
  const stored = Array.isArray(v.result.gates) ? (v.result.gates as StoredGate[]) : [];
  const gates: GateResult[] = stored.map((g) => ({
    gate: String(g.name ?? 'gate'),
    passed: g.passed === true,
    detail: typeof g.detail === 'string' ? g.detail : '',
  }));
  const failed = stored.filter((g) => g.passed !== true);
  return {
    passed: v.passed,
    decision: v.passed ? 'deployed' : String(failed[0]?.reason ?? failed[0]?.name ?? 'rejected'),
    reasons: failed.map((g) => (typeof g.detail === 'string' ? g.detail : String(g.name ?? ''))),
    gates,
  };
}

function runRow(r: TrainingRunView, verdict: TrainingRunRow['verdict']): TrainingRunRow {
  return {
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.startedAt?.toISOString() ?? null,
    completedAt: r.completedAt?.toISOString() ?? null,
    candidateVersion: r.candidateVersion,
    accuracy: r.holdoutAccuracy,
    samples: r.trainingSamples,
    error: r.error,
    verdict,
  };
}

/** A model's page: its history of checks, episodes, runs with their verdicts, deployments and shadow trials. */
@Injectable()
export class ModelsService {
  async detail(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; days: number; today?: Date },
  ): Promise<ModelDetail> {
    const cfg = MODEL_CONFIGS[q.modelType];
    const [entry] = await fleetEntries(em, { modelType: q.modelType });
    if (!entry) throw new ConsoleError('NOT_FOUND', `no tenant ${q.tenantId}`);
    const today = q.today ?? new Date();
    const since = isoDay(new Date(today.getTime() - q.days * DAY_MS));
    // One after the other: they share the request's transaction (its connection and its tenant scope).
    const checks = await driftChecks(em, q.tenantId, q.modelType, since);
    const episodes = await driftEpisodes(em, q.tenantId, q.modelType);
    const runs = await trainingRuns(em, q.tenantId, q.modelType, 100);
    const versions = await modelVersions(em, q.tenantId, q.modelType);
    const deployments = await deploymentHistory(em, q.tenantId, q.modelType);
    const verdicts = await verdictsOfRuns(
      em,
      runs.map((r) => r.id),
    );
    const trials = await challengers(em, {
      tenantId: q.tenantId,
      modelType: q.modelType,
      limit: CHALLENGER_LIMIT,
    });
    // Every deployment, newest first (a rollback is one too); a version deployed before the history was
    // kept (the seeded version 1 of older databases) is shown from the registry.
    const accuracyOf = new Map(versions.map((v) => [v.version, v.accuracy]));
    const active = versions.find((v) => v.active)?.version ?? null;
    const deploymentRows: DeploymentRow[] = deployments.map((d, i) => ({
      version: d.toVersion,
      fromVersion: d.fromVersion,
      active: i === 0 && d.toVersion === active,
      accuracy: accuracyOf.get(d.toVersion) ?? null,
      deployedAt: d.deployedAt.toISOString(),
      reason: d.reason,
      evidence: evidenceOf(d.evidence),
    }));
    for (const v of [...versions].reverse())
      if (v.deployedAt !== null && !deployments.some((d) => d.toVersion === v.version))
        deploymentRows.push({
          version: v.version,
          fromVersion: null,
          active: v.active && deploymentRows.every((r) => !r.active),
          accuracy: v.accuracy,
          deployedAt: v.deployedAt.toISOString(),
          reason: null,
          evidence: null,
        });
    return {
      tenantId: q.tenantId,
      tenantName: entry.tenantName,
      modelType: q.modelType,
      state: modelState(entry, { accuracyThreshold: cfg.accuracyThreshold }),
      activeVersion: entry.activeVersion,
      thresholds: {
        accuracy: cfg.accuracyThreshold,
        psi: cfg.driftThreshold,
        psiModerate: DEFAULT_MODERATE_PSI,
      },
      features: [...cfg.features],
      checks: checks.map(checkPoint),
      episodes: episodes
        .filter((e) => e.lastSeenOn >= since || e.status === 'open')
        .map((e) => ({
          id: e.id,
          condition: e.condition,
          status: e.status,
          startedOn: e.startedOn,
          lastSeenOn: e.lastSeenOn,
          endedOn: e.endedOn,
          days: e.days,
          retrains: e.retrains,
        })),
      trainingRuns: runs.map((r) => {
        const v = verdicts.get(r.id);
        return runRow(r, v ? verdictOf(v) : null);
      }),
      deployments: deploymentRows,
      challengers: trials.map((c) => challengerRow(c, isoDay(today))),
      shadow: { threshold: SHADOW_THRESHOLD, maxDays: cfg.shadowMaxDays },
    };
  }

  /**
   * Baseline against window of one day's check, per feature: the same SQL counts and the same PSI as the
   * drift monitor (libs/database windowHistograms, libs/drift psiFromCounts), so a bar here is what the
   * check saw. Bins are the baseline's frozen ones.
   */
  async histograms(
    em: EntityManager,
    q: { tenantId: string; modelType: ModelType; date: string },
  ): Promise<Histograms> {
    const checks = await driftChecks(em, q.tenantId, q.modelType, q.date);
    const check = checks.filter((c) => c.logicalDate === q.date && c.version !== null).at(-1);
    if (!check || check.version === null)
      throw new ConsoleError('NOT_FOUND', `no check of ${q.modelType} on ${q.date} for tenant ${q.tenantId}`);
    const to = new Date(Date.parse(`${q.date}T00:00:00Z`) + DAY_MS);
    const days = check.psiWindowDays ?? DEFAULT_PSI_WINDOW_DAYS;
    const counts = await windowHistograms(em, {
      tenantId: q.tenantId,
      modelType: q.modelType,
      version: check.version,
      from: new Date(to.getTime() - days * DAY_MS),
      to,
    });
    const byFeature = new Map<string, typeof counts>();
    for (const c of counts) byFeature.set(c.featureName, [...(byFeature.get(c.featureName) ?? []), c]);
    const threshold = MODEL_CONFIGS[q.modelType].driftThreshold;
    const features = [...byFeature].flatMap(([feature, bins]) => {
      const baseline = parseBaseline(bins[0]!.distribution);
      const current = countsFromBins(baseline, bins);
      if (bins.every((b) => b.n === 0)) return [];
      const r = psiFromCounts(baseline, current, { significant: threshold });
      return [
        {
          feature,
          kind: (baseline.kind === 'numeric_binned' || baseline.numeric ? 'numeric' : 'categorical') as
            'numeric' | 'categorical',
          psi: r.psi,
          bins: r.bins.map((b) => ({ label: b.label, baseline: b.baselineShare, window: b.currentShare })),
        },
      ];
    });
    return { date: q.date, version: check.version, features };
  }
}
