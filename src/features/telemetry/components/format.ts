import { number } from '@/lib/format';

/** Display helpers for telemetry charts (browser-side, local time zone). */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${number.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const decimals = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

export function formatValue(value: number, unit: string): string {
  return `${decimals.format(value)}${unit ? (unit === '%' ? '%' : ` ${unit}`) : ''}`;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const range = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

const TICK_STEPS = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10_080].map((m) => m * 60_000);

/** Tick positions on round local times (whole hours, local midnights…), at most `maxTicks` of them. */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 8): number[] {
  const step = TICK_STEPS.find((s) => (toMs - fromMs) / s <= maxTicks) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const offset = new Date(fromMs).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((fromMs - offset) / step) * step + offset; t <= toMs; t += step) ticks.push(t);
  return ticks;
}

/** Tick labels: clock time for short spans, weekday and time up to a week, dates beyond. */
export function tickFormatter(spanMs: number): (t: number) => string {
  if (spanMs <= 36 * HOUR) return (t) => timeOnly.format(t);
  if (spanMs <= 3 * DAY) return (t) => dayAndTime.format(t);
  return (t) => dateOnly.format(t);
}

export function formatInstant(t: number): string {
  return full.format(t);
}

/** `datetime-local` input value (local time, minutes) for an instant. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatRange(fromMs: number, toMs: number): string {
  return `${range.format(fromMs)} – ${range.format(toMs)}`;
}
