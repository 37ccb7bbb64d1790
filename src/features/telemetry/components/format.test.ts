import { describe, expect, it } from 'vitest';
import { formatBytes, timeTicks } from './format';

const HOUR = 3_600_000;

describe('timeTicks', () => {
  it('places at most 8 evenly spaced ticks inside the range, on round times', () => {
    const from = Date.UTC(2026, 10, 15, 7, 13);
    for (const span of [HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR]) {
      const ticks = timeTicks(from, from + span);
      expect(ticks.length).toBeGreaterThan(1);
      expect(ticks.length).toBeLessThanOrEqual(9);
      expect(ticks[0]).toBeGreaterThanOrEqual(from);
      expect(ticks.at(-1)).toBeLessThanOrEqual(from + span);
      const steps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]!));
      expect(steps.size).toBe(1);
      expect((ticks[0]! - new Date(ticks[0]!).getTimezoneOffset() * -60_000) % 60_000).toBe(0);
    }
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(4_836_000_000)).toBe('4.5 GB');
  });
});
