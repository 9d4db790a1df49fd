import type { EntityManager } from '@mikro-orm/postgresql';
import { FEATURES } from '@app/domain';
import type { FeatureName, ModelType } from '@app/domain';
import { FEATURE_COLUMNS } from './claim-sql';

/**
 * A stored baseline row and the counts of the current window in its bins, as the SQL returns it. The
 * drift monitor reads `FeatureBinCount` (camelCase, through `windowHistograms`); this shape is kept for
 * the CLI's drift report until it reads the same.
 */
export interface FeatureHistogramRow {
  tenant_id: string;
  model_type: ModelType;
  feature_name: string;
  model_version: number;
  distribution: unknown;
  /** Bin key: for 10-bin numerics the bin index as text ("0".."9"), else the value as text. */
  bin: string | null;
  n: number;
}

/** Something that runs SQL with `?` placeholders (MikroORM's EntityManager.execute). */
export type SqlRunner = <T extends object[]>(sql: string, params: unknown[]) => Promise<T>;

/**
 * The claim columns of every feature, unpivoted into (name, numeric value, categorical value), for a
 * claims row aliased `w` (`from claims w cross join lateral FEATURE_UNPIVOT`).
 */
export const FEATURE_UNPIVOT = `(values ${Object.entries(FEATURES)
  .map(([name, f]) =>
    f.kind === 'numeric'
      ? `('${name}', w.${FEATURE_COLUMNS[name as FeatureName]}::float8, null::text)`
      : `('${name}', null::float8, w.${FEATURE_COLUMNS[name as FeatureName]}::text)`,
  )
  .join(', ')}) as f(name, num, cat)`;

const FEATURE_LIST = Object.entries(FEATURES) as [FeatureName, (typeof FEATURES)[FeatureName]][];

/**
 * The claims of `from claims w where ...` counted by distinct value of each feature, one row per (keys,
 * feature, value) as (keys..., name, num, cat, aggregates...): what FEATURE_UNPIVOT then `group by` gives,
 * in one hashing pass over the claims with a grouping set per feature instead of six rows made of each
 * claim and grouped (a tenant's window: 0.7 ms instead of 2.9, EXPLAIN ANALYZE; docs/benchmarks.md).
 * `grouping(...)` tells the rows apart: in a feature's own set only its bit is 0.
 */
export function featureValueCountsSql(q: {
  /** Columns of `w` every row is also grouped by (the fleet-wide form: `w.tenant_id`). */
  keys: readonly string[];
  /** Output name -> aggregate over the group's claims. */
  aggregates: Record<string, string>;
  where: string;
}): string {
  const cols = FEATURE_LIST.map(([name]) => FEATURE_COLUMNS[name]);
  const last = FEATURE_LIST.length - 1;
  const mask = (i: number) => (1 << FEATURE_LIST.length) - 1 - (1 << (last - i));
  const pick = (kind: 'numeric' | 'categorical', cast: string) =>
    `case s.g ${FEATURE_LIST.map(([name, f], i) => (f.kind === kind ? `when ${mask(i)} then s.${FEATURE_COLUMNS[name]}::${cast} ` : '')).join('')}end`;
  const aggregates = Object.entries(q.aggregates);
  return `select ${q.keys.map((k) => `s.${k}, `).join('')}
            case s.g ${FEATURE_LIST.map(([name], i) => `when ${mask(i)} then '${name}' `).join('')}end as name,
            ${pick('numeric', 'float8')} as num, ${pick('categorical', 'text')} as cat${aggregates.map(([alias]) => `, s.${alias}`).join('')}
       from (select ${[...q.keys, ...cols].map((c) => `w.${c}`).join(', ')},
                    grouping(${cols.map((c) => `w.${c}`).join(', ')}) as g${aggregates.map(([alias, expr]) => `, ${expr} as ${alias}`).join('')}
               from claims w
              where ${q.where}
              group by grouping sets (${cols.map((c) => `(${[...q.keys, c].map((k) => `w.${k}`).join(', ')})`).join(', ')})) s`;
}

/**
 * Counts the claims of a window in the bins of the active baselines, in Postgres: 10-bin numerics with
 * `width_bucket` against the frozen edges (the number of edges <= value, as libs/drift defines a bin),
 * everything else grouped by value. Rows never travel to Node, only (tenant, feature, bin, count).
 * Without `tenantId`, it covers every tenant at once (the fleet-wide form used by benchmarks).
 * Every baseline appears at least once (bin null, n 0) so that an empty window is visible.
 *
 * Two stages (issue 20): the window's claims are first counted by distinct (tenant, feature, value), then
 * those values, not the claims, are mapped to each model's bins. Ages, complexities, tenures and
 * categories repeat, so the second stage joins a few hundred values per tenant with the baselines instead
 * of every claim with every model's baseline of its feature (four models share most features). The
 * baselines are materialised so that each one's edges are parsed from its JSON once, not once per value
 * joined to it (10 times faster on a fleet, docs/benchmarks.md).
 */
export function histogramSql(opts: {
  allTenants: boolean;
  allModels?: boolean;
  byVersion?: boolean;
}): string {
  const tenantFilterB = opts.allTenants ? '' : 'and tenant_id = ?';
  const tenantFilterW = opts.allTenants ? '' : 'and w.tenant_id = ?';
  // One version's baselines (the drift monitor names the version its check is of), or the active ones.
  const baselineFilter = opts.byVersion ? 'model_version = ?' : 'is_active';
  return `
    with b as materialized (
      select tenant_id, model_type, feature_name, model_version, distribution,
             case when distribution->>'kind' = 'numeric_binned'
                  then array(select e::float8 from jsonb_array_elements_text(distribution->'edges') as e) end as edges
        from model_feature_baselines
       where ${baselineFilter} ${opts.allModels ? '' : 'and model_type = ?'} ${tenantFilterB}
    ), v as materialized (
      ${featureValueCountsSql({
        keys: ['tenant_id'],
        aggregates: { n: 'count(*)::int' },
        where: `w.filed_at >= ? and w.filed_at < ? ${tenantFilterW}`,
      })}
    ), counted as (
      select b.tenant_id, b.model_type, b.feature_name,
             case when b.edges is not null then width_bucket(v.num, b.edges)::text
                  when v.num is not null then v.num::text
                  else v.cat end as bin,
             sum(v.n)::int as n
        from b join v on v.tenant_id = b.tenant_id and v.name = b.feature_name
       group by 1, 2, 3, 4
    )
    select b.tenant_id, b.model_type, b.feature_name, b.model_version, b.distribution, c.bin, coalesce(c.n, 0)::int as n
      from b left join counted c on c.tenant_id = b.tenant_id and c.model_type = b.model_type and c.feature_name = b.feature_name
     order by b.tenant_id, b.model_type, b.feature_name, c.bin`;
}

export interface HistogramQuery {
  modelType: ModelType;
  /** Window start (inclusive) and end (exclusive). */
  from: Date;
  to: Date;
  /** One tenant, or all of them when omitted. */
  tenantId?: string;
  /**
   * The baselines of this version (of the one tenant), whether or not they are flagged active: the drift
   * monitor compares with the version its check is of, read in the same statement as its accuracy. Without
   * it, the active baselines.
   */
  version?: number;
}

export async function currentHistograms(run: SqlRunner, q: HistogramQuery): Promise<FeatureHistogramRow[]> {
  const byVersion = q.version !== undefined && q.tenantId !== undefined;
  const params: unknown[] = q.tenantId
    ? [
        ...(byVersion ? [q.version] : []),
        q.modelType,
        q.tenantId,
        q.from.toISOString(),
        q.to.toISOString(),
        q.tenantId,
      ]
    : [q.modelType, q.from.toISOString(), q.to.toISOString()];
  return run<FeatureHistogramRow[]>(histogramSql({ allTenants: !q.tenantId, byVersion }), params);
}

/** One bin of one active baseline and the number of the window's claims in it. */
export interface FeatureBinCount {
  tenantId: string;
  modelType: ModelType;
  featureName: string;
  /** The version whose baseline the bins are. */
  version: number;
  /** The stored baseline, unparsed: `parseBaseline` checks it (a corrupt row throws DriftMathError). */
  distribution: unknown;
  /** Bin key: for 10-bin numerics the bin index as text ("0".."9"), else the value as text; null: empty window. */
  bin: string | null;
  n: number;
}

function toBinCount(r: FeatureHistogramRow): FeatureBinCount {
  return {
    tenantId: r.tenant_id,
    modelType: r.model_type,
    featureName: r.feature_name,
    version: Number(r.model_version),
    distribution: r.distribution,
    bin: r.bin,
    n: Number(r.n),
  };
}

/** The window's counts in the bins of the active baselines (SQL on purpose: only counts travel). */
export async function windowHistograms(em: EntityManager, q: HistogramQuery): Promise<FeatureBinCount[]> {
  const rows = await currentHistograms((sql, params) => em.execute(sql, params), q);
  return rows.map(toBinCount);
}

/** One model version's stored baseline of one feature, unparsed (`parseBaseline` checks it). */
export interface TenantBaseline {
  modelType: ModelType;
  featureName: string;
  version: number;
  distribution: unknown;
}

/** One distinct value of a feature among the long window's claims: how many had it in each window. */
export interface WindowValueCount {
  /** The value (a number for numeric features, text otherwise); null: the column was empty. */
  value: number | string | null;
  nShort: number;
  nLong: number;
}

/** A tenant's baselines of the versions checked, and its window's claims counted by distinct feature value. */
export interface TenantWindowValues {
  baselines: TenantBaseline[];
  /** Feature name -> its distinct values (the claims of the long window; nShort counts the short one's). */
  values: ReadonlyMap<string, readonly WindowValueCount[]>;
}

/**
 * A tenant's daily checks in one statement (issue 20): the baselines of every (model, version) asked, and
 * the window's claims counted once by distinct (feature, value), for the short and the long window
 * together (a filter per window over one index-only scan of the long one). Four models share most
 * features, and ages, complexities and tenures repeat, so a few hundred values travel instead of every
 * claim. The drift monitor puts them in each baseline's bins (libs/drift `countsFromValues`): mapping and
 * grouping every (model, feature, bin) in Postgres took 1.6 of the statement's 2.4 ms (a tenant's window,
 * warm; docs/benchmarks.md). Each feature's values travel as one JSON array. SQL on purpose: only counts
 * travel.
 */
export async function tenantWindowValues(
  run: SqlRunner,
  q: {
    tenantId: string;
    versions: readonly { modelType: ModelType; version: number }[];
    shortFrom: Date;
    longFrom: Date;
    to: Date;
  },
): Promise<TenantWindowValues> {
  if (q.versions.length === 0) return { baselines: [], values: new Map() };
  const rows = await run<
    {
      model_type: ModelType | null;
      feature_name: string;
      model_version: number | null;
      distribution: unknown;
      counts: [number | null, string | null, number, number][] | null;
    }[]
  >(
    `select model_type, feature_name, model_version, distribution, null::json as counts
       from model_feature_baselines
      where tenant_id = ?
        and (model_type, model_version) in (select * from unnest(cast(? as text[]), cast(? as int[])))
     union all
     select null, v.name, null, null, json_agg(json_build_array(v.num, v.cat, v.n_short, v.n_long))
       from (${featureValueCountsSql({
         keys: [],
         aggregates: { n_short: 'count(*) filter (where w.filed_at >= ?)::int', n_long: 'count(*)::int' },
         where: 'w.tenant_id = ? and w.filed_at >= ? and w.filed_at < ?',
       })}) v
      group by v.name
      order by model_type nulls last, feature_name`,
    [
      q.tenantId,
      `{${q.versions.map((v) => v.modelType).join(',')}}`,
      `{${q.versions.map((v) => v.version).join(',')}}`,
      q.shortFrom.toISOString(),
      q.tenantId,
      q.longFrom.toISOString(),
      q.to.toISOString(),
    ],
  );
  const baselines: TenantBaseline[] = [];
  const values = new Map<string, WindowValueCount[]>();
  for (const r of rows) {
    if (r.counts !== null) {
      values.set(
        r.feature_name,
        r.counts.map(([num, cat, nShort, nLong]) => ({ value: num ?? cat, nShort, nLong })),
      );
    } else if (r.model_type !== null && r.model_version !== null) {
      baselines.push({
        modelType: r.model_type,
        featureName: r.feature_name,
        version: Number(r.model_version),
        distribution: r.distribution,
      });
    }
  }
  return { baselines, values };
}
