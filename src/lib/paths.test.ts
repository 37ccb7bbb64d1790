import { describe, expect, it } from 'vitest';
import { safeNextPath } from './paths';

describe('safeNextPath', () => {
  it.each([
    ['/acme/devices?status=online', '/acme/devices?status=online'],
    ['/acme/devices?q=a%20b&status=online&sort=name', '/acme/devices?q=a%20b&status=online&sort=name'],
    ['/acme/devices/0b6f?tab=shadow#desired', '/acme/devices/0b6f?tab=shadow#desired'],
    ['/', '/'],
    ['/orgs/new', '/orgs/new'],
    // Normalised the way a browser would resolve it, still on the app's origin.
    ['/acme/./devices/../ota', '/acme/ota'],
  ])('keeps the same-origin path %s', (value, expected) => {
    expect(safeNextPath(value, '/home')).toBe(expected);
  });

  it.each([
    '//evil.test',
    '//evil.test/acme',
    '/\\evil.test',
    '\\\\evil.test',
    '/%09/evil.test',
    '/%5Cevil.test',
    '/%5cevil.test',
    '/%2F/evil.test',
    '/%2f%2fevil.test',
    '/.//evil.test',
    '/..//evil.test',
    '/%2e%2e//evil.test',
    'https:evil.test',
    'https://evil.test',
    'http:/evil.test',
    'evil.test',
    'javascript:alert(1)',
    '/\tjavascript:alert(1)',
    '/\t/evil.test',
    '/\n/evil.test',
    '/\r\n/evil.test',
    '\t//evil.test',
    '/acme\u0000/devices',
    '/acme/%00',
    '/acme/devices\u007f',
    '/acme\nSet-Cookie: a=b',
    '/%E0%A4%A',
    '',
    42,
    null,
    undefined,
    { toString: () => '/acme' },
  ])('falls back for %j', (value) => {
    expect(safeNextPath(value, '/home')).toBe('/home');
  });

  it('falls back to the home page by default', () => {
    expect(safeNextPath('//evil.test')).toBe('/');
  });
});
