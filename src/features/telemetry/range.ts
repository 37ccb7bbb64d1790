import { AppError } from '@/lib/errors';

/**
 * Time ranges and bin sizes of telemetry charts (browser-safe, pure). A chart never asks for more
 * than MAX_POINTS buckets; presets pick the smallest allowed bin that keeps them near TARGET_POINTS.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The bin sizes both Timestream's `bin()` and the shadow history's `date_bin` get; nothing else is emitted. */
export const BIN_SIZES = ['1m', '5m', '10m', '15m', '30m', '1h', '6h', '12h', '1d'] as const;
export type BinSize = (typeof BIN_SIZES)[number];

export const BIN_MS: Record<BinSize, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '10m': 10 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
};

export const BIN_LABELS: Record<BinSize, string> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '10m': '10 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '6h': '6 hours',
  '12h': '12 hours',
  '1d': '1 day',
};

export const RANGE_PRESETS = ['1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export type RangeChoice = RangePreset | 'custom';

export const PRESET_MS: Record<RangePreset, number> = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
export const PRESET_LABELS: Record<RangeChoice, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d', custom: 'Custom' };

/** Hard cap on buckets per chart (an explicit bin finer than this allows is refused). */
export const MAX_POINTS = 2000;
/** Automatic bins aim at this many buckets: 1 h → 1m (60), 24 h → 5m (288), 7 d → 15m (672), 30 d → 1h (720). */
export const TARGET_POINTS = 720;
export const MAX_SPAN_MS = 31 * DAY;
/** A custom range may end a little in the future (clock skew), not more. */
export const FUTURE_TOLERANCE_MS = 5 * MINUTE;
/** The newest seconds are left out when aligning "now": data for them may not have landed yet. */
export const SETTLE_MS = 5_000;
/** Earliest instant a chart may start at (guards against absurd or negative timestamps). */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);

export function bucketsFor(spanMs: number, bin: BinSize): number {
  return Math.ceil(spanMs / BIN_MS[bin]);
}

/** The smallest allowed bin that keeps the span within TARGET_POINTS buckets. */
export function autoBin(spanMs: number): BinSize {
  return BIN_SIZES.find((b) => bucketsFor(spanMs, b) <= TARGET_POINTS) ?? BIN_SIZES[BIN_SIZES.length - 1]!;
}

export interface RangeInput {
  range: RangeChoice;
  /** Epoch ms; custom ranges only. */
  fromMs?: number;
  toMs?: number;
  /** Explicit bin; otherwise chosen from the span. */
  bin?: BinSize;
}

export interface ResolvedRange {
  /** Inclusive start, aligned to the bin. */
  fromMs: number;
  /** Exclusive end, aligned to the bin. */
  toMs: number;
  bin: BinSize;
  buckets: number;
  /** The range reaches the present, so its newest bucket is still filling. */
  live: boolean;
}

function invalid(field: string, message: string): never {
  throw new AppError('VALIDATION', message, { [field]: [message] });
}

/**
 * Turns a preset or a custom range into bin-aligned bounds. Presets end at the bin holding "now",
 * so repeated requests within one bin ask for the same range (and hit the cache).
 */
export function resolveRange(input: RangeInput, nowMs: number): ResolvedRange {
  if (!Number.isFinite(nowMs)) throw new Error('resolveRange needs a finite now');
  const settledNow = nowMs - SETTLE_MS;
  let spanMs: number;
  let rawFrom: number;
  let rawTo: number;
  if (input.range === 'custom') {
    const { fromMs, toMs } = input;
    if (fromMs === undefined || !Number.isSafeInteger(fromMs)) invalid('from', 'Choose a start time.');
    if (toMs === undefined || !Number.isSafeInteger(toMs)) invalid('to', 'Choose an end time.');
    if (fromMs < EARLIEST_MS) invalid('from', 'The start is too far in the past.');
    if (fromMs >= toMs) invalid('to', 'The end must be after the start.');
    if (toMs > nowMs + FUTURE_TOLERANCE_MS) invalid('to', 'The end cannot be in the future.');
    if (toMs - fromMs > MAX_SPAN_MS) invalid('to', 'A chart covers at most 31 days.');
    spanMs = toMs - fromMs;
    rawFrom = fromMs;
    rawTo = Math.min(toMs, nowMs);
    if (rawFrom >= rawTo) invalid('from', 'The start cannot be in the future.');
  } else {
    spanMs = PRESET_MS[input.range];
    if (spanMs === undefined) invalid('range', 'Unknown range.');
    rawTo = settledNow;
    rawFrom = rawTo - spanMs;
  }
  const bin = input.bin ?? autoBin(spanMs);
  const binMs = BIN_MS[bin];
  if (binMs === undefined) invalid('bin', 'Unknown bin size.');
  // Presets keep their exact length (from = to − span), custom ranges widen to whole bins.
  const toMs = Math.ceil(rawTo / binMs) * binMs;
  const fromMs = input.range === 'custom' ? Math.floor(rawFrom / binMs) * binMs : toMs - Math.ceil(spanMs / binMs) * binMs;
  const buckets = Math.round((toMs - fromMs) / binMs);
  if (buckets > MAX_POINTS) invalid('bin', `A ${BIN_LABELS[bin]} bin gives ${buckets} points over this range; the limit is ${MAX_POINTS}.`);
  if (buckets < 1) invalid('to', 'The range is shorter than one bin.');
  return { fromMs, toMs, bin, buckets, live: toMs > settledNow - binMs };
}
