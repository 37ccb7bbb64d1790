import { describe, expect, it } from 'vitest';
import { BIN_SIZES } from '@/features/telemetry/range';
import { storeResolution } from './store-source';

describe('storeResolution', () => {
  it('reads raw points for 1-minute bins, 5-minute rollups up to 30 minutes, hourly rollups from 1 h', () => {
    expect(Object.fromEntries(BIN_SIZES.map((bin) => [bin, storeResolution(bin)]))).toEqual({
      '1m': 'raw',
      '5m': '5m',
      '10m': '5m',
      '15m': '5m',
      '30m': '5m',
      '1h': '1h',
      '6h': '1h',
      '12h': '1h',
      '1d': '1h',
    });
  });
});
