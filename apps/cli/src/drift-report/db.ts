import { Client } from 'pg';
import { currentHistograms } from '@app/database';
import type { SqlRunner } from '@app/database';
import type { ModelType } from '@app/domain';
import { DriftReportError, errorMessage } from './errors';
import type { DbReportInput } from './psi-report';
import { accuracyWeeks, currentWindow } from './psi-report';

/**
 * Rewrites `?` placeholders (MikroORM style, as libs/database writes its SQL) into pg's `$1..$n`.
 * Question marks inside quoted literals or identifiers are left alone, so the helper stays correct if
 * the shared SQL ever compares against a literal '?'.
 */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (token) => (token === '?' ? `$${++n}` : token));
}

/** A SqlRunner over a plain pg client, for the histogram query shared with the drift monitor. */
export function pgRunner(client: Pick<Client, 'query'>): SqlRunner {
  return async <T extends object[]>(sql: string, params: unknown[]): Promise<T> =>
    (await client.query(toPgPlaceholders(sql), params)).rows as T;
}

export interface DbReportQuery {
  tenantId: string;
  modelType: ModelType;
  asOf: string;
  windowDays: number;
}

// Weeks in UTC whatever the session time zone, so the buckets match accuracyWeeks().
const ACCURACY_SQL = `
  select to_char(date_trunc('week', outcome_known_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
         avg(is_correct::int)::float8 as accuracy, count(*)::int as n
    from ml_predictions
   where tenant_id = $1 and model_type = $2 and is_correct is not null
     and outcome_known_at >= $3 and outcome_known_at < $4
   group by 1
   order by 1`;

/** Everything the report needs from the database: bin counts of the window and the weekly accuracy. */
export async function loadDbReportInput(
  client: Pick<Client, 'query'>,
  q: DbReportQuery,
): Promise<DbReportInput> {
  const { from, to } = currentWindow(q.asOf, q.windowDays);
  const histograms = await currentHistograms(pgRunner(client), {
    tenantId: q.tenantId,
    modelType: q.modelType,
    from,
    to,
  });
  const firstWeek = new Date(`${accuracyWeeks(q.asOf)[0]}T00:00:00Z`);
  const accuracy = await client.query<{ week: string; accuracy: number; n: number }>(ACCURACY_SQL, [
    q.tenantId,
    q.modelType,
    firstWeek.toISOString(),
    to.toISOString(),
  ]);
  return { ...q, histograms, accuracyRows: accuracy.rows };
}

/** Opens one connection for the report and always closes it, also when a query fails. */
export async function withDatabase<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DriftReportError(`cannot connect to the database: ${errorMessage(error)}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
