import type { EntityManager } from '@mikro-orm/postgresql';
import { raw } from '@mikro-orm/core';
import type { ModelType } from '@app/domain';
import { MlPrediction } from '../entities/ml.entities';

/**
 * Read models over the claims application's predictions (ml_predictions; the seeder stands in for its
 * owner): how the validator scores a champion without an artifact, and how the drift monitor measures
 * recent accuracy.
 */

/**
 * Whether each of these claims was predicted right by one version in production: claim id -> correct.
 * Claims without a known outcome, or not predicted by that version, are absent.
 */
export async function predictionOutcomes(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; version: number; claimIds: readonly string[] },
): Promise<Map<string, boolean>> {
  if (q.claimIds.length === 0) return new Map();
  const rows = await em.find(
    MlPrediction,
    {
      tenantId: q.tenantId,
      modelType: q.modelType,
      modelVersion: q.version,
      isCorrect: { $ne: null },
      claimId: { $in: [...q.claimIds] },
    },
    { fields: ['claimId', 'isCorrect'], disableIdentityMap: true },
  );
  return new Map(rows.map((r) => [r.claimId, r.isCorrect === true]));
}

/** Correct and labelled predictions of a model (any version) whose outcome became known in a window. */
export interface AccuracyWindow {
  correct: number;
  labelled: number;
}

/** Counted in Postgres: only two numbers travel. `from` inclusive, `to` exclusive. */
export async function accuracyWindow(
  em: EntityManager,
  q: { tenantId: string; modelType: ModelType; from: Date; to: Date },
): Promise<AccuracyWindow> {
  const row = await em
    .createQueryBuilder(MlPrediction, 'p')
    .select([raw('count(*) filter (where p.is_correct)::int as correct'), raw('count(*)::int as labelled')])
    .where({
      tenantId: q.tenantId,
      modelType: q.modelType,
      isCorrect: { $ne: null },
      outcomeKnownAt: { $gte: q.from, $lt: q.to },
    })
    .execute<{ correct: number; labelled: number }>('get');
  return { correct: Number(row.correct), labelled: Number(row.labelled) };
}
