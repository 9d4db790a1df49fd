import type { EntityManager } from '@mikro-orm/postgresql';
import type { DriftCheck } from './entities/pipeline.entities';

/** A drift check as the drift monitor stores it (its creation time is the database's). */
export type NewDriftCheckRow = Omit<DriftCheck, 'createdAt'>;

/** drift_checks' columns and how each is read from a row of NewDriftCheckRow. */
const COLUMNS: readonly [string, (c: NewDriftCheckRow) => unknown][] = [
  ['id', (c) => c.id],
  ['tenant_id', (c) => c.tenantId],
  ['model_type', (c) => c.modelType],
  ['model_version', (c) => c.modelVersion],
  ['logical_date', (c) => c.logicalDate],
  ['decision', (c) => c.decision],
  ['breach', (c) => c.breach],
  ['features', (c) => c.features],
  ['max_psi', (c) => c.maxPsi],
  ['max_psi_feature', (c) => c.maxPsiFeature],
  ['accuracy', (c) => c.accuracy],
  ['accuracy_low', (c) => c.accuracyLow],
  ['accuracy_high', (c) => c.accuracyHigh],
  ['labelled_count', (c) => c.labelledCount],
  ['reasons', (c) => c.reasons],
  ['psi_window_days', (c) => c.psiWindowDays],
  ['window_predictions', (c) => c.windowPredictions],
  ['window_labelled', (c) => c.windowLabelled],
  ['label_coverage', (c) => c.labelCoverage],
  ['oldest_unlabelled_at', (c) => c.oldestUnlabelledAt?.toISOString() ?? null],
  ['estimated_accuracy', (c) => c.estimatedAccuracy],
  ['estimated_low', (c) => c.estimatedLow],
  ['estimated_high', (c) => c.estimatedHigh],
  ['estimated_count', (c) => c.estimatedCount],
  ['accuracy_source', (c) => c.accuracySource],
  ['new_labels', (c) => c.newLabels],
  ['new_labels_needed', (c) => c.newLabelsNeeded],
  ['episode_id', (c) => c.episodeId],
  ['idempotency_key', (c) => c.idempotencyKey],
  ['event_id', (c) => c.eventId],
  ['correlation_id', (c) => c.correlationId],
];

const COLUMN_LIST = COLUMNS.map(([name]) => name).join(', ');

/**
 * Stores a tenant's checks of a round in one statement (the drift monitor's, issue 20: one insert per
 * check was the largest share of a check's time). A check whose idempotency key is already used (the same
 * tenant, model, active version and logical date, checked before or earlier in this statement) is not
 * stored: ON CONFLICT DO NOTHING, not a failed insert, because a unique violation would abort the
 * handler's transaction. Returns the ids stored; the caller reports the others suppressed. SQL on purpose:
 * the rows travel as one JSON parameter.
 */
export async function insertDriftChecks(
  em: EntityManager,
  checks: readonly NewDriftCheckRow[],
): Promise<Set<string>> {
  if (checks.length === 0) return new Set();
  const rows = checks.map((c) => Object.fromEntries(COLUMNS.map(([name, read]) => [name, read(c)])));
  const inserted = await em.execute<{ id: string }[]>(
    `insert into drift_checks (${COLUMN_LIST})
     select ${COLUMN_LIST} from json_populate_recordset(null::drift_checks, cast(? as json))
     on conflict (idempotency_key) do nothing
     returning id`,
    [JSON.stringify(rows)],
  );
  return new Set(inserted.map((r) => r.id));
}
