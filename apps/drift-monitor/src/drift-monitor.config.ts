import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class DriftMonitorConfig extends BaseConfig {
  override HTTP_PORT = 3102;

  /** Labelled predictions needed in the 7-day window before accuracy can decide anything. */
  @IsInt()
  @Min(1)
  MIN_LABELLED_PREDICTIONS = 30;

  /** Days of the window whose feature distributions are compared with the baselines (PSI). */
  @IsInt()
  @Min(1)
  @Max(365)
  PSI_WINDOW_DAYS = 30;

  /** Claims needed in the PSI window before a feature's PSI may decide anything. */
  @IsInt()
  @Min(1)
  MIN_WINDOW_SAMPLES = 50;

  /** Days of the accuracy window (the spec's 7-day accuracy). */
  @IsInt()
  @Min(1)
  @Max(90)
  ACCURACY_WINDOW_DAYS = 7;
}
