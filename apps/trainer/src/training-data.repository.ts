import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';
import type { LabelledExample } from '@app/ml';

/** Label of each model, as a SQL expression over `claims` (docs/models.md). */
const LABEL_SQL: Record<ModelType, string> = {
  claim_outcome: 'outcome',
  timeline: `case when resolution_days <= 30 then 'within_30d' when resolution_days <= 90 then '31_90d' else 'over_90d' end`,
  churn_risk: `case when member_churned then 'churned' else 'retained' end`,
  assignment: 'assigned_team',
};
const LABEL_KNOWN_SQL: Record<ModelType, string> = {
  claim_outcome: 'outcome is not null',
  timeline: 'resolution_days is not null',
  churn_risk: 'member_churned is not null',
  assignment: 'assigned_team is not null',
};

@Injectable()
export class TrainingDataRepository {
  /** The tenant's labelled examples for a model over the last `months` months, oldest first. */
  async labelledExamples(em: EntityManager, tenantId: string, modelType: ModelType, months: number): Promise<LabelledExample[]> {
    const rows = await em.execute<{ label: string; at: Date }[]>(
      `select ${LABEL_SQL[modelType]} as label, filed_at as at
         from claims
        where tenant_id = ? and ${LABEL_KNOWN_SQL[modelType]} and filed_at >= now() - make_interval(months => ?)
        order by filed_at, id`,
      [tenantId, months],
    );
    return rows.map((r) => ({ label: r.label, at: new Date(r.at) }));
  }
}
