import { describe, expect, it } from 'vitest';
import { belowFloor, evaluateDetections, evaluateSynthetic } from './evaluate';
import { generateLabelledSet, generateSeries } from './synthetic';

describe('evaluateDetections', () => {
  it('scores events per kind, strictly and for any kind', () => {
    const report = evaluateDetections([
      {
        labels: [
          { kind: 'spike', start: 10, end: 10 },
          { kind: 'drift', start: 100, end: 200 },
          { kind: 'stuck', start: 500, end: 600 },
        ],
        windows: [
          { kind: 'spike', start: 10, end: 12, peakScore: 9, points: 2, direction: 'up' },
          { kind: 'level_shift', start: 150, end: 260, peakScore: 5, points: 20, direction: 'up' },
          { kind: 'spike', start: 300, end: 300, peakScore: 6, points: 1, direction: 'down' },
        ],
      },
    ]);
    expect(report.strict.spike).toMatchObject({ labelled: 1, found: 1, recall: 1, reported: 2, correct: 1, precision: 0.5 });
    expect(report.strict.drift).toMatchObject({ labelled: 1, found: 0, recall: 0, reported: 0, precision: null });
    expect(report.strict.level_shift).toMatchObject({ labelled: 0, recall: null, reported: 1, correct: 0, precision: 0 });
    expect(report.anyKind.drift).toMatchObject({ found: 1, recall: 1 });
    expect(report.anyKind.level_shift).toMatchObject({ correct: 1, precision: 1 });
    expect(report.strict.stuck).toMatchObject({ labelled: 1, found: 0, recall: 0 });
    expect(report.anyKind.all).toMatchObject({ labelled: 3, found: 2, reported: 3, correct: 2 });
  });
});

describe('the detector on labelled synthetic series', () => {
  it('meets a precision and recall floor of 0.85 per kind on a small fixed set (detect:eval gives the real figures)', () => {
    const { report } = evaluateSynthetic(3, 24);
    for (const kind of ['spike', 'level_shift', 'drift', 'stuck'] as const) expect(report.strict[kind].labelled).toBeGreaterThan(3);
    expect(belowFloor(report, 0.85)).toEqual([]);
    // 24 series of a week at one point a minute: a few seconds of CPU, more when the machine is busy.
  }, 60_000);

  it('the floor check fails for windows that miss their labels or name the wrong kind', () => {
    const set = generateLabelledSet(3, 24);
    const late = evaluateDetections(set.map((s) => ({ labels: s.labels, windows: s.labels.map((l) => ({ ...l, start: l.end + 1, end: l.end + 2, peakScore: 9, points: 1, direction: 'up' as const })) })));
    expect(belowFloor(late, 0.85)).toContain('strict.spike.recall=0');
    const mislabelled = evaluateDetections(set.map((s) => ({ labels: s.labels, windows: s.labels.map((l) => ({ ...l, kind: l.kind === 'drift' ? ('level_shift' as const) : l.kind, peakScore: 9, points: 1, direction: 'up' as const })) })));
    // Calling drifts level shifts fails the strict figures only.
    expect(belowFloor(mislabelled, 0.85)).toContain('strict.drift.recall=0');
    expect(belowFloor(mislabelled, 0.85, ['anyKind']).filter((f) => f.includes('recall'))).toEqual([]);
  });
});

describe('generateSeries', () => {
  it('is deterministic for a seed, and labels lie inside the series after the warm-up', () => {
    expect(generateSeries(42)).toEqual(generateSeries(42));
    expect(generateSeries(42).series).not.toEqual(generateSeries(43).series);
    for (const s of generateLabelledSet(5, 20)) {
      const first = s.series[0]!.t;
      for (const l of s.labels) {
        expect(l.start).toBeGreaterThanOrEqual(first + 3 * 86_400_000);
        expect(l.end).toBeGreaterThanOrEqual(l.start);
      }
    }
  });
});
