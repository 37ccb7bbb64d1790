import { type AnomalyWindow, detect } from './detect';
import { ANOMALY_KINDS, type AnomalyKind, type DetectOptions } from './schemas';
import { type AnomalyLabel, generateLabelledSet } from './synthetic';

/**
 * Event-level scoring of reported windows against labelled ones, per kind. "strict": a label is
 * found by an overlapping window of its own kind, and a window is right when it overlaps a label of
 * its kind. "anyKind": any overlap counts (the anomaly was found, perhaps called something else).
 */
export interface KindScore {
  labelled: number;
  found: number;
  recall: number | null;
  reported: number;
  correct: number;
  precision: number | null;
}

export type EvaluationReport = Record<'strict' | 'anyKind', Record<AnomalyKind | 'all', KindScore>>;

export interface EvaluationCase {
  labels: readonly AnomalyLabel[];
  windows: readonly AnomalyWindow[];
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start <= b.end && b.start <= a.end;

export function evaluateDetections(cases: readonly EvaluationCase[]): EvaluationReport {
  const report = { strict: {}, anyKind: {} } as EvaluationReport;
  for (const mode of ['strict', 'anyKind'] as const) {
    for (const kind of [...ANOMALY_KINDS, 'all'] as const) {
      const score = { labelled: 0, found: 0, reported: 0, correct: 0 };
      const ofKind = <T extends { kind: AnomalyKind }>(items: readonly T[]) => (kind === 'all' ? items : items.filter((i) => i.kind === kind));
      for (const c of cases) {
        const matches = (w: AnomalyWindow, l: AnomalyLabel) => overlaps(w, l) && (mode === 'anyKind' || w.kind === l.kind);
        for (const label of ofKind(c.labels)) {
          score.labelled++;
          if (c.windows.some((w) => matches(w, label))) score.found++;
        }
        for (const window of ofKind(c.windows)) {
          score.reported++;
          if (c.labels.some((l) => matches(window, l))) score.correct++;
        }
      }
      report[mode][kind] = {
        ...score,
        recall: score.labelled ? round(score.found / score.labelled) : null,
        precision: score.reported ? round(score.correct / score.reported) : null,
      };
    }
  }
  return report;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Entries (mode/kind/measure) below `floor`; empty when every kind meets it. */
export function belowFloor(report: EvaluationReport, floor: number, modes: readonly ('strict' | 'anyKind')[] = ['strict', 'anyKind']): string[] {
  const failures: string[] = [];
  for (const mode of modes) {
    for (const kind of ANOMALY_KINDS) {
      const score = report[mode][kind];
      if (score.recall === null || score.recall < floor) failures.push(`${mode}.${kind}.recall=${score.recall}`);
      if (score.precision === null || score.precision < floor) failures.push(`${mode}.${kind}.precision=${score.precision}`);
    }
  }
  return failures;
}

/** Generates `count` labelled series from `seed`, runs the detector on each and scores it. */
export function evaluateSynthetic(seed: number, count: number, options: DetectOptions = {}): { series: number; points: number; report: EvaluationReport } {
  const set = generateLabelledSet(seed, count);
  const cases = set.map((s) => ({ labels: s.labels, windows: detect(s.series, options).windows }));
  return { series: set.length, points: set.reduce((sum, s) => sum + s.series.length, 0), report: evaluateDetections(cases) };
}
