import { describe, expect, it } from 'vitest';
import { duePeriod, isoWeekday, latestReportPeriod, nextReportAt } from './report-schedule';

const at = (iso: string) => new Date(iso);

describe('report schedule (UTC)', () => {
  it('a daily period ends at the hour and covers the day before; before the hour it is yesterday’s', () => {
    const daily = { frequency: 'daily', hour: 8, weekday: 1 } as const;
    expect(latestReportPeriod(daily, at('2026-12-08T09:30:00Z'))).toEqual({ start: at('2026-12-07T08:00:00Z'), end: at('2026-12-08T08:00:00Z') });
    expect(latestReportPeriod(daily, at('2026-12-08T08:00:00Z')).end).toEqual(at('2026-12-08T08:00:00Z'));
    expect(latestReportPeriod(daily, at('2026-12-08T07:59:59Z'))).toEqual({ start: at('2026-12-06T08:00:00Z'), end: at('2026-12-07T08:00:00Z') });
    // Across a month and a year boundary.
    expect(latestReportPeriod({ ...daily, hour: 0 }, at('2027-01-01T00:10:00Z'))).toEqual({ start: at('2026-12-31T00:00:00Z'), end: at('2027-01-01T00:00:00Z') });
    expect(nextReportAt(daily, at('2026-12-08T09:30:00Z'))).toEqual(at('2026-12-09T08:00:00Z'));
  });

  it('a weekly period ends on its ISO weekday at the hour and covers the seven days before', () => {
    expect(isoWeekday(at('2026-12-07T12:00:00Z'))).toBe(1); // a Monday
    expect(isoWeekday(at('2026-12-13T12:00:00Z'))).toBe(7); // a Sunday
    const wednesday = { frequency: 'weekly', hour: 6, weekday: 3 } as const;
    // Tuesday 8 December: the newest Wednesday 06:00 is 2 December.
    expect(latestReportPeriod(wednesday, at('2026-12-08T10:00:00Z'))).toEqual({ start: at('2026-11-25T06:00:00Z'), end: at('2026-12-02T06:00:00Z') });
    // Wednesday 9 December, before and after 06:00.
    expect(latestReportPeriod(wednesday, at('2026-12-09T05:59:00Z')).end).toEqual(at('2026-12-02T06:00:00Z'));
    expect(latestReportPeriod(wednesday, at('2026-12-09T06:01:00Z'))).toEqual({ start: at('2026-12-02T06:00:00Z'), end: at('2026-12-09T06:00:00Z') });
    // Sunday (7) seen from a Monday.
    expect(latestReportPeriod({ frequency: 'weekly', hour: 23, weekday: 7 }, at('2026-12-14T01:00:00Z')).end).toEqual(at('2026-12-13T23:00:00Z'));
    expect(nextReportAt(wednesday, at('2026-12-09T06:01:00Z'))).toEqual(at('2026-12-16T06:00:00Z'));
  });

  it('a period that ended before the schedule was changed is not due; the next one is', () => {
    const daily = { frequency: 'daily', hour: 8, weekday: 1 } as const;
    const changed = at('2026-12-08T08:30:00Z');
    expect(duePeriod(daily, at('2026-12-08T09:00:00Z'), changed)).toBeNull();
    expect(duePeriod(daily, at('2026-12-09T08:00:30Z'), changed)).toEqual({ start: at('2026-12-08T08:00:00Z'), end: at('2026-12-09T08:00:00Z') });
    // Never changed (the demo's seed): the newest ended period is due at once.
    expect(duePeriod(daily, at('2026-12-08T09:00:00Z'), null)?.end).toEqual(at('2026-12-08T08:00:00Z'));
  });
});
