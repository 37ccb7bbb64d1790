import { describe, expect, it } from 'vitest';
import { defaultBehaviour, TELEMETRY_INTERVAL_MS } from './config';
import { Fleet, FIRMWARE_VERSIONS, thingNameOf } from './fleet';
import { telemetryPointAt, telemetryValue } from './telemetry';

const EPOCH = Date.UTC(2026, 10, 1, 12, 0, 0);
const DAY = 86_400_000;

describe('fleet model', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Fleet(42, 500, EPOCH, defaultBehaviour());
    const b = new Fleet(42, 500, EPOCH, defaultBehaviour());
    const c = new Fleet(43, 500, EPOCH, defaultBehaviour());
    const snapshot = (f: Fleet) =>
      Array.from({ length: 500 }, (_, i) => [f.thingTypeName(i), f.attributes(i), f.thingId(i), f.connectivityAt(i, EPOCH + DAY), f.liveReported(i, EPOCH + DAY)]);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(snapshot(a)).not.toEqual(snapshot(c));
    expect(a.indexOf('sensor-000500')).toBe(499);
    expect(a.indexOf('sensor-000501')).toBe(-1);
    expect(a.indexOf('sensor-00001')).toBe(-1);
    expect(thingNameOf(0)).toBe('sensor-000001');
  });

  it('has devices that drop offline with a reason and come back', () => {
    const behaviour = { ...defaultBehaviour(), deadFraction: 0 };
    const fleet = new Fleet(7, 200, EPOCH, behaviour);
    let transitions = 0;
    for (let i = 0; i < 200; i++) {
      let last = fleet.connectivityAt(i, EPOCH).connected;
      for (let t = EPOCH; t < EPOCH + 2 * DAY; t += 5 * 60_000) {
        const c = fleet.connectivityAt(i, t);
        expect(c.sinceMs).toBeLessThanOrEqual(t);
        if (!c.connected) {
          expect(c.disconnectReason).toMatch(/^[A-Z_]+$/);
          expect(c.untilMs).toBeGreaterThan(t);
          expect(fleet.firstOnlineAtOrAfter(i, t)).toBe(c.untilMs);
          expect(fleet.connectivityAt(i, c.untilMs).connected).toBe(true);
        }
        if (c.connected !== last) transitions++;
        last = c.connected;
      }
    }
    expect(transitions).toBeGreaterThan(50);
  });

  it('keeps dead devices offline since before seeding', () => {
    const fleet = new Fleet(3, 2000, EPOCH, { ...defaultBehaviour(), deadFraction: 0.05 });
    const dead = Array.from({ length: 2000 }, (_, i) => fleet.connectivityAt(i, EPOCH + 10 * DAY)).filter((c) => c.untilMs === Infinity);
    expect(dead.length).toBeGreaterThan(60);
    expect(dead.length).toBeLessThan(140);
    for (const c of dead) expect(c.sinceMs).toBeLessThan(EPOCH);
  });

  it('spreads firmware versions realistically', () => {
    const fleet = new Fleet(5, 5000, EPOCH, defaultBehaviour());
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) counts.set(fleet.initialFirmware(i), (counts.get(fleet.initialFirmware(i)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...FIRMWARE_VERSIONS].sort());
    expect(counts.get('1.5.0')! / 5000).toBeGreaterThan(0.5);
    expect(counts.get('1.4.2')! / 5000).toBeGreaterThan(0.15);
  });

  it('reports telemetry points and a version that only grows', () => {
    const fleet = new Fleet(9, 50, EPOCH, defaultBehaviour());
    for (let i = 0; i < 50; i++) {
      let version = 0;
      for (let t = EPOCH; t < EPOCH + DAY; t += 17 * 60_000) {
        const r = fleet.liveReported(i, t);
        expect(r.version).toBeGreaterThanOrEqual(version);
        version = r.version;
        expect(r.values.temperature).toBe(telemetryValue(fleet.name(i), 'temperature', r.times.temperature));
      }
    }
  });
});

describe('telemetry', () => {
  it('is a pure function on a 60-second grid with plausible ranges and a daily cycle', () => {
    const t = EPOCH + 12_345;
    expect(telemetryValue('sensor-000001', 'temperature', t)).toBe(telemetryValue('sensor-000001', 'temperature', telemetryPointAt(t)));
    expect(telemetryPointAt(t) % TELEMETRY_INTERVAL_MS).toBe(0);
    const temps = Array.from({ length: 24 * 60 }, (_, m) => telemetryValue('sensor-000001', 'temperature', EPOCH + m * 60_000));
    expect(Math.max(...temps) - Math.min(...temps)).toBeGreaterThan(3);
    for (let m = 0; m < 30 * 24 * 60; m += 97) {
      const at = EPOCH - m * 60_000;
      const battery = telemetryValue('sensor-000123', 'battery', at);
      expect(battery).toBeGreaterThanOrEqual(0);
      expect(battery).toBeLessThanOrEqual(100);
      const rssi = telemetryValue('sensor-000123', 'rssi', at);
      expect(rssi).toBeGreaterThan(-110);
      expect(rssi).toBeLessThan(-40);
    }
  });
});
