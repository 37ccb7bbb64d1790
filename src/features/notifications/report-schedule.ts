import type { ReportFrequency } from './schemas';

/**
 * When scheduled fleet reports are due (pure, browser-safe). All times are UTC: a daily period
 * ends every day at `hour`:00, a weekly one on ISO `weekday` (1 = Monday … 7 = Sunday) at `hour`:00,
 * and covers the day or week before. Its report is sent once the period has ended.
 */
export interface ReportSchedule {
  frequency: Exclude<ReportFrequency, 'off'>;
  hour: number;
  weekday: number;
}

export interface ReportPeriod {
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

export function periodLengthMs(frequency: ReportSchedule['frequency']): number {
  return frequency === 'daily' ? DAY_MS : 7 * DAY_MS;
}

/** ISO weekday of a UTC instant: 1 = Monday … 7 = Sunday. */
export function isoWeekday(at: Date): number {
  return ((at.getUTCDay() + 6) % 7) + 1;
}

/** The newest period that has ended at or before `now`. */
export function latestReportPeriod(schedule: ReportSchedule, now: Date): ReportPeriod {
  const length = periodLengthMs(schedule.frequency);
  let end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), schedule.hour);
  if (schedule.frequency === 'weekly') end -= ((isoWeekday(now) - schedule.weekday + 7) % 7) * DAY_MS;
  if (end > now.getTime()) end -= length;
  return { start: new Date(end - length), end: new Date(end) };
}

/** When the next report goes out (the end of the period under way). */
export function nextReportAt(schedule: ReportSchedule, now: Date): Date {
  return new Date(latestReportPeriod(schedule, now).end.getTime() + periodLengthMs(schedule.frequency));
}

/**
 * The period whose report is due now, or null: the newest ended period, unless the schedule was
 * changed after it ended (`since`), so turning a report on never sends for a period that ended
 * before. Older missed periods are not caught up (a report is about the fleet now).
 */
export function duePeriod(schedule: ReportSchedule, now: Date, since: Date | null): ReportPeriod | null {
  const period = latestReportPeriod(schedule, now);
  return since && period.end.getTime() <= since.getTime() ? null : period;
}
