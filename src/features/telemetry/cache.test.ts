import { describe, expect, it } from 'vitest';
import { cacheKey, deviceSetKey, digestNames, LIVE_TTL_MS, SETTLED_TTL_MS, TelemetryCache } from './cache';
import type { SeriesResult } from './source';

const parts = { orgId: 'o', integrationId: 'i', source: 'timestream' as const, metric: 'temperature', bin: '5m' as const, fromMs: 0, toMs: 300_000, deviceSet: 'all' };
const result: SeriesResult = { buckets: [{ t: 0, sum: 1, count: 1, min: 1, max: 1 }], bytesScanned: 48, queries: 1 };

describe('telemetry cache', () => {
  it('keys on every part that changes the answer', () => {
    const base = cacheKey(parts);
    for (const change of [{ orgId: 'p' }, { integrationId: 'j' }, { source: 'shadow_history' as const }, { metric: 'rssi' }, { bin: '1m' as const }, { fromMs: 1 }, { toMs: 1 }, { deviceSet: 'set:x' }]) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(base);
    }
  });

  it('digests device sets independently of order', () => {
    expect(digestNames(['b', 'a', 'c'])).toBe(digestNames(['c', 'b', 'a']));
    expect(digestNames(['a', 'b'])).not.toBe(digestNames(['a', 'b', 'c']));
    expect(deviceSetKey(true, 'x')).toBe('all');
    expect(deviceSetKey(false, 'x')).toBe('set:x');
  });

  it('keeps live ranges briefly and finished ones longer, and hands out frozen copies', () => {
    const cache = new TelemetryCache();
    cache.set('live', result, true);
    cache.set('done', result, false);
    expect(cache.remainingTtl('live')).toBeLessThanOrEqual(LIVE_TTL_MS);
    expect(cache.remainingTtl('live')).toBeGreaterThan(LIVE_TTL_MS - 5_000);
    expect(cache.remainingTtl('done')).toBeGreaterThan(SETTLED_TTL_MS - 5_000);
    const cached = cache.get('live')!;
    expect(cached).toEqual(result);
    expect(Object.isFrozen(cached.buckets[0])).toBe(true);
    result.buckets[0]!.sum = 99;
    expect(cache.get('live')!.buckets[0]!.sum).toBe(1);
  });

  it('remembers device selections per organization and filter', () => {
    const cache = new TelemetryCache();
    const selection = [{ integrationId: 'i', selected: 2, live: 3, digest: 'd' }];
    cache.setSelections('o', 'q=a', selection);
    expect(cache.getSelections('o', 'q=a')).toEqual(selection);
    expect(cache.getSelections('p', 'q=a')).toBeUndefined();
    expect(cache.getSelections('o', 'q=b')).toBeUndefined();
  });
});
