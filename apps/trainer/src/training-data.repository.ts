import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newestLabelledClaims, recentInputs } from '@app/database';
import { BASELINE_WINDOW_DAYS, MAX_TRAINING_SAMPLES, MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import type { ClaimFeatures, TrainingExample } from '@app/ml';

/** What a run trains on, and what its drift baselines describe. */
export interface TrainingData {
  /** The newest MAX_TRAINING_SAMPLES labelled examples as of the run's logical time, oldest first. */
  examples: TrainingExample[];
  /** How many labelled examples the window holds in all (metrics.examples.available; the minimum's test). */
  available: number;
  /** Every claim's inputs of the BASELINE_WINDOW_DAYS up to it, labelled or not. */
  inputs: ClaimFeatures[];
}

@Injectable()
export class TrainingDataRepository {
  /**
   * The tenant's labelled examples for a model as of `asOf` (the run's logical time): claims filed in the
   * model's training window before it whose label was known by then, oldest first, the newest
   * MAX_TRAINING_SAMPLES of them, which are all a fit uses (docs/models.md); and
   * the inputs of every claim filed in the last BASELINE_WINDOW_DAYS before it (its drift baselines).
   */
  async trainingData(
    em: EntityManager,
    tenantId: string,
    modelType: ModelType,
    asOf: Date,
  ): Promise<TrainingData> {
    const months = MODEL_CONFIGS[modelType].trainingWindowMonths;
    const { examples, available } = await newestLabelledClaims(
      em,
      tenantId,
      modelType,
      months,
      asOf,
      MAX_TRAINING_SAMPLES,
    );
    return { examples, available, inputs: await recentInputs(em, tenantId, BASELINE_WINDOW_DAYS, asOf) };
  }
}
