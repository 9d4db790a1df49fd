import { CronJob } from 'cron';
import { logicalDate } from './logical-date';
import { dueToday, firstFireOn } from './schedule';

const TZ = 'America/Toronto';

describe('schedule across daylight-saving changes', () => {
  it('finds the first run of each day, including the DST days', () => {
    expect(firstFireOn('2026-03-07', '30 2 * * *', TZ)?.toISOString()).toBe('2026-03-07T07:30:00.000Z');
    // 02:30 does not exist on 8 March 2026 in Toronto: the run happens at 03:00 EDT.
    expect(firstFireOn('2026-03-08', '30 2 * * *', TZ)?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // 01:30 happens twice on 1 November 2026: the first one counts.
    expect(firstFireOn('2026-11-01', '30 1 * * *', TZ)?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(firstFireOn('2026-11-02', '0 2 * * 1-5', TZ)?.toISOString()).toBe('2026-11-02T07:00:00.000Z');
    expect(firstFireOn('2026-11-01', '0 2 * * 1-5', TZ)).toBeNull(); // a Sunday
  });

  it('knows whether the day run was due (for the catch-up at start-up)', () => {
    expect(dueToday(new Date('2026-11-26T06:59:00Z'), '0 2 * * *', TZ)).toBe(false);
    expect(dueToday(new Date('2026-11-26T07:00:00Z'), '0 2 * * *', TZ)).toBe(true);
  });

  describe('with fake timers', () => {
    afterEach(() => jest.useRealTimers());

    const fireOver = (cron: string, startIso: string, days: number): string[] => {
      jest.useFakeTimers({ now: new Date(startIso) });
      const dates: string[] = [];
      const job = CronJob.from({
        cronTime: cron,
        timeZone: TZ,
        start: true,
        onTick: () => void dates.push(logicalDate(new Date(), TZ)),
      });
      for (let h = 0; h < days * 24; h++) jest.advanceTimersByTime(3_600_000);
      void job.stop();
      return dates;
    };

    it('fires once per logical date over the spring-forward day', () => {
      expect(fireOver('30 2 * * *', '2026-03-06T12:00:00Z', 4)).toEqual([
        '2026-03-07',
        '2026-03-08',
        '2026-03-09',
        '2026-03-10',
      ]);
    });

    it('fires once per logical date over the fall-back day', () => {
      expect(fireOver('30 1 * * *', '2026-10-30T12:00:00Z', 4)).toEqual([
        '2026-10-31',
        '2026-11-01',
        '2026-11-02',
        '2026-11-03',
      ]);
    });
  });
});
