import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, parseColumns, serializeColumns } from './columns';

describe('device table columns', () => {
  it('defaults when there is no choice yet, and keeps an empty choice empty', () => {
    expect(parseColumns(undefined)).toEqual(DEFAULT_COLUMNS);
    expect(parseColumns('')).toEqual([]);
  });

  it('keeps table order and ignores unknown names', () => {
    expect(parseColumns('battery.bogus.status')).toEqual(['status', 'battery']);
    expect(serializeColumns(['rssi', 'status'])).toBe('status.rssi');
    expect(parseColumns(serializeColumns(['integration', 'lastSeen']))).toEqual(['lastSeen', 'integration']);
  });
});
