import { expect } from 'vitest';
import type { TelemetryPoint } from '@/features/telemetry/schemas';
import { TELEMETRY_INTERVAL_MS, TELEMETRY_MEASURES, TELEMETRY_RETENTION_DAYS, type TelemetryMeasure } from '../sim/config';
import { telemetryValue } from '../sim/telemetry';

/**
 * The answer a telemetry chart must give, computed straight from the simulator's deterministic
 * telemetry function (no SQL, no Timestream): every 60-second point of every thing inside
 * [from, to) that the simulated table holds at `simNow` (not after now, within the retention).
 */
export function expectedSeries(things: readonly string[], measure: string, fromMs: number, toMs: number, binMs: number, simNow: number): TelemetryPoint[] {
  if (!(TELEMETRY_MEASURES as readonly string[]).includes(measure)) return [];
  const retentionStart = Math.ceil((simNow - TELEMETRY_RETENTION_DAYS * 86_400_000) / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS;
  const first = Math.max(Math.ceil(fromMs / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS, retentionStart);
  const bins = new Map<number, { sum: number; count: number; min: number; max: number }>();
  for (const thing of things) {
    for (let t = first; t < toMs && t <= simNow; t += TELEMETRY_INTERVAL_MS) {
      const v = telemetryValue(thing, measure as TelemetryMeasure, t);
      const bin = Math.floor(t / binMs) * binMs;
      const acc = bins.get(bin) ?? { sum: 0, count: 0, min: Infinity, max: -Infinity };
      acc.sum += v;
      acc.count++;
      acc.min = Math.min(acc.min, v);
      acc.max = Math.max(acc.max, v);
      bins.set(bin, acc);
    }
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, a]) => ({ t, avg: a.sum / a.count, min: a.min, max: a.max, count: a.count }));
}

/** Points equal: same buckets, counts, min and max exactly; averages to 9 digits (sums are re-associated). */
export function expectSamePoints(actual: readonly TelemetryPoint[], expected: readonly TelemetryPoint[]) {
  expect(actual.map((p) => p.t)).toEqual(expected.map((p) => p.t));
  expect(actual.map((p) => p.count)).toEqual(expected.map((p) => p.count));
  expect(actual.map((p) => p.min)).toEqual(expected.map((p) => p.min));
  expect(actual.map((p) => p.max)).toEqual(expected.map((p) => p.max));
  actual.forEach((p, i) => expect(p.avg).toBeCloseTo(expected[i]!.avg, 9));
}

/** Data points the simulator scans for a query over these things (what it bills as bytes scanned / 48). */
export function scannedPoints(things: number, fromMs: number, toMs: number, simNow: number): number {
  const retentionStart = Math.ceil((simNow - TELEMETRY_RETENTION_DAYS * 86_400_000) / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS;
  const first = Math.max(Math.ceil(fromMs / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS, retentionStart);
  const last = Math.min(Math.ceil(toMs / TELEMETRY_INTERVAL_MS - 1) * TELEMETRY_INTERVAL_MS, Math.floor(simNow / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS);
  return last >= first ? things * ((last - first) / TELEMETRY_INTERVAL_MS + 1) : 0;
}

export const SIM_BYTES_PER_POINT = 48;
