import type { EntityManager } from '@mikro-orm/postgresql';
import { candidateArtifact, labelledClaims, predictionOutcomes, trainingRun } from '@app/database';
import type { CandidateArtifactView, LabelledClaim } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { evaluateXgbModel, heldOutOf, loadStoredModel, RECENT_INTERLEAVED } from '@app/ml';
import type { ChampionScore, SubgroupAccuracy } from './gates';
import { ValidatorError } from './errors';
import type { ActiveModel } from './model-registry.repository';

/** Member age bands used for the fairness audit (docs/models.md). */
export function ageBand(age: number): string {
  return age < 30 ? '<30' : age < 45 ? '30-44' : age < 60 ? '45-59' : '60+';
}

/** Per-example outcomes of a stored model on the hold-out. */
function outcomesOf(
  modelType: ModelType,
  artifact: CandidateArtifactView,
  holdout: readonly LabelledClaim[],
): boolean[] {
  const booster = loadStoredModel(artifact);
  try {
    return evaluateXgbModel(modelType, booster, MODEL_CONFIGS[modelType].features, holdout).correct;
  } finally {
    booster.dispose();
  }
}

export interface HoldoutScores {
  /** The run's logical time (training-run asOf): the end of the day of the check that asked for it. */
  asOf: Date;
  holdout: LabelledClaim[];
  candidate: boolean[];
  champion: ChampionScore | null;
  subgroups: SubgroupAccuracy[];
}

/**
 * Rebuilds the candidate's hold-out (the claims at or after the cut-off the trainer recorded, among the
 * labelled examples as of the run's own logical time, so the same examples whenever it runs), scores the
 * candidate's artifact on it, and scores the champion on the same examples: with its artifact when it
 * has one, otherwise with the predictions it made in production for those claims (seeded version 1).
 */
export async function scoreOnHoldout(
  em: EntityManager,
  q: {
    tenantId: string;
    modelType: ModelType;
    runId: string;
    candidateArtifactId: string;
    champion: ActiveModel | null;
  },
): Promise<HoldoutScores> {
  const run = await trainingRun(em, q.runId);
  const cutoffAt = run?.split?.cutoff;
  if (!run || !cutoffAt)
    throw new ValidatorError('NO_SPLIT', `training run ${q.runId} has no recorded hold-out split`);
  const months = MODEL_CONFIGS[q.modelType].trainingWindowMonths;
  const recent = await labelledClaims(em, q.tenantId, q.modelType, months, run.asOf, cutoffAt);
  // Interleaved splits hold out every other recent example; older runs held out all of them.
  const holdout = run.split?.method === RECENT_INTERLEAVED ? heldOutOf(recent) : recent;
  const candidateStored = await candidateArtifact(em, q.candidateArtifactId);
  if (!candidateStored)
    throw new ValidatorError('NO_ARTIFACT', `candidate artifact ${q.candidateArtifactId} not found`);
  const candidate = holdout.length > 0 ? outcomesOf(q.modelType, candidateStored, holdout) : [];

  let champion: ChampionScore | null = null;
  if (q.champion) {
    const stored = q.champion.artifactId ? await candidateArtifact(em, q.champion.artifactId) : null;
    if (stored) {
      champion = {
        version: q.champion.version,
        source: 'artifact',
        champion: outcomesOf(q.modelType, stored, holdout),
        candidate,
      };
    } else {
      const outcomes = await predictionOutcomes(em, {
        tenantId: q.tenantId,
        modelType: q.modelType,
        version: q.champion.version,
        claimIds: holdout.map((c) => c.id),
      });
      const idx = holdout.map((c, i) => (outcomes.has(c.id) ? i : -1)).filter((i) => i >= 0);
      champion = {
        version: q.champion.version,
        source: 'stored predictions',
        champion: idx.map((i) => outcomes.get(holdout[i]!.id)!),
        candidate: idx.map((i) => candidate[i]!),
      };
    }
  }

  const groups = new Map<string, { attribute: string; group: string; n: number; right: number }>();
  holdout.forEach((c, i) => {
    for (const [attribute, group] of [
      ['age_band', ageBand(c.member_age)],
      ['department', c.department],
    ] as const) {
      const key = `${attribute}:${group}`;
      const g = groups.get(key) ?? { attribute, group, n: 0, right: 0 };
      g.n += 1;
      if (candidate[i]) g.right += 1;
      groups.set(key, g);
    }
  });
  const subgroups = [...groups.values()].map((g) => ({
    attribute: g.attribute,
    group: g.group,
    n: g.n,
    accuracy: g.right / g.n,
  }));
  return { asOf: run.asOf, holdout, candidate, champion, subgroups };
}
