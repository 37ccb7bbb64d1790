import { describe, expect, it } from 'vitest';
import { defaultBehaviour } from './config';
import { controlledTelemetry, type MetricEffect } from './controls';
import { Fleet } from './fleet';
import { telemetryProfile, telemetryValue } from './telemetry';

const EPOCH = Date.UTC(2026, 10, 1, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const STEP = 2 * MIN;

describe('devices held offline', () => {
  it('stay consistent with overlapping natural windows: offline inside every hold, versions only grow', () => {
    // Mostly flaky devices, so holds often start inside, end inside or swallow natural windows.
    const fleet = new Fleet(21, 24, EPOCH, { ...defaultBehaviour(), flakyFraction: 0.8, deadFraction: 0 });
    const holds = [
      [3 * HOUR, 4 * HOUR],
      [9 * HOUR + 7 * MIN, 13 * HOUR],
      [20 * HOUR, 20 * HOUR + 3 * MIN],
    ] as const;
    for (let i = 0; i < 24; i++) {
      for (const [from, to] of holds) {
        fleet.controls.takeOffline(i, EPOCH + from + i * 1000, 'CONNECTION_LOST');
        fleet.controls.bringOnline(i, EPOCH + to + i * 1000);
      }
      fleet.controls.takeOffline(i, EPOCH + 30 * HOUR, 'SERVER_INITIATED_DISCONNECT');
    }
    let transitions = 0;
    for (let i = 0; i < 24; i++) {
      let prev = fleet.liveReported(i, EPOCH);
      let prevConn = fleet.connectivityAt(i, EPOCH);
      for (let t = EPOCH + STEP; t < EPOCH + 36 * HOUR; t += STEP) {
        const c = fleet.connectivityAt(i, t);
        const r = fleet.liveReported(i, t);
        const held = holds.some(([a, b]) => t >= EPOCH + a + i * 1000 && t < EPOCH + b + i * 1000) || t >= EPOCH + 30 * HOUR;
        if (held) expect(c.connected).toBe(false);
        expect(c.sinceMs).toBeLessThanOrEqual(t);
        expect(r.times.connected).toBe(c.sinceMs);
        expect(r.version).toBeGreaterThanOrEqual(prev.version);
        if (c.connected !== prevConn.connected) {
          transitions++;
          expect(r.version).toBeGreaterThan(prev.version);
          expect(c.sinceMs).toBeGreaterThan(t - STEP);
        } else {
          expect(c.sinceMs).toBe(prevConn.sinceMs);
          // No reports while offline.
          if (!c.connected) expect(r.version).toBe(prev.version);
        }
        if (!c.connected) {
          expect(c.untilMs).toBeGreaterThan(t);
          if (c.untilMs !== Infinity) expect(fleet.connectivityAt(i, c.untilMs).connected).toBe(true);
          if (t >= EPOCH + 30 * HOUR) expect(c.untilMs).toBe(Infinity);
        }
        prev = r;
        prevConn = c;
      }
    }
    expect(transitions).toBeGreaterThan(6 * 24);
  });

  it('leaves things without controls exactly as before', () => {
    const plain = new Fleet(4, 30, EPOCH, defaultBehaviour());
    const controlled = new Fleet(4, 30, EPOCH, defaultBehaviour());
    controlled.controls.takeOffline(7, EPOCH + HOUR, 'CONNECTION_LOST');
    controlled.controls.addEffect(8, { measure: 'battery', kind: 'drain', startMs: EPOCH, endMs: Infinity, ratePerHour: 5 });
    for (let i = 0; i < 30; i++) {
      if (i === 7 || i === 8) continue;
      for (let t = EPOCH; t < EPOCH + 12 * HOUR; t += 13 * MIN) {
        expect(controlled.liveReported(i, t)).toEqual(plain.liveReported(i, t));
        expect(controlled.connectivityAt(i, t)).toEqual(plain.connectivityAt(i, t));
      }
    }
  });
});

describe('metric effects', () => {
  const thing = 'sensor-000042';
  const p = telemetryProfile(thing);
  const effect = (e: Partial<MetricEffect> & Pick<MetricEffect, 'kind' | 'measure'>): MetricEffect => ({ id: 1, startMs: EPOCH, endMs: Infinity, ...e });

  it('apply only inside their window and compose in order', () => {
    const shift = effect({ kind: 'shift', measure: 'temperature', delta: 3, endMs: EPOCH + 10 * MIN });
    expect(controlledTelemetry(p, 'temperature', EPOCH - MIN, [shift])).toBe(telemetryValue(thing, 'temperature', EPOCH - MIN));
    expect(controlledTelemetry(p, 'temperature', EPOCH + 9 * MIN, [shift])).toBe(
      Math.round((telemetryValue(thing, 'temperature', EPOCH + 9 * MIN) + 3) * 100) / 100,
    );
    expect(controlledTelemetry(p, 'temperature', EPOCH + 10 * MIN, [shift])).toBe(telemetryValue(thing, 'temperature', EPOCH + 10 * MIN));
    // A value stuck after a shift keeps the shifted value of its start.
    const stuck = effect({ id: 2, kind: 'stuck', measure: 'temperature', startMs: EPOCH + 5 * MIN });
    const atStuck = controlledTelemetry(p, 'temperature', EPOCH + 5 * MIN, [shift]);
    expect(controlledTelemetry(p, 'temperature', EPOCH + 3 * HOUR, [shift, stuck])).toBe(atStuck);
  });

  it('drain a battery to zero and never below', () => {
    const drain = effect({ kind: 'drain', measure: 'battery', ratePerHour: 50 });
    const start = telemetryValue(thing, 'battery', EPOCH);
    expect(controlledTelemetry(p, 'battery', EPOCH + HOUR, [drain])).toBe(Math.max(0, Math.round((start - 50) * 10) / 10));
    expect(controlledTelemetry(p, 'battery', EPOCH + 5 * HOUR, [drain])).toBe(0);
    const spike = effect({ kind: 'spike', measure: 'battery', value: 140 });
    expect(controlledTelemetry(p, 'battery', EPOCH, [spike])).toBe(100);
  });
});
