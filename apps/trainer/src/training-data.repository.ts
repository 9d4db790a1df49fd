import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FEATURES, LABELS } from '@app/domain';
import type { ModelType } from '@app/domain';
import type { ClaimFeatures } from '@app/ml';

export interface TrainingRow extends ClaimFeatures {
  label: string;
  at: Date;
}

@Injectable()
export class TrainingDataRepository {
  /** The tenant's labelled examples for a model over the last `months` months, oldest first (docs/models.md). */
  async labelledExamples(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    months: number,
  ): Promise<TrainingRow[]> {
    const rows = await em.execute<(ClaimFeatures & { label: string; at: Date })[]>(
      `select ${Object.values(FEATURES)
        .map((f) => f.column)
        .join(', ')}, ${LABELS[modelType].sql} as label, filed_at as at
         from claims
        where tenant_id = ? and ${LABELS[modelType].knownSql} and filed_at >= now() - make_interval(months => ?)
        order by filed_at, id`,
      [tenantId, months],
    );
    return rows.map((r) => ({ ...r, union_tenure_years: Number(r.union_tenure_years), at: new Date(r.at) }));
  }
}
