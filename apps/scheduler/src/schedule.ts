import { CronTime } from 'cron';
import { DateTime } from 'luxon';
import { logicalDate } from './logical-date';

/**
 * The first time the cron fires on a logical date in the schedule's time zone, or null when it does
 * not fire that day. Daylight-saving days included: a 02:30 schedule fires at 03:00 on the
 * spring-forward day, and once on the fall-back day.
 */
export function firstFireOn(date: string, cron: string, timeZone: string): Date | null {
  const dayStart = DateTime.fromISO(date, { zone: timeZone }).startOf('day').minus({ milliseconds: 1 });
  const next = new CronTime(cron, timeZone).getNextDateFrom(dayStart.toJSDate(), timeZone).toJSDate();
  return logicalDate(next, timeZone) === date ? next : null;
}

/** Whether the day's scheduled run was due at `now` (so a scheduler starting later should catch up). */
export function dueToday(now: Date, cron: string, timeZone: string): boolean {
  const first = firstFireOn(logicalDate(now, timeZone), cron, timeZone);
  return first !== null && first.getTime() <= now.getTime();
}
