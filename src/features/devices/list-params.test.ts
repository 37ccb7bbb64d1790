import { describe, expect, it } from 'vitest';
import { deviceListQuery, parseDeviceListParams } from './list-params';

describe('device list URL', () => {
  it('defaults to name A→Z on the first page', () => {
    expect(parseDeviceListParams(new URLSearchParams(''))).toEqual({ filter: {}, sort: 'name', dir: 'asc', cursor: undefined, invalid: [] });
  });

  it('gives each sort its natural direction unless one is chosen', () => {
    expect(parseDeviceListParams({ sort: 'lastSeen' })).toMatchObject({ sort: 'lastSeen', dir: 'desc' });
    expect(parseDeviceListParams({ sort: 'lastSeen', dir: 'asc' })).toMatchObject({ sort: 'lastSeen', dir: 'asc' });
    expect(parseDeviceListParams({ sort: 'battery' })).toMatchObject({ sort: 'battery', dir: 'asc' });
  });

  it('drops and names bad sort, direction and cursor parameters', () => {
    const parsed = parseDeviceListParams(new URLSearchParams('sort=hack&dir=up&cursor=a%20b&status=online'));
    expect(parsed).toMatchObject({ filter: { status: ['online'] }, sort: 'name', dir: 'asc', cursor: undefined });
    expect(parsed.invalid.sort()).toEqual(['cursor', 'dir', 'sort']);
  });

  it('writes short links: defaults left out, filter first, cursor last', () => {
    expect(deviceListQuery({ filter: {}, sort: 'name', dir: 'asc' })).toBe('');
    expect(deviceListQuery({ filter: {}, sort: 'lastSeen', dir: 'desc' })).toBe('?sort=lastSeen&dir=desc');
    expect(deviceListQuery({ filter: { q: 'pump', group: 'eu' }, sort: 'name', dir: 'desc', cursor: 'abc' })).toBe('?q=pump&group=eu&sort=name&dir=desc&cursor=abc');
  });

  it('round-trips through the URL', () => {
    const params = { filter: { status: ['stale' as const], attr: [{ key: 'site', value: 'lab' }] }, sort: 'battery' as const, dir: 'desc' as const, cursor: 'xyz_-1' };
    const { invalid, ...parsed } = parseDeviceListParams(new URLSearchParams(deviceListQuery(params).slice(1)));
    expect(invalid).toEqual([]);
    expect(parsed).toEqual(params);
  });
});
