import { IsBoolean, IsTimeZone, Matches } from 'class-validator';
import { BaseConfig } from '@app/common';

export class SchedulerConfig extends BaseConfig {
  override HTTP_PORT = 3101;

  /** When the daily drift check fires (cron, 5 or 6 fields). */
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'SCHEDULE_CRON must be a cron expression such as "0 2 * * *"' })
  SCHEDULE_CRON = '0 2 * * *';

  /** IANA time zone of the schedule and of the logical date. */
  @IsTimeZone()
  SCHEDULE_TIMEZONE = 'UTC';

  /** At start-up, fire today's run if it was due while the scheduler was down (once per date anyway). */
  @IsBoolean()
  SCHEDULE_CATCH_UP = true;

  /** Register the cron job at start-up (off in tests that fire by hand). */
  @IsBoolean()
  SCHEDULE_ENABLED = true;
}
