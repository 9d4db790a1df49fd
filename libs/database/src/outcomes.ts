import type { EntityManager } from '@mikro-orm/postgresql';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { ACTUAL_SQL, CORRECT_SQL, LABEL_SQL } from './claim-sql';

/**
 * The scorer fills the outcomes of stored predictions (`actual_value`, `is_correct`, `outcome_known_at`)
 * from the claims' rows as their labels become known. SQL on purpose: one statement per event, for every
 * model and every version at once, with the label, its time and "correct" each defined once
 * (claim-sql.ts: LABEL_SQL, ACTUAL_SQL, CORRECT_SQL; libs/domain `predictionOutcome` is the TS twin).
 *
 * `outcome_known_at` is the label's own time (LABEL_SQL.knownAt: the claim's resolution, or 180 days after
 * filing for churn), never the wall clock: a simulation replays past days, and realized accuracy counts
 * the labels that became known in its window. Only predictions whose outcome is still empty are filled, so
 * a redelivered or repeated event changes nothing.
 */

/** Predictions filled, per model (models with none are absent). */
export type FilledOutcomes = Partial<Record<ModelType, number>>;

/** A SQL expression per model, chosen by the open prediction's model (`o.model_type`). */
function byModel(expression: (m: ModelType) => string): string {
  return `case o.model_type ${MODEL_TYPES.map((m) => `when '${m}' then ${expression(m)}`).join(' ')} end`;
}

/** The label as stored, null while the claim's row does not hold it. */
const ACTUAL = byModel((m) => `case when ${LABEL_SQL[m].known} then ${ACTUAL_SQL[m]} end`);
const KNOWN_AT = byModel((m) => LABEL_SQL[m].knownAt);
const IS_CORRECT = `case p.model_type ${MODEL_TYPES.map(
  (m) => `when '${m}' then ${CORRECT_SQL[m]('p.predicted_value', 'l.actual')}`,
).join(' ')} end`;

/**
 * Open predictions of a tenant (`scope` narrows them) joined to their claims, each with its label and the
 * label's time; those known by `knownBy` are filled. The label expressions name the claim's columns
 * unqualified (as in LABEL_SQL): ml_predictions has none of those names, and if it ever had one Postgres
 * would refuse the statement as ambiguous rather than read the wrong column. One CASE per row (not a
 * lateral list of the four models per claim): on 72,000 open predictions that was 3x faster.
 * The partial index ml_predictions_open (tenant, claim) where outcome_known_at is null keeps the scan to
 * the tenant's open predictions, not the whole table.
 */
function fillStatement(scope: string, knownBy: string): string {
  return `with l as (
    select o.id, ${ACTUAL} as actual, ${KNOWN_AT} as known_at, c.resolved_at as claim_resolved_at
      from ml_predictions o
      join claims c on c.tenant_id = o.tenant_id and c.id = o.claim_id
     where o.tenant_id = ? and o.outcome_known_at is null${scope}
  )
  update ml_predictions p
     set actual_value = l.actual, is_correct = ${IS_CORRECT}, outcome_known_at = l.known_at
    from l
   where p.id = l.id and p.outcome_known_at is null and l.actual is not null and ${knownBy}
  returning p.model_type`;
}

const RESOLVED_CLAIM = fillStatement(' and o.claim_id = ?', 'l.known_at <= l.claim_resolved_at');

const KNOWN_BEFORE = fillStatement('', 'l.known_at < cast(? as timestamptz)');

function countByModel(rows: { model_type: ModelType }[]): FilledOutcomes {
  const out: FilledOutcomes = {};
  for (const r of rows) out[r.model_type] = (out[r.model_type] ?? 0) + 1;
  return out;
}

/**
 * On a claim's resolution: fills every prediction of that claim (every version) whose label is known at
 * the claim's resolution (`resolved_at` in its row): its outcome, timeline and assignment, and churn when
 * the claim resolved 180 days or more after it was filed.
 */
export async function fillResolvedClaimOutcomes(
  em: EntityManager,
  q: { tenantId: string; claimId: string },
): Promise<FilledOutcomes> {
  const rows = await em.execute<{ model_type: ModelType }[]>(RESOLVED_CLAIM, [q.tenantId, q.claimId]);
  return countByModel(rows);
}

/**
 * At the end of a day: fills every prediction of a tenant whose label became known before `before`
 * (exclusive) and whose outcome is still empty: churn as it matures, and any resolved claim's prediction
 * that its claim.resolved did not reach (stored after the resolution was handled, for example).
 */
export async function fillOutcomesKnownBefore(
  em: EntityManager,
  q: { tenantId: string; before: Date },
): Promise<FilledOutcomes> {
  const rows = await em.execute<{ model_type: ModelType }[]>(KNOWN_BEFORE, [
    q.tenantId,
    q.before.toISOString(),
  ]);
  return countByModel(rows);
}
