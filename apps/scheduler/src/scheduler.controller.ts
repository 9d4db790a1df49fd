import { BadRequestException, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ServiceTokenGuard } from '@app/messaging';
import { DAILY_JOB, SchedulerService } from './scheduler.service';
import type { FireResult } from './scheduler.service';

/**
 * Operators (and the demo) can fire the daily job now; it still runs at most once per logical date. With
 * `force=true` every check of the run retrains whatever it finds, as `ml:retrain --force` does for one model
 * (after a data correction, say; bench:pipeline uses it for a fleet of retrains at once). For holders of
 * the service token (SERVICE_TOKEN), when one is configured.
 */
@Controller('jobs')
@UseGuards(ServiceTokenGuard)
export class SchedulerController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post(`${DAILY_JOB}/run`)
  @HttpCode(200)
  async run(@Query('at') at?: string, @Query('force') force?: string): Promise<FireResult> {
    const when = at ? new Date(at) : new Date();
    if (Number.isNaN(when.getTime()))
      throw new BadRequestException(`"at" must be an ISO date-time, got ${at}`);
    if (force !== undefined && force !== 'true' && force !== 'false')
      throw new BadRequestException(`"force" must be true or false, got ${force}`);
    return this.scheduler.fire(when, 'manual', { force: force === 'true' });
  }
}
