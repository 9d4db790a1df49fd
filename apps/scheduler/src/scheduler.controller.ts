import { BadRequestException, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { DAILY_JOB, SchedulerService } from './scheduler.service';
import type { FireResult } from './scheduler.service';

/** Operators (and the demo) can fire the daily job now; it still runs at most once per logical date. */
@Controller('jobs')
export class SchedulerController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post(`${DAILY_JOB}/run`)
  @HttpCode(200)
  async run(@Query('at') at?: string): Promise<FireResult> {
    const when = at ? new Date(at) : new Date();
    if (Number.isNaN(when.getTime()))
      throw new BadRequestException(`"at" must be an ISO date-time, got ${at}`);
    return this.scheduler.fire(when, 'manual');
  }
}
