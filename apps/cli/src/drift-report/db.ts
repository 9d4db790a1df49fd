import type { EntityManager } from '@mikro-orm/postgresql';
import { currentHistograms, weeklyAccuracy } from '@app/database';
import type { ModelType } from '@app/domain';
import type { DbReportInput } from './psi-report';
import { accuracyWeeks, currentWindow } from './psi-report';

export interface DbReportQuery {
  tenantId: string;
  modelType: ModelType;
  asOf: string;
  windowDays: number;
}

/**
 * Everything the report needs from the database, through libs/database: the bin counts of the window
 * (the drift monitor's own histogram query) and the weekly accuracy of the last weeks.
 */
export async function loadDbReportInput(em: EntityManager, q: DbReportQuery): Promise<DbReportInput> {
  const { from, to } = currentWindow(q.asOf, q.windowDays);
  const histograms = await currentHistograms((sql, params) => em.execute(sql, params), {
    tenantId: q.tenantId,
    modelType: q.modelType,
    from,
    to,
  });
  const accuracyRows = await weeklyAccuracy(em, {
    tenantId: q.tenantId,
    modelType: q.modelType,
    from: new Date(`${accuracyWeeks(q.asOf)[0]}T00:00:00Z`),
    to,
  });
  return { ...q, histograms, accuracyRows };
}
