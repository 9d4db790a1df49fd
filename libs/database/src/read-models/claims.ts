import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import { FEATURE_SELECT_LIST, LABEL_SQL } from '../claim-sql';
import { featureValuesOf } from '../training-data';
import type { ClaimFeatureValues } from '../training-data';

/**
 * Read models over the claims application's claims (the seeder stands in for it) and the predictions made
 * for them (ml_predictions, the scorer's): what the scorer reads of a filed claim, how the validator scores
 * a champion without an artifact, and how the drift monitor measures the active version's recent
 * accuracy, its label maturity, and the labels that are new to it.
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
  // SQL on purpose: a hold-out is hundreds of claims, and as one array parameter the ids cost neither a
  // placeholder each nor an entity each (through em.find this was most of the validator's CPU per candidate).
  const rows = await em.execute<{ claim_id: string; is_correct: boolean }[]>(
    `select claim_id, is_correct from ml_predictions
      where tenant_id = ? and model_type = ? and model_version = ? and is_correct is not null
        and claim_id = any(string_to_array(?, ',')::uuid[])`,
    [q.tenantId, q.modelType, q.version, q.claimIds.join(',')],
  );
  return new Map(rows.map((r) => [r.claim_id, r.is_correct]));
}

/** Correct and labelled predictions of the active version whose outcome became known in a window. */
export interface AccuracyWindow {
  correct: number;
  labelled: number;
}

/**
 * How far the labels of the active version's recent predictions have arrived: of its predictions made in
 * the window, how many have an outcome known by the window's end, and when the oldest without one was made.
 */
export interface LabelMaturity {
  predictions: number;
  labelled: number;
  oldestUnlabelledAt: Date | null;
  /** The calibrated probabilities of being right of those predictions that have one (any order). */
  rightProbabilities: number[];
}

/** The version in production as the validator registered it, with what says which labels are new to it. */
export interface ChampionView {
  version: number;
  artifactId: string | null;
  /** Filing time of the newest labelled example it was trained on; null when not recorded. */
  trainingCutoff: Date | null;
  trainingSamples: number | null;
  deployedAt: Date | null;
}

/** What a drift check starts from: the version in production, its accuracy, its labels, and new labels. */
export interface DriftCheckInputs extends AccuracyWindow {
  /** The active version in the validator's registry, or null when the tenant has none. */
  version: number | null;
  champion: ChampionView | null;
  maturity: LabelMaturity;
  /** The active version's predictions of claims filed in [cohortFrom, to) whose label is known by `to`. */
  cohort: { correct: number; labelled: number };
  /** The shadow challenger on trial beside the active version (model_challengers, the validator's), if any. */
  challenger: { version: number; startedOn: string } | null;
}

interface DriftCheckInputsRow {
  model_type: ModelType;
  version: number | null;
  artifact_id: string | null;
  training_cutoff: Date | string | null;
  training_samples: number | null;
  deployed_at: Date | string | null;
  correct: number;
  labelled: number;
  predictions: number;
  window_labelled: number;
  oldest_unlabelled_at: Date | string | null;
  right_probabilities: (number | string)[] | null;
  cohort_correct: number;
  cohort_labelled: number;
  challenger: { version: number; startedOn: string } | null;
}

const dateOrNull = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/**
 * Everything a drift check reads besides the histograms and the new labels, for several models of one
 * tenant in one statement (the drift monitor checks a tenant's four models in one transaction, issue 20):
 * for each model, the active version (the validator's registry), the accuracy of ITS predictions whose
 * outcome became known in [from, to), the label maturity of ITS predictions made in [from, to), its filing
 * cohort's known labels, and the shadow challenger on trial beside it. SQL on purpose; `from` inclusive,
 * `to` exclusive (`to` is also the as-of time of the labels).
 */
export async function tenantDriftCheckInputs(
  em: EntityManager,
  q: { tenantId: string; modelTypes: readonly ModelType[]; from: Date; cohortFrom: Date; to: Date },
): Promise<Map<ModelType, DriftCheckInputs>> {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const rows = await em.execute<DriftCheckInputsRow[]>(
    `with m as materialized (
       select t.model_type, md.model_version, md.artifact_id, md.training_cutoff, md.training_samples, md.deployed_at,
              (select json_build_object('version', c.challenger_version, 'startedOn', c.started_on)
                 from model_challengers c
                where c.tenant_id = md.tenant_id and c.model_type = md.model_type and c.state = 'running') as challenger
         from unnest(cast(? as text[])) as t(model_type)
         left join model_metadata md on md.tenant_id = ? and md.model_type = t.model_type and md.is_active
     )
     select m.model_type, m.model_version as version, m.artifact_id, m.training_cutoff, m.training_samples, m.deployed_at,
            m.challenger, a.correct, a.labelled, w.predictions, w.window_labelled, w.oldest_unlabelled_at,
            w.right_probabilities, k.cohort_correct, k.cohort_labelled
       from m
      cross join lateral (
        select count(*) filter (where is_correct)::int as correct, count(*)::int as labelled
          from ml_predictions
         where tenant_id = ? and model_type = m.model_type and model_version = m.model_version
           and is_correct is not null and outcome_known_at >= ? and outcome_known_at < ?
      ) a
      cross join lateral (
        select count(*)::int as predictions,
               count(*) filter (where is_correct is not null and outcome_known_at < ?)::int as window_labelled,
               min(predicted_at) filter (where is_correct is null or outcome_known_at is null or outcome_known_at >= ?) as oldest_unlabelled_at,
               coalesce(array_agg(right_probability) filter (where right_probability is not null), '{}') as right_probabilities
          from ml_predictions
         where tenant_id = ? and model_type = m.model_type and model_version = m.model_version
           and predicted_at >= ? and predicted_at < ?
      ) w
      cross join lateral (
        select count(*) filter (where is_correct)::int as cohort_correct, count(*)::int as cohort_labelled
          from ml_predictions
         where tenant_id = ? and model_type = m.model_type and model_version = m.model_version
           and predicted_at >= ? and predicted_at < ? and is_correct is not null and outcome_known_at < ?
      ) k`,
    [
      `{${q.modelTypes.join(',')}}`,
      q.tenantId,
      ...[q.tenantId, from, to],
      ...[to, to, q.tenantId, from, to],
      ...[q.tenantId, q.cohortFrom.toISOString(), to, to],
    ],
  );
  return new Map(rows.map((row) => [row.model_type, toInputs(row)]));
}

/**
 * Labelled examples after each model's champion training cut-off, counted in one scan of the tenant's
 * claims filed after the earliest of those cut-offs: the label expressions differ by model (LABEL_SQL), the
 * claims do not. One column per model: 0 for a model not asked, or without an active version.
 */
const NEW_LABELS_BY_MODEL = (Object.keys(LABEL_SQL) as ModelType[])
  .map(
    (t) =>
      `count(*) filter (where c.filed_at > (select since from m where m.model_type = '${t}') and ${LABEL_SQL[t].known} and ${LABEL_SQL[t].knownAt} < cast(? as timestamptz))::int as "${t}"`,
  )
  .join(',\n              ');

/**
 * The labelled examples a retrain of each of these models would find that its champion never saw: claims
 * filed after the champion's training cut-off (after its deployment when the cut-off was not recorded)
 * whose label is known by `to` (LABEL_SQL knownAt). One scan of the tenant's claims for all the models (the
 * claims_window index holds the label columns). SQL on purpose.
 */
export async function tenantNewLabels(
  em: EntityManager,
  q: { tenantId: string; modelTypes: readonly ModelType[]; to: Date },
): Promise<Map<ModelType, number>> {
  if (q.modelTypes.length === 0) return new Map();
  const to = q.to.toISOString();
  const models = Object.keys(LABEL_SQL) as ModelType[];
  const [row] = await em.execute<Record<ModelType, number | null>[]>(
    `with m as materialized (
       select model_type, coalesce(training_cutoff, deployed_at) as since
         from model_metadata
        where tenant_id = ? and is_active and model_type = any(cast(? as text[]))
     )
     select ${NEW_LABELS_BY_MODEL}
       from claims c
      where c.tenant_id = ? and c.filed_at > (select min(since) from m)`,
    [q.tenantId, `{${q.modelTypes.join(',')}}`, ...models.map(() => to), q.tenantId],
  );
  return new Map(q.modelTypes.map((t) => [t, Number(row?.[t] ?? 0)]));
}

function toInputs(row: DriftCheckInputsRow): DriftCheckInputs {
  const version = row.version === null ? null : Number(row.version);
  return {
    version,
    champion:
      version !== null
        ? {
            version,
            artifactId: row.artifact_id,
            trainingCutoff: dateOrNull(row.training_cutoff),
            trainingSamples: row.training_samples === null ? null : Number(row.training_samples),
            deployedAt: dateOrNull(row.deployed_at),
          }
        : null,
    correct: Number(row.correct ?? 0),
    labelled: Number(row.labelled ?? 0),
    maturity: {
      predictions: Number(row.predictions ?? 0),
      labelled: Number(row.window_labelled ?? 0),
      oldestUnlabelledAt: dateOrNull(row.oldest_unlabelled_at ?? null),
      rightProbabilities: (row.right_probabilities ?? []).map(Number),
    },
    cohort: { correct: Number(row.cohort_correct ?? 0), labelled: Number(row.cohort_labelled ?? 0) },
    challenger: row.challenger
      ? { version: Number(row.challenger.version), startedOn: String(row.challenger.startedOn) }
      : null,
  };
}

/** A filed claim's model inputs, read from its row for scoring. */
export interface ClaimFeaturesView extends ClaimFeatureValues {
  id: string;
  /** When the claim was filed: the time its predictions are made at. */
  filedAt: Date;
}

/**
 * The select of claims' model inputs by id for one tenant (two placeholders: tenant, ids joined by
 * commas), with the select list that builds training data (claim-sql.ts FEATURE_SELECT_LIST): one
 * definition of a feature, so no training/serving skew.
 */
export const CLAIM_FEATURES_SQL = `select id, ${FEATURE_SELECT_LIST}, filed_at from claims
  where tenant_id = ? and id = any(string_to_array(?, ',')::uuid[])`;

/** A row of CLAIM_FEATURES_SQL (from the driver, or through json_agg) as the models see it. */
export function toClaimFeaturesView(
  row: ClaimFeatureValues & { id: string; filed_at: Date | string },
): ClaimFeaturesView {
  const { filed_at, ...r } = row;
  return { ...featureValuesOf(r), filedAt: new Date(filed_at) };
}

/**
 * The features of these claims of one tenant, read as training data reads them (featureValuesOf).
 * Claims that do not exist (for this tenant) are absent. SQL on purpose: a batch of claim ids as one
 * array parameter, one round trip.
 */
export async function claimFeatures(
  em: EntityManager,
  tenantId: string,
  claimIds: readonly string[],
): Promise<ClaimFeaturesView[]> {
  if (claimIds.length === 0) return [];
  const rows = await em.execute<(ClaimFeatureValues & { id: string; filed_at: Date | string })[]>(
    CLAIM_FEATURES_SQL,
    [tenantId, claimIds.join(',')],
  );
  return rows.map(toClaimFeaturesView);
}
