import { describe, expect, it } from 'vitest';
import type { ObservedThing, ShadowState } from './model';
import { deriveDeviceState, newestTimestampSeconds, telemetryFrom } from './status';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const s = (ms: number) => Math.floor(ms / 1000);

function shadow(reported: Record<string, unknown>, times: Record<string, number>, extra: Partial<ShadowState> = {}): ShadowState {
  const meta = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, { timestamp: t }]));
  return { reported, desired: null, delta: null, metadata: { reported: meta }, version: 7, ...extra };
}

function thing(partial: Partial<ObservedThing>): ObservedThing {
  return {
    thingName: 'sensor-000001',
    thingType: 'env-sensor',
    attributes: {},
    groups: [],
    registryVersion: null,
    shadow: null,
    namedShadows: null,
    connectivity: null,
    ...partial,
  };
}

describe('deriveDeviceState', () => {
  const fresh = shadow({ firmware: '2.0.1', battery: 81, rssi: -67, temperature: 21.5 }, { battery: s(NOW - 60_000), firmware: s(NOW - 86_400_000) });

  it('is online when the index says connected and the device reported recently', () => {
    const d = deriveDeviceState(thing({ shadow: fresh, connectivity: { connected: true, timestampMs: NOW - 3_600_000 + 123, disconnectReason: null } }), NOW);
    expect(d).toMatchObject({ status: 'online', connected: true, firmwareVersion: '2.0.1', battery: 81, rssi: -67, temperature: 21.5, disconnectReason: null });
    expect(d.lastSeenAt).toEqual(new Date(NOW - 60_000));
    // Connectivity timestamps are milliseconds; stored to the second.
    expect(d.connectivityChangedAt).toEqual(new Date(NOW - 3_600_000));
  });

  it('is offline, with the reason, when the index says disconnected', () => {
    const d = deriveDeviceState(thing({ shadow: fresh, connectivity: { connected: false, timestampMs: NOW - 30_000, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' } }), NOW);
    expect(d).toMatchObject({ status: 'offline', connected: false, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    expect(d.lastSeenAt).toEqual(new Date(NOW - 30_000));
  });

  it('is stale when connected but silent for longer than two report intervals', () => {
    const silent = shadow({ battery: 50 }, { battery: s(NOW - 11 * 60_000) });
    const conn = { connected: true, timestampMs: NOW - 86_400_000, disconnectReason: null };
    expect(deriveDeviceState(thing({ shadow: silent, connectivity: conn }), NOW).status).toBe('stale');
    // A device that promises to report every 10 minutes is not stale after 11.
    const slow = { config: shadow({ reportIntervalSec: 600 }, {}) };
    expect(deriveDeviceState(thing({ shadow: silent, connectivity: conn, namedShadows: slow }), NOW).status).toBe('online');
    // Nor is one that just reconnected.
    expect(deriveDeviceState(thing({ shadow: silent, connectivity: { ...conn, timestampMs: NOW - 1000 } }), NOW).status).toBe('online');
  });

  it('uses the shadow\'s reported "connected" lifecycle value when connectivity is not indexed', () => {
    const registry = shadow({ connected: false, battery: 10 }, { connected: s(NOW - 120_000), battery: s(NOW - 600_000) });
    const d = deriveDeviceState(thing({ shadow: registry }), NOW);
    expect(d).toMatchObject({ status: 'offline', connected: false, disconnectReason: null });
    expect(d.connectivityChangedAt).toEqual(new Date(NOW - 120_000));
  });

  it('is unknown without any connectivity data, whatever the shadow says otherwise', () => {
    expect(deriveDeviceState(thing({ shadow: fresh }), NOW)).toMatchObject({ status: 'unknown', connected: null });
    expect(deriveDeviceState(thing({ shadow: null }), NOW)).toMatchObject({ status: 'unknown', lastSeenAt: null, firmwareVersion: null });
  });

  it('copes with an index that dropped the timestamp of a long disconnect', () => {
    const d = deriveDeviceState(thing({ connectivity: { connected: false, timestampMs: null, disconnectReason: null } }), NOW);
    expect(d).toMatchObject({ status: 'offline', lastSeenAt: null, connectivityChangedAt: null });
    const c = deriveDeviceState(thing({ connectivity: { connected: true, timestampMs: null, disconnectReason: null } }), NOW);
    expect(c.status).toBe('stale');
  });
});

describe('helpers', () => {
  it('finds the newest timestamp anywhere in a metadata tree', () => {
    expect(newestTimestampSeconds({ a: { timestamp: 5 }, b: { c: { timestamp: 9 } }, d: [{ timestamp: 7 }] })).toBe(9);
    expect(newestTimestampSeconds({})).toBeNull();
    expect(newestTimestampSeconds(null)).toBeNull();
  });

  it('reads telemetry under its usual names and ignores values of the wrong type', () => {
    expect(telemetryFrom({ firmwareVersion: '1.0', batteryLevel: 55, rssi: -80, temp: 4 })).toEqual({ firmwareVersion: '1.0', battery: 55, rssi: -80, temperature: 4 });
    expect(telemetryFrom({ firmware: 2, battery: '80', rssi: Number.NaN })).toEqual({ firmwareVersion: null, battery: null, rssi: null, temperature: null });
  });
});
