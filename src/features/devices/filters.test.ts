import { describe, expect, it } from 'vitest';
import { deviceFilterQuery, likePattern, parseDeviceFilter, serializeDeviceFilter } from './filters';

describe('device filter in the URL', () => {
  it('round-trips every field through the query string', () => {
    const filter = {
      q: 'pump 7',
      status: ['online' as const, 'stale' as const],
      type: 'Sensor',
      group: 'eu-west',
      firmware: '1.4.2',
      integration: '0b9f3c1e-7a51-4a7e-9d0a-3e5c2f1b6a90',
      attr: [{ key: 'site', value: 'lab=2' }, { key: 'floor', value: '3' }],
      batteryBelow: 20,
      openAlert: true as const,
    };
    const params = serializeDeviceFilter(filter);
    expect(params.toString()).toBe(
      'q=pump+7&status=online%2Cstale&type=Sensor&group=eu-west&firmware=1.4.2&integration=0b9f3c1e-7a51-4a7e-9d0a-3e5c2f1b6a90&attr=site%3Dlab%3D2&attr=floor%3D3&batteryBelow=20&alert=open',
    );
    expect(parseDeviceFilter(new URLSearchParams(params.toString()))).toEqual({ filter, invalid: [] });
  });

  it('reads Next.js searchParams records, repeated and comma-separated statuses alike', () => {
    const { filter, invalid } = parseDeviceFilter({ status: ['online', 'offline,online'], attr: 'site=lab' });
    expect(invalid).toEqual([]);
    expect(filter).toEqual({ status: ['online', 'offline'], attr: [{ key: 'site', value: 'lab' }] });
  });

  it('drops and names invalid parameters instead of failing the page', () => {
    const { filter, invalid } = parseDeviceFilter(
      new URLSearchParams('status=online,bogus&batteryBelow=abc&integration=nope&attr=bad%20key=1&type=Sensor&alert=closed'),
    );
    expect(filter).toEqual({ type: 'Sensor' });
    expect(invalid.sort()).toEqual(['attr', 'batteryBelow', 'integration', 'openAlert', 'status']);
  });

  it('gives an empty query for an empty filter', () => {
    expect(deviceFilterQuery({})).toBe('');
    expect(deviceFilterQuery({ group: 'a b' })).toBe('?group=a+b');
    expect(parseDeviceFilter(new URLSearchParams('q=%20%20&status='))).toEqual({ filter: {}, invalid: [] });
  });
});

describe('likePattern', () => {
  it('escapes wildcards and the escape character', () => {
    expect(likePattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
