import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import { FEATURE_SELECT_LIST, LABEL_SQL } from './claim-sql';

/** A claim's model inputs as read from its row (docs/models.md): one shape for training and scoring. */
export interface ClaimFeatureValues {
  member_age: number;
  case_complexity: number;
  union_tenure_years: number;
  claim_type: string;
  department: string;
  priority: string;
}

/** A labelled claim: its id, features, the model's target (class or days) and when it was filed. */
export interface LabelledClaim extends ClaimFeatureValues {
  id: string;
  target: string | number;
  at: Date;
}

/**
 * A row selected with FEATURE_SELECT_LIST as the models see it (`union_tenure_years` as a number, whatever
 * type the driver hands back). Training data and the scorer's features both go through it, so a feature
 * means the same at training and at serving time.
 */
export function featureValuesOf<R extends { union_tenure_years: string | number }>(
  row: R,
): Omit<R, 'union_tenure_years'> & { union_tenure_years: number } {
  return { ...row, union_tenure_years: Number(row.union_tenure_years) };
}

/**
 * A tenant's labelled examples for a model as of `asOf`, oldest first (docs/models.md): the claims filed in
 * the `months` months up to `asOf` whose label was known at `asOf` (LABEL_SQL.knownAt, the one rule of
 * label time), and filed at or after `filedFrom` when given. `asOf` is the logical time of the work, never
 * the wall clock: a claim resolved after it is not an example yet, even when the row already holds its
 * outcome. The trainer trains on them; the
 * validator rebuilds the same hold-out from them, as of the same instant, to score the champion.
 */
export async function labelledClaims(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  months: number,
  asOf: Date,
  filedFrom?: Date,
): Promise<LabelledClaim[]> {
  const q = labelledWhere(tenantId, modelType, months, asOf, filedFrom);
  const rows = await em.execute<LabelledRow[]>(
    `select id, ${FEATURE_SELECT_LIST}, ${LABEL_SQL[modelType].target} as target, filed_at as at
       from claims where ${q.where} order by filed_at, id`,
    q.params,
  );
  return rows.map(labelledClaimOf);
}

/**
 * The newest `limit` of labelledClaims (oldest first) and how many there are in all: what the trainer
 * fits on (MAX_TRAINING_SAMPLES) without reading every older example of a large tenant's window.
 */
export async function newestLabelledClaims(
  em: EntityManager,
  tenantId: string,
  modelType: ModelType,
  months: number,
  asOf: Date,
  limit: number,
): Promise<{ examples: LabelledClaim[]; available: number }> {
  const q = labelledWhere(tenantId, modelType, months, asOf);
  const rows = await em.execute<(LabelledRow & { available: string | number })[]>(
    `select id, ${FEATURE_SELECT_LIST}, ${LABEL_SQL[modelType].target} as target, filed_at as at,
            count(*) over () as available
       from claims where ${q.where} order by filed_at desc, id desc limit ?`,
    [...q.params, limit],
  );
  const available = Number(rows[0]?.available ?? 0);
  // The window's count rides on every row; the examples are the rows without it, oldest first.
  return { examples: rows.reverse().map(({ available: _count, ...r }) => labelledClaimOf(r)), available };
}

type LabelledRow = LabelledClaim & { union_tenure_years: string | number };

function labelledClaimOf(r: LabelledRow): LabelledClaim {
  return { ...featureValuesOf(r), at: new Date(r.at) };
}

/** Which claims are a model's examples as of `asOf` (LABEL_SQL.knownAt), filed from `filedFrom` when given. */
function labelledWhere(
  tenantId: string,
  modelType: ModelType,
  months: number,
  asOf: Date,
  filedFrom?: Date,
): { where: string; params: unknown[] } {
  const label = LABEL_SQL[modelType];
  const at = asOf.toISOString();
  // The validator asks only for the examples filed from the hold-out's cut-off: a tenth of the window.
  return {
    where: `tenant_id = ? and ${label.known} and ${label.knownAt} <= ?::timestamptz
        and filed_at >= ?::timestamptz - make_interval(months => ?) and filed_at <= ?::timestamptz
        ${filedFrom ? 'and filed_at >= ?::timestamptz' : ''}`,
    params: [tenantId, at, at, months, at, ...(filedFrom ? [filedFrom.toISOString()] : [])],
  };
}

/**
 * A tenant's model inputs of every claim filed in the `days` days up to `asOf`, labelled or not: what a
 * version's drift baselines describe. Labelled examples alone would describe the claims that resolve
 * quickly (the newest labels are theirs), and the inputs of a window would then look drifted against them.
 */
export async function recentInputs(
  em: EntityManager,
  tenantId: string,
  days: number,
  asOf: Date,
): Promise<ClaimFeatureValues[]> {
  const at = asOf.toISOString();
  const rows = await em.execute<(ClaimFeatureValues & { union_tenure_years: string | number })[]>(
    `select ${FEATURE_SELECT_LIST} from claims
      where tenant_id = ? and filed_at > ?::timestamptz - make_interval(days => ?) and filed_at <= ?::timestamptz
      order by filed_at, id`,
    [tenantId, at, days, at],
  );
  return rows.map((r) => featureValuesOf(r));
}
