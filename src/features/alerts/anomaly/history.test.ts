import { describe, expect, it } from 'vitest';
import { thresholds } from '../detector/schemas';
import { anomalyThresholds, HOLD_RATIO, LEVEL_WINDOW_MS, SUSTAIN_WINDOW_MS } from './constants';
import { metricHistory } from './history';

describe('metricHistory', () => {
  it('names a cached column the same in the telemetry store and the shadow history', () => {
    expect(metricHistory('battery')).toEqual({ key: '"battery"', telemetryName: 'battery', shadowPath: '$."battery" ? (@.type() == "number")' });
  });

  it('reads a reported path in dotted form from the store and as a JSON path from the classic shadow', () => {
    expect(metricHistory({ path: ['sensors', 't1'] })).toMatchObject({ telemetryName: 'sensors.t1', shadowPath: '$."sensors"."t1" ? (@.type() == "number")' });
  });

  it('has no shadow history for a named shadow, and no store name for keys the store cannot hold', () => {
    expect(metricHistory({ shadow: 'env', path: ['t'] })).toMatchObject({ telemetryName: 't', shadowPath: null });
    expect(metricHistory({ path: ['$weird'] }).telemetryName).toBeNull();
  });

  it('changes its key when the metric changes (a changed rule relearns)', () => {
    expect(metricHistory({ path: ['a'] }).key).not.toBe(metricHistory({ path: ['b'] }).key);
  });
});

describe('anomalyThresholds', () => {
  it('fires at the detector\'s thresholds and holds below them', () => {
    for (const s of ['low', 'medium', 'high'] as const) {
      const t = anomalyThresholds(s);
      expect({ point: t.point, sustained: t.sustained }).toEqual(thresholds(s));
      expect(t.holdPoint).toBeCloseTo(t.point * HOLD_RATIO);
      expect(t.holdPoint).toBeLessThan(t.point);
    }
    expect([LEVEL_WINDOW_MS, SUSTAIN_WINDOW_MS]).toEqual([24 * 3_600_000, 3_600_000]);
  });
});
