import type { EntityManager } from '@mikro-orm/postgresql';
import { artifactOfVersion, challengers, labelledClaims } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { evaluateXgbModel, loadStoredModel } from '@app/ml';
import type { ChallengerRecord } from './report';
import { PROMOTION_JUDGED_DAYS } from './report';

const DAY_MS = 86_400_000;
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** A model's accuracy on these claims, its artifact loaded for the purpose; null without an artifact. */
async function accuracyOn(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  version: number,
  claims: Parameters<typeof evaluateXgbModel>[3],
): Promise<number | null> {
  const artifact = await artifactOfVersion(em, tenantId, modelType, version);
  if (!artifact) return null;
  const booster = loadStoredModel(artifact);
  try {
    return evaluateXgbModel(modelType, booster, MODEL_CONFIGS[modelType].features, claims).accuracy;
  } finally {
    booster.dispose();
  }
}

/**
 * Every shadow trial of a tenant's model, as simulated days (`startMs`: day 0). A promoted one is judged as
 * issue 19 asks: on the claims filed in the 30 days after its promotion whose label was known by the run's
 * end (`endAt`), its accuracy against that of the champion it replaced, both scored here with their
 * artifacts (the old champion no longer scores live claims, so this is the only way to compare them on the
 * same claims).
 */
export async function challengerRecords(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  startMs: number,
  endAt: Date,
): Promise<ChallengerRecord[]> {
  const trials = await challengers(em, { tenantId, modelType, limit: 1000 });
  const toDay = (date: string) => Math.round((dayMs(date) - startMs) / DAY_MS);
  const out: ChallengerRecord[] = [];
  let labelled: Awaited<ReturnType<typeof labelledClaims>> | null = null;
  for (const t of [...trials].reverse()) {
    const record: ChallengerRecord = {
      startedDay: toDay(t.startedOn),
      decidedDay: t.decidedOn === null ? null : toDay(t.decidedOn),
      decision: t.decision,
    };
    if (t.decision === 'promoted' && t.decidedOn !== null) {
      labelled ??= await labelledClaims(em, tenantId, modelType, 24, endAt);
      const from = dayMs(t.decidedOn) + DAY_MS;
      const to = from + PROMOTION_JUDGED_DAYS * DAY_MS;
      const claims = labelled.filter((c) => c.at.getTime() >= from && c.at.getTime() < to);
      if (claims.length > 0) {
        const challengerAccuracy = await accuracyOn(em, tenantId, modelType, t.challengerVersion, claims);
        const championAccuracy = await accuracyOn(em, tenantId, modelType, t.championVersion, claims);
        if (challengerAccuracy !== null && championAccuracy !== null)
          record.after = { claims: claims.length, challengerAccuracy, championAccuracy };
      }
    }
    out.push(record);
  }
  return out;
}
