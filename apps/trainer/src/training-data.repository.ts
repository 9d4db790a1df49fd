import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FEATURES, TRAINING_TARGETS } from '@app/domain';
import type { ModelType } from '@app/domain';
import type { TrainingExample } from '@app/ml';

@Injectable()
export class TrainingDataRepository {
  /** The tenant's labelled examples for a model over the last `months` months, oldest first (docs/models.md). */
  async labelledExamples(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    months: number,
  ): Promise<TrainingExample[]> {
    const target = TRAINING_TARGETS[modelType];
    const rows = await em.execute<(TrainingExample & Record<string, unknown>)[]>(
      `select ${Object.values(FEATURES)
        .map((f) => f.column)
        .join(', ')}, ${target.sql} as target, filed_at as at
         from claims
        where tenant_id = ? and ${target.knownSql} and filed_at >= now() - make_interval(months => ?)
        order by filed_at, id`,
      [tenantId, months],
    );
    return rows.map((r) => ({ ...r, union_tenure_years: Number(r.union_tenure_years), at: new Date(r.at) }));
  }
}
