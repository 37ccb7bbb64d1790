import { describe, expect, it } from 'vitest';
import { detect, type SeriesPoint } from './detect';
import { prng } from './synthetic';

/** The detector on small hand-built series: each anomaly kind, the daily cycle, history and sensitivity. */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 1);

function noisy(days: number, options: { step?: number; cycle?: number; seed?: number; jitter?: boolean } = {}): SeriesPoint[] {
  const rand = prng(options.seed ?? 7);
  const step = options.step ?? 5 * MIN;
  const out: SeriesPoint[] = [];
  for (let t = T0; t < T0 + days * DAY; t += options.jitter ? step * (0.5 + rand()) : step) {
    const gauss = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
    out.push({ t: Math.round(t), v: 20 + (options.cycle ?? 0) * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 0.5 * gauss });
  }
  return out;
}

const at = (series: SeriesPoint[], t: number) => series.findIndex((p) => p.t >= t);
const kinds = (series: SeriesPoint[], options = {}) => detect(series, options).windows.map((w) => w.kind);

describe('detect', () => {
  it('reports nothing on plain noise and scores every point after the minimum history', () => {
    const series = noisy(5);
    const result = detect(series);
    expect(result.windows).toEqual([]);
    expect(result.points).toHaveLength(series.length);
    expect(result.points.filter((p) => p.t < T0 + DAY).every((p) => p.score === null)).toBe(true);
    expect(result.points.at(-1)!.expectedLow).toBeLessThan(20);
    expect(result.points.at(-1)!.expectedHigh).toBeGreaterThan(20);
  });

  it('finds a spike, as a spike, at its time', () => {
    const series = noisy(4);
    const i = at(series, T0 + 3 * DAY);
    series[i]!.v += 6;
    const { windows, points } = detect(series);
    expect(windows).toMatchObject([{ kind: 'spike', start: series[i]!.t, end: series[i]!.t, direction: 'up' }]);
    expect(points[i]!.kind).toBe('spike');
    expect(points[i]!.v).toBeGreaterThan(points[i]!.expectedHigh!);
  });

  it('fires nothing before minHistoryMs', () => {
    const series = noisy(4);
    series[at(series, T0 + 12 * HOUR)]!.v += 10;
    expect(kinds(series)).toEqual([]);
    expect(kinds(series, { minHistoryMs: 6 * HOUR })).toEqual(['spike']);
  });

  it('tells a level shift from a drift', () => {
    const shifted = noisy(5);
    for (let i = at(shifted, T0 + 3 * DAY); i < at(shifted, T0 + 3 * DAY + 8 * HOUR); i++) shifted[i]!.v += 3;
    expect(kinds(shifted)).toEqual(['level_shift']);

    const drifting = noisy(5);
    const from = at(drifting, T0 + 3 * DAY);
    const to = at(drifting, T0 + 3 * DAY + 12 * HOUR);
    for (let i = from; i < to; i++) drifting[i]!.v += (4 * (i - from)) / (to - from);
    expect(kinds(drifting)).toEqual(['drift']);
  });

  it('finds a stuck sensor, but not in a series that normally repeats its value', () => {
    const series = noisy(4);
    const from = at(series, T0 + 3 * DAY);
    for (let i = from; i < from + 30; i++) series[i]!.v = series[from]!.v;
    expect(detect(series).windows).toMatchObject([{ kind: 'stuck', start: series[from]!.t, end: series[from + 29]!.t }]);

    // A battery percentage that changes once every few hours is not stuck for holding a value.
    const battery = noisy(4).map((p) => ({ t: p.t, v: 100 - Math.floor((p.t - T0) / (4 * HOUR)) }));
    expect(kinds(battery)).toEqual([]);
  });

  it('learns the daily cycle: the daily mean is an anomaly at the daily low', () => {
    const series = noisy(6, { cycle: 8 });
    const result = detect(series);
    expect(result.model.seasonal).toBe(true);
    expect(result.windows).toEqual([]);
    // Sine trough at 18:00 UTC: 20 − 8 = 12. Put 20 (the daily mean, well inside the overall range) there.
    const i = at(series, T0 + 5 * DAY + 18 * HOUR);
    series[i]!.v = 20;
    expect(detect(series).windows).toMatchObject([{ kind: 'spike', start: series[i]!.t }]);
  });

  it('tolerates irregular sampling', () => {
    const series = noisy(4, { jitter: true, step: 7 * MIN });
    expect(kinds(series)).toEqual([]);
    series[at(series, T0 + 3 * DAY)]!.v -= 6;
    expect(kinds(series)).toEqual(['spike']);
  });

  it('maps sensitivity to thresholds', () => {
    const series = noisy(4);
    series[at(series, T0 + 3 * DAY)]!.v += 2.25; // 4.5 σ of a 0.5 noise
    expect(kinds(series, { sensitivity: 'low' })).toEqual([]);
    expect(kinds(series, { sensitivity: 'high' })).toEqual(['spike']);
    expect(detect(series, { sensitivity: 3 }).model.thresholds.point).toBe(3);
  });

  it('counts and leaves out points that are not finite, and sorts the rest', () => {
    const series = noisy(2).reverse();
    const result = detect([...series, { t: Number.NaN, v: 1 }, { t: T0, v: Number.POSITIVE_INFINITY }]);
    expect(result.model.rejected).toBe(2);
    expect(result.points[0]!.t).toBe(T0);
    expect(() => detect(series, { minHistoryMs: -1 })).toThrow();
  });
});
