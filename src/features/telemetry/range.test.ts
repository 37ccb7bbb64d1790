import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { autoBin, BIN_MS, BIN_SIZES, MAX_POINTS, PRESET_MS, RANGE_PRESETS, resolveRange, SETTLE_MS } from './range';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 22, 7, 13, 27, 512);

function fieldOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION') return Object.keys(error.fieldErrors ?? {})[0] ?? '';
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('autoBin', () => {
  it('follows the range: 1h → 1m, 24h → 5m, 7d → 15m, 30d → 1h', () => {
    expect(RANGE_PRESETS.map((r) => autoBin(PRESET_MS[r]))).toEqual(['1m', '5m', '15m', '1h']);
  });

  it('never gives more than the point cap for spans up to 31 days', () => {
    for (let span = MIN; span <= 31 * DAY; span += 37 * MIN) {
      expect(Math.ceil(span / BIN_MS[autoBin(span)])).toBeLessThanOrEqual(MAX_POINTS);
    }
  });
});

describe('resolveRange', () => {
  it.each([
    ['1h', 60, '1m'],
    ['24h', 288, '5m'],
    ['7d', 672, '15m'],
    ['30d', 720, '1h'],
  ] as const)('%s ends at the bin holding now and holds %i buckets of %s', (range, buckets, bin) => {
    const r = resolveRange({ range }, NOW);
    expect(r).toMatchObject({ bin, buckets, live: true });
    expect(r.toMs % BIN_MS[bin]).toBe(0);
    expect(r.fromMs % BIN_MS[bin]).toBe(0);
    expect(r.toMs - r.fromMs).toBe(PRESET_MS[range]);
    expect(r.toMs).toBeGreaterThanOrEqual(NOW - SETTLE_MS);
    expect(r.toMs - BIN_MS[bin]).toBeLessThanOrEqual(NOW - SETTLE_MS);
  });

  it('gives the same bounds to every request within one bin (so repeats hit the cache)', () => {
    const a = resolveRange({ range: '7d' }, Date.UTC(2026, 10, 22, 7, 0, 10));
    const b = resolveRange({ range: '7d' }, Date.UTC(2026, 10, 22, 7, 15, 4));
    expect(b).toEqual(a);
    expect(resolveRange({ range: '7d' }, Date.UTC(2026, 10, 22, 7, 15, 6)).toMs).toBe(a.toMs + 15 * MIN);
  });

  it('widens custom ranges to whole bins and marks finished ones as not live', () => {
    const r = resolveRange({ range: 'custom', fromMs: NOW - 3 * DAY - 7 * MIN, toMs: NOW - 2 * DAY + 3 * MIN }, NOW);
    expect(r.bin).toBe('5m');
    expect(r.fromMs).toBe(Math.floor((NOW - 3 * DAY - 7 * MIN) / (5 * MIN)) * 5 * MIN);
    expect(r.toMs).toBe(Math.ceil((NOW - 2 * DAY + 3 * MIN) / (5 * MIN)) * 5 * MIN);
    expect(r.live).toBe(false);
  });

  it('accepts an explicit bin within the point cap', () => {
    expect(resolveRange({ range: '24h', bin: '1m' }, NOW)).toMatchObject({ bin: '1m', buckets: 1440 });
    expect(resolveRange({ range: '30d', bin: '1d' }, NOW)).toMatchObject({ bin: '1d', buckets: 30 });
  });

  it.each([
    ['a bin giving more than 2,000 points', { range: '7d', bin: '1m' }, 'bin'],
    ['a custom range without a start', { range: 'custom', toMs: NOW }, 'from'],
    ['a custom range without an end', { range: 'custom', fromMs: NOW - HOUR }, 'to'],
    ['an end before the start', { range: 'custom', fromMs: NOW - HOUR, toMs: NOW - 2 * HOUR }, 'to'],
    ['an end far in the future', { range: 'custom', fromMs: NOW - HOUR, toMs: NOW + DAY }, 'to'],
    ['a start in the future', { range: 'custom', fromMs: NOW + MIN, toMs: NOW + 2 * MIN }, 'from'],
    ['more than 31 days', { range: 'custom', fromMs: NOW - 32 * DAY, toMs: NOW }, 'to'],
    ['a start before 2000', { range: 'custom', fromMs: Date.UTC(1970, 0, 1), toMs: Date.UTC(1970, 0, 2) }, 'from'],
    ['a fractional bound', { range: 'custom', fromMs: NOW - HOUR + 0.25, toMs: NOW }, 'from'],
    ['an unknown preset', { range: '1y' }, 'range'],
  ] as const)('refuses %s', (_label, input, field) => {
    expect(fieldOf(() => resolveRange(input as Parameters<typeof resolveRange>[0], NOW))).toBe(field);
  });

  it('keeps every preset and bin combination it accepts within the cap', () => {
    for (const range of RANGE_PRESETS) {
      for (const bin of BIN_SIZES) {
        try {
          expect(resolveRange({ range, bin }, NOW).buckets).toBeLessThanOrEqual(MAX_POINTS);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
        }
      }
    }
  });
});
