import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { labelledClaims } from '@app/database';
import type { ModelType } from '@app/domain';
import type { TrainingExample } from '@app/ml';

@Injectable()
export class TrainingDataRepository {
  /**
   * The tenant's labelled examples for a model as of `asOf` (the run's logical time): claims filed in the
   * `months` months before it whose label was known by then, oldest first (docs/models.md).
   */
  async labelledExamples(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    months: number,
    asOf: Date,
  ): Promise<TrainingExample[]> {
    return labelledClaims(em, tenantId, modelType, months, asOf);
  }
}
