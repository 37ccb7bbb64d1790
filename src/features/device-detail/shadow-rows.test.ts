import { describe, expect, it } from 'vitest';
import { formatLeaf, secondsToIso, shadowRows } from './shadow-rows';

describe('shadowRows', () => {
  it('lines up reported, desired and delta by leaf path with their metadata times', () => {
    const rows = shadowRows({
      reported: { battery: 80, fan: { speed: 2, mode: 'auto' }, tags: ['a', 'b'] },
      desired: { fan: { speed: 3 } },
      delta: { fan: { speed: 3 } },
      metadata: {
        reported: { battery: { timestamp: 100 }, fan: { speed: { timestamp: 90 }, mode: { timestamp: 80 } }, tags: [{ timestamp: 70 }, { timestamp: 75 }] },
        desired: { fan: { speed: { timestamp: 110 } } },
      },
    });
    expect(rows).toEqual([
      { path: 'battery', reported: 80, reportedAt: 100, desiredAt: null },
      { path: 'fan.mode', reported: 'auto', reportedAt: 80, desiredAt: null },
      { path: 'fan.speed', reported: 2, desired: 3, delta: 3, reportedAt: 90, desiredAt: 110 },
      { path: 'tags', reported: ['a', 'b'], reportedAt: 75, desiredAt: null },
    ]);
  });

  it('copes with missing sections and metadata', () => {
    expect(shadowRows({ reported: null, desired: { a: null }, delta: null, metadata: null })).toEqual([{ path: 'a', desired: null, reportedAt: null, desiredAt: null }]);
    expect(shadowRows({ reported: { empty: {} }, desired: null, delta: null, metadata: null })).toEqual([{ path: 'empty', reported: {}, reportedAt: null, desiredAt: null }]);
  });

  it('formats leaves and times', () => {
    expect(formatLeaf('blue')).toBe('blue');
    expect(formatLeaf({ a: 1 })).toBe('{"a":1}');
    expect(formatLeaf(null)).toBe('null');
    expect(secondsToIso(1_795_357_315)).toBe('2026-11-22T14:21:55.000Z');
    expect(secondsToIso(null)).toBeNull();
  });
});
