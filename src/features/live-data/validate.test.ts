import { describe, expect, it } from 'vitest';
import { ingestLimits } from './config';
import { checkMessage } from './validate';

const NOW = Date.UTC(2026, 11, 8, 10, 0, 0);
const limits = ingestLimits({});
const check = (m: unknown) => checkMessage(m, limits, NOW);

describe('telemetry messages', () => {
  it('takes every numeric field but thing and ts as a metric', () => {
    expect(check({ thing: 'sensor-1', ts: NOW, battery: 80, 'cpu.load_1m': 0.5 })).toEqual({
      kind: 'telemetry', thing: 'sensor-1', ts: new Date(NOW), metrics: [['battery', 80], ['cpu.load_1m', 0.5]],
    });
  });

  it.each([
    [{ ts: NOW, battery: 1 }, 'missing_thing'],
    [{ thing: 'bad name!', ts: NOW, battery: 1 }, 'missing_thing'],
    [{ thing: 's', battery: 1 }, 'bad_timestamp'],
    [{ thing: 's', ts: '2026-12-08', battery: 1 }, 'bad_timestamp'],
    [{ thing: 's', ts: NOW - limits.maxAgeMs - 1, battery: 1 }, 'stale_timestamp'],
    [{ thing: 's', ts: NOW + limits.maxFutureMs + 1, battery: 1 }, 'future_timestamp'],
    [{ thing: 's', ts: NOW, _x: 1 }, 'bad_metric_name'],
    [{ thing: 's', ts: NOW, ['a'.repeat(65)]: 1 }, 'bad_metric_name'],
    [{ thing: 's', ts: NOW, battery: null }, 'bad_value'],
    [{ thing: 's', ts: NOW, battery: true }, 'bad_value'],
    [{ thing: 's', ts: NOW, battery: 2e12 }, 'bad_value'],
    [{ thing: 's', ts: NOW }, 'no_metrics'],
    [{ thing: 's', ts: NOW, note: 'x'.repeat(40_000) }, 'message_too_large'],
    [[1, 2], 'not_object'],
  ])('rejects %j as %s', (message, reason) => {
    expect(check(message)).toEqual({ kind: 'rejected', reason });
  });

  it('honours the configured window and metric count', () => {
    const narrow = ingestLimits({ FLEETLINE_INGEST_MAX_AGE_SECONDS: '60', FLEETLINE_INGEST_MAX_METRICS: '1' });
    expect(checkMessage({ thing: 's', ts: NOW - 61_000, a: 1 }, narrow, NOW)).toEqual({ kind: 'rejected', reason: 'stale_timestamp' });
    expect(checkMessage({ thing: 's', ts: NOW, a: 1, b: 2 }, narrow, NOW)).toEqual({ kind: 'rejected', reason: 'too_many_metrics' });
    expect(() => ingestLimits({ FLEETLINE_INGEST_MAX_AGE_SECONDS: 'soon' })).toThrow(/FLEETLINE_INGEST_MAX_AGE_SECONDS/);
  });
});

describe('presence events', () => {
  it('reads AWS lifecycle events (client id = thing name)', () => {
    expect(check({ clientId: 'sensor-1', eventType: 'disconnected', timestamp: NOW, disconnectReason: 'CONNECTION_LOST', versionNumber: 2 })).toEqual({
      kind: 'presence', thing: 'sensor-1', connected: false, at: new Date(NOW), disconnectReason: 'CONNECTION_LOST',
    });
    expect(check({ clientId: 'sensor-1', eventType: 'connected', timestamp: NOW })).toMatchObject({ kind: 'presence', connected: true, disconnectReason: null });
    expect(check({ clientId: 'sensor-1', eventType: 'subscribed', timestamp: NOW })).toEqual({ kind: 'rejected', reason: 'bad_presence' });
    expect(check({ clientId: 'sensor-1', eventType: 'connected', timestamp: NOW - 2 * 86_400_000 })).toEqual({ kind: 'rejected', reason: 'stale_timestamp' });
  });
});
