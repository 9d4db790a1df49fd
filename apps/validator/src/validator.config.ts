import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

export class ValidatorConfig extends BaseConfig {
  override HTTP_PORT = 3104;

  /** Hold-out examples needed before a candidate may be judged (the "enough evidence" gate). */
  @IsInt()
  @Min(1)
  MIN_HOLDOUT_SAMPLES = 100;

  /** How much worse than the champion a candidate may be (accuracy points, 0..1). */
  @IsNumber()
  @Min(0)
  @Max(1)
  CHAMPION_TOLERANCE = 0;
}
