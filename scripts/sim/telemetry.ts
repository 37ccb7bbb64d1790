import { TELEMETRY_INTERVAL_MS, type TelemetryMeasure } from './config';
import { hash2, hash3, hashString, unit } from './hash';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MEASURE_SALT: Record<TelemetryMeasure, number> = { temperature: 1, battery: 2, rssi: 3 };

/** Per-thing constants of the telemetry model, derived from the thing name alone. */
export interface TelemetryProfile {
  key: number;
  tempBase: number;
  tempAmplitude: number;
  tempPeakOffsetMs: number;
  batteryPeriodMs: number;
  batteryChargeMs: number;
  batteryOffsetMs: number;
  batteryFloor: number;
  rssiBase: number;
  rssiPeriodMs: number;
}

const profiles = new Map<string, TelemetryProfile>();

export function telemetryProfile(thingName: string): TelemetryProfile {
  let p = profiles.get(thingName);
  if (p) return p;
  const key = hashString(thingName);
  const u = (salt: number) => unit(hash2(key, salt));
  const batteryPeriodMs = Math.round((3 + 7 * u(4)) * DAY_MS);
  p = {
    key,
    tempBase: 14 + 10 * u(1),
    tempAmplitude: 2 + 5 * u(2),
    tempPeakOffsetMs: (u(3) - 0.5) * 6 * HOUR_MS,
    batteryPeriodMs,
    batteryChargeMs: Math.round((2 + 4 * u(5)) * HOUR_MS),
    batteryOffsetMs: Math.floor(u(6) * batteryPeriodMs),
    batteryFloor: 8 + 17 * u(7),
    rssiBase: -90 + 35 * u(8),
    rssiPeriodMs: Math.round((4 + 8 * u(9)) * HOUR_MS),
  };
  // Bounded cache: Timestream queries over a large fleet must not grow memory without limit.
  if (profiles.size > 200_000) profiles.clear();
  profiles.set(thingName, p);
  return p;
}

/** Value of the data point at `pointMs`, which must lie on the 60-second grid. */
export function sampleTelemetry(p: TelemetryProfile, measure: TelemetryMeasure, pointMs: number): number {
  const minute = pointMs / TELEMETRY_INTERVAL_MS;
  const noise = unit(hash3(p.key, minute, MEASURE_SALT[measure])) - 0.5;
  switch (measure) {
    case 'temperature': {
      // Daily cycle peaking mid-afternoon UTC, shifted per device.
      const phase = ((pointMs - 15 * HOUR_MS - p.tempPeakOffsetMs) / DAY_MS) * 2 * Math.PI;
      return Math.round((p.tempBase + p.tempAmplitude * Math.cos(phase) + noise * 0.8) * 100) / 100;
    }
    case 'battery': {
      // Saw tooth: slow drain to a floor, then a few hours on the charger back to 100 %.
      const drainMs = p.batteryPeriodMs - p.batteryChargeMs;
      const pos = (((pointMs + p.batteryOffsetMs) % p.batteryPeriodMs) + p.batteryPeriodMs) % p.batteryPeriodMs;
      const level =
        pos < drainMs
          ? 100 - ((100 - p.batteryFloor) * pos) / drainMs
          : p.batteryFloor + ((100 - p.batteryFloor) * (pos - drainMs)) / p.batteryChargeMs;
      return Math.round(level * 10) / 10;
    }
    case 'rssi': {
      const wave = 4 * Math.sin((pointMs / p.rssiPeriodMs) * 2 * Math.PI);
      return Math.round(p.rssiBase + wave + noise * 6);
    }
  }
}

/** Floors a time to the telemetry grid (the data point at or before it). */
export function telemetryPointAt(timeMs: number): number {
  return Math.floor(timeMs / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS;
}

/**
 * The simulated fleet's telemetry: a pure function of (thing name, measure, time). Points exist every
 * 60 s; this returns the point at or before `timeMs`. Timestream queries aggregate exactly these values,
 * so a test can recompute any query's answer with it.
 */
export function telemetryValue(thingName: string, measure: TelemetryMeasure, timeMs: number): number {
  return sampleTelemetry(telemetryProfile(thingName), measure, telemetryPointAt(timeMs));
}
