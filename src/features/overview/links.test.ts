import { describe, expect, it } from 'vitest';
import { parseDeviceFilter } from '@/features/devices/filters';
import { devicesHref, filterHref, shareLabel, statusHref } from './links';

describe('overview links', () => {
  it('open the device list with the filter in the query string, readable by the list', () => {
    expect(statusHref('acme', 'online')).toBe('/acme/devices?status=online');
    expect(statusHref('acme')).toBe('/acme/devices');
    const href = devicesHref('acme', { firmware: '1.4.2', batteryBelow: 20 });
    expect(href).toBe('/acme/devices?firmware=1.4.2&batteryBelow=20');
    const parsed = parseDeviceFilter(new URL(href, 'http://x').searchParams);
    expect(parsed).toEqual({ filter: { firmware: '1.4.2', batteryBelow: 20 }, invalid: [] });
  });

  it('encode group and type names safely', () => {
    const href = devicesHref('acme', { group: 'eu & na/1', type: 'a+b' });
    expect(parseDeviceFilter(new URL(href, 'http://x').searchParams).filter).toEqual({ group: 'eu & na/1', type: 'a+b' });
  });

  it('give no link where no filter exists', () => {
    expect(filterHref('acme', null)).toBeNull();
    expect(filterHref('acme', { type: 'gateway' })).toBe('/acme/devices?type=gateway');
  });
});

describe('shareLabel', () => {
  it('rounds to whole percent without claiming 0 % for some or 100 % for not all', () => {
    expect(shareLabel(0, 10)).toBe('0 %');
    expect(shareLabel(5, 0)).toBe('0 %');
    expect(shareLabel(1, 1000)).toBe('<1 %');
    expect(shareLabel(999, 1000)).toBe('>99 %');
    expect(shareLabel(1000, 1000)).toBe('100 %');
    expect(shareLabel(7, 10)).toBe('70 %');
  });
});
