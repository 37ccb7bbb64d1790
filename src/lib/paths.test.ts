import { describe, expect, it } from 'vitest';
import { safeNextPath } from './paths';

describe('safeNextPath', () => {
  it('keeps same-origin paths', () => {
    expect(safeNextPath('/acme/devices?status=online')).toBe('/acme/devices?status=online');
  });

  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 42, undefined])(
    'falls back for %s',
    (value) => {
      expect(safeNextPath(value, '/home')).toBe('/home');
    },
  );
});
