import { isValidTimeZone, logicalDate } from './logical-date';

describe('logical date', () => {
  it('is the calendar date in the schedule time zone', () => {
    const at = new Date('2026-03-08T05:30:00Z');
    expect(logicalDate(at, 'UTC')).toBe('2026-03-08');
    expect(logicalDate(at, 'America/Toronto')).toBe('2026-03-08'); // 00:30 EST
    expect(logicalDate(new Date('2026-03-08T04:30:00Z'), 'America/Toronto')).toBe('2026-03-07');
  });
  it('knows real time zones', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
