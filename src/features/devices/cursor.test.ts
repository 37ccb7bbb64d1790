import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type DeviceCursor } from './cursor';

const id = '0b9f3c1e-7a51-4a7e-9d0a-3e5c2f1b6a90';

describe('device list cursor', () => {
  it.each<DeviceCursor>([
    { sort: 'name', dir: 'asc', side: 'after', thingName: 'dev-01', id },
    { sort: 'lastSeen', dir: 'desc', side: 'before', value: '2026-01-15T11:56:00.123455Z', thingName: 'dev-02', id },
    { sort: 'lastSeen', dir: 'desc', side: 'after', value: null, thingName: 'dev-02', id },
    { sort: 'battery', dir: 'asc', side: 'after', value: 12.5, thingName: 'dev-03', id },
    { sort: 'status', dir: 'asc', side: 'after', value: 'stale', thingName: 'dev-04', id },
  ])('round-trips $sort $dir $side', (cursor) => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, cursor.sort, cursor.dir)).toEqual(cursor);
  });

  it('belongs to one sort and direction', () => {
    const text = encodeCursor({ sort: 'battery', dir: 'asc', side: 'after', value: 3, thingName: 'x', id });
    expect(decodeCursor(text, 'battery', 'desc')).toBeNull();
    expect(decodeCursor(text, 'name', 'asc')).toBeNull();
  });

  it('rejects forged or malformed cursors', () => {
    const forge = (wire: unknown) => Buffer.from(JSON.stringify(wire)).toString('base64url');
    expect(decodeCursor('%%%', 'name', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'name', d: 'asc', p: 'a', k: ['x', 'not-a-uuid'] }), 'name', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'status', d: 'asc', p: 'a', k: ['broken', 'x', id] }), 'status', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'lastSeen', d: 'asc', p: 'a', k: ['2026-01-15', 'x', id] }), 'lastSeen', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'battery', d: 'asc', p: 'a', k: ['12', 'x', id] }), 'battery', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'name', d: 'asc', p: 'x', k: ['x', id] }), 'name', 'asc')).toBeNull();
    expect(decodeCursor(forge({ s: 'name', d: 'asc', p: 'a', k: ['', id] }), 'name', 'asc')).toBeNull();
  });
});
