import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { labelledClaims, recentInputs } from '@app/database';
import { BASELINE_WINDOW_DAYS, MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import type { ClaimFeatures, TrainingExample } from '@app/ml';

/** What a run trains on, and what its drift baselines describe. */
export interface TrainingData {
  /** Labelled examples as of the run's logical time, oldest first. */
  examples: TrainingExample[];
  /** Every claim's inputs of the BASELINE_WINDOW_DAYS up to it, labelled or not. */
  inputs: ClaimFeatures[];
}

@Injectable()
export class TrainingDataRepository {
  /**
   * The tenant's labelled examples for a model as of `asOf` (the run's logical time): claims filed in the
   * model's training window before it whose label was known by then, oldest first (docs/models.md); and
   * the inputs of every claim filed in the last BASELINE_WINDOW_DAYS before it (its drift baselines).
   */
  async trainingData(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    asOf: Date,
  ): Promise<TrainingData> {
    const months = MODEL_CONFIGS[modelType].trainingWindowMonths;
    return {
      examples: await labelledClaims(em, tenantId, modelType, months, asOf),
      inputs: await recentInputs(em, tenantId, BASELINE_WINDOW_DAYS, asOf),
    };
  }
}
