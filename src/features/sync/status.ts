import { isObject, type DeviceStatus, type JsonObject, type ObservedThing, type ShadowState } from './model';

/**
 * Honest device state from what a sync observed. Connectivity comes from the fleet index when it is
 * indexed, otherwise from the shadow's reported `connected` lifecycle value; without either the
 * status is `unknown`, never a guess. Shadow timestamps are epoch seconds, connectivity milliseconds.
 */
export const DEFAULT_REPORT_INTERVAL_SECONDS = 300;
/** A connected device is stale once it has been silent this many report intervals. */
export const STALE_AFTER_INTERVALS = 2;

export interface DerivedState {
  connected: boolean | null;
  status: DeviceStatus;
  lastSeenAt: Date | null;
  connectivityChangedAt: Date | null;
  disconnectReason: string | null;
  firmwareVersion: string | null;
  battery: number | null;
  rssi: number | null;
  temperature: number | null;
}

/** Newest `{timestamp}` leaf of a metadata tree, in epoch seconds. */
export function newestTimestampSeconds(metadata: unknown): number | null {
  if (Array.isArray(metadata)) return metadata.reduce<number | null>((max, v) => maxOf(max, newestTimestampSeconds(v)), null);
  if (!isObject(metadata)) return null;
  if (typeof metadata.timestamp === 'number' && Object.keys(metadata).length === 1) return metadata.timestamp;
  return Object.values(metadata).reduce<number | null>((max, v) => maxOf(max, newestTimestampSeconds(v)), null);
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function reportedMeta(shadow: ShadowState | null | undefined): JsonObject | null {
  const meta = shadow?.metadata?.reported;
  return isObject(meta) ? meta : null;
}

/** The time of the device's newest reported write, epoch seconds. */
export function lastReportedSeconds(shadow: ShadowState | null | undefined): number | null {
  return newestTimestampSeconds(reportedMeta(shadow));
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 128) : null;
}

/** Telemetry fields commonly found in reported state, under their usual names. */
export function telemetryFrom(reported: JsonObject | null | undefined) {
  const r = reported ?? {};
  return {
    firmwareVersion: str(r.firmware) ?? str(r.firmwareVersion) ?? str(r.fwVersion),
    battery: num(r.battery) ?? num(r.batteryLevel),
    rssi: num(r.rssi),
    temperature: num(r.temperature) ?? num(r.temp),
  };
}

/** How often the device promises to report: its reported `reportIntervalSec`, or its `config` shadow's. */
export function expectedReportIntervalSeconds(thing: Pick<ObservedThing, 'shadow' | 'namedShadows'>): number {
  const candidates = [thing.shadow?.reported?.reportIntervalSec, thing.namedShadows?.config?.reported?.reportIntervalSec];
  for (const c of candidates) if (typeof c === 'number' && Number.isFinite(c) && c > 0) return c;
  return DEFAULT_REPORT_INTERVAL_SECONDS;
}

/** The connectivity to trust: indexed connectivity first, then the shadow's `connected` lifecycle write. */
export function connectivityOf(thing: Pick<ObservedThing, 'connectivity' | 'shadow'>) {
  if (thing.connectivity) return thing.connectivity;
  const connected = thing.shadow?.reported?.connected;
  if (typeof connected !== 'boolean') return null;
  const at = reportedMeta(thing.shadow)?.connected;
  const seconds = isObject(at) && typeof at.timestamp === 'number' ? at.timestamp : null;
  return { connected, timestampMs: seconds === null ? null : seconds * 1000, disconnectReason: null };
}

// Whole seconds: both modes then agree exactly (the index reports ms, shadows report s).
const toDate = (ms: number | null) => (ms === null ? null : new Date(Math.floor(ms / 1000) * 1000));

export function deriveDeviceState(thing: ObservedThing, nowMs: number): DerivedState {
  const conn = connectivityOf(thing);
  const reportedMs = lastReportedSeconds(thing.shadow);
  const lastSeenMs = maxOf(reportedMs === null ? null : reportedMs * 1000, conn?.timestampMs ?? null);
  let status: DeviceStatus = 'unknown';
  if (conn) {
    const silentForMs = lastSeenMs === null ? Infinity : nowMs - lastSeenMs;
    const staleAfterMs = STALE_AFTER_INTERVALS * expectedReportIntervalSeconds(thing) * 1000;
    status = !conn.connected ? 'offline' : silentForMs > staleAfterMs ? 'stale' : 'online';
  }
  return {
    connected: conn?.connected ?? null,
    status,
    lastSeenAt: toDate(lastSeenMs),
    connectivityChangedAt: toDate(conn?.timestampMs ?? null),
    disconnectReason: conn && !conn.connected ? conn.disconnectReason : null,
    ...telemetryFrom(thing.shadow?.reported),
  };
}
