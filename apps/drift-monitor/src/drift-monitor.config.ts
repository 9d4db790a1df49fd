import { IsIn, IsInt, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';
import { EPISODE_OPENINGS, MODEL_CONFIGS, parseEpisodeOpening } from '@app/domain';
import type { EpisodeOpening, ModelType } from '@app/domain';

export class DriftMonitorConfig extends BaseConfig {
  override HTTP_PORT = 3102;

  /** Labelled predictions needed in the 7-day window before accuracy can decide anything. */
  @IsInt()
  @Min(1)
  MIN_LABELLED_PREDICTIONS = 30;

  /**
   * Days of the window whose feature distributions are compared with the baselines (PSI). Short, so that a
   * new drift fills most of it within days instead of being diluted by weeks of older claims
   * (docs/models.md, "Windows").
   */
  @IsInt()
  @Min(1)
  @Max(365)
  PSI_WINDOW_DAYS = 10;

  /**
   * The window used instead when the short one holds fewer than MIN_WINDOW_SAMPLES claims (a tenant with
   * few claims): slower to see a drift, but never judged on a handful of claims.
   */
  @IsInt()
  @Min(1)
  @Max(365)
  PSI_LONG_WINDOW_DAYS = 30;

  /**
   * Claims needed in a PSI window before a feature's PSI may decide anything. On steady data, sampling
   * noise alone (chiefly a small bin left empty) pushes a PSI over 0.25 in 1 window of 200 at 150 claims,
   * 1 of 3,000 at 210, and 1 of 200,000 at 300 (docs/models.md, "Windows").
   */
  @IsInt()
  @Min(1)
  MIN_WINDOW_SAMPLES = 250;

  /** Days of the accuracy window (the spec's 7-day accuracy). */
  @IsInt()
  @Min(1)
  @Max(90)
  ACCURACY_WINDOW_DAYS = 7;

  /**
   * Days of the filing cohort whose known labels are judged too: the active version's predictions of
   * claims filed in the last N days, right or wrong as far as their labels are known (docs/models.md,
   * "Windows"). The first labels of a changed relationship show here weeks before they dominate the
   * labels arriving in a week.
   */
  @IsInt()
  @Min(1)
  @Max(180)
  COHORT_WINDOW_DAYS = 30;

  /**
   * `k/n` for every model instead of each model's `episodeOpening` (MODEL_CONFIGS): for the simulation's
   * comparison of settings (`npm run simulate -- --open-after k/n`) and for tests of one rule. Unset in
   * production (empty).
   */
  @IsIn(['', ...EPISODE_OPENINGS], {
    message: 'EPISODE_OPENING must be k/n with 1 <= k <= n <= 14, e.g. 2/3',
  })
  EPISODE_OPENING = '';

  /** The opening rule of a model's episodes: the override when set, else its own. */
  openingOf(modelType: ModelType): EpisodeOpening {
    return parseEpisodeOpening(this.EPISODE_OPENING) ?? MODEL_CONFIGS[modelType].episodeOpening;
  }
}
