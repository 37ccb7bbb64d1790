import { diffNoise, median, scaledMad } from './robust';
import { type AnomalyKind, type DetectOptions, detectOptionsSchema, type ResolvedDetectOptions, thresholds } from './schemas';

/**
 * The anomaly detector: a series in, scored points, anomalous windows and a model summary out.
 * Pure and browser-safe (no I/O). Every point is judged only against the points before it
 * (rolling median and MAD of the clean history, after removing the daily cycle once it is learned);
 * anomalous points are not learned, and a deviation that lasts longer than `adaptAfterMs` becomes
 * the new normal. Windows are classified afterwards by their shape (spike, level shift, drift);
 * stuck sensors are runs of equal values much longer than any run in the series' history.
 */
export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  v: number;
}

export interface ScoredPoint {
  t: number;
  v: number;
  /** Robust z-score against the learned band; null before the minimum history. */
  score: number | null;
  expected: number | null;
  expectedLow: number | null;
  expectedHigh: number | null;
  /** The anomaly this point belongs to; null for a normal point. */
  kind: AnomalyKind | null;
}

export interface AnomalyWindow {
  start: number;
  end: number;
  kind: AnomalyKind;
  /** Largest |score| in the window; for a stuck run, its length over the length that makes one. */
  peakScore: number;
  points: number;
  direction: 'up' | 'down' | null;
}

export interface DetectModel {
  points: number;
  /** Input points dropped because t or v was not a finite number. */
  rejected: number;
  historyMs: number;
  medianIntervalMs: number | null;
  /** Whether a daily cycle was learned and removed, and from when. */
  seasonal: boolean;
  seasonalSince: number | null;
  thresholds: { point: number; sustained: number };
  /** Nothing fires before this time (first point + minHistoryMs). */
  armedAt: number | null;
  /** The learned level (cycle removed), spread and band at the last point. */
  level: number | null;
  scale: number | null;
}

export interface DetectResult {
  points: ScoredPoint[];
  windows: AnomalyWindow[];
  model: DetectModel;
}

const DAY = 86_400_000;
const BUCKETS = 48;
const BUCKET_MS = DAY / BUCKETS;
const REFRESH_MS = 15 * 60_000;
const MIN_LEVEL_POINTS = 6;
const SEASON_DAYS = 7;

export function detect(series: readonly SeriesPoint[], options: DetectOptions = {}): DetectResult {
  const opts = detectOptionsSchema.parse(options);
  const limits = thresholds(opts.sensitivity);
  const input = series.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
  const rejected = series.length - input.length;
  const n = input.length;
  const t = input.map((p) => p.t);
  const x = input.map((p) => p.v);

  const points: ScoredPoint[] = input.map((p) => ({ t: p.t, v: p.v, score: null, expected: null, expectedLow: null, expectedHigh: null, kind: null }));
  const emptyModel: DetectModel = {
    points: n,
    rejected,
    historyMs: 0,
    medianIntervalMs: null,
    seasonal: false,
    seasonalSince: null,
    thresholds: limits,
    armedAt: null,
    level: null,
    scale: null,
  };
  if (n === 0) return { points, windows: [], model: emptyModel };

  const t0 = t[0]!;
  const interval = n > 1 ? median(t.slice(1).map((ti, i) => ti - t[i]!)) : 0;
  // Enough samples in the sustain window that a short spike cannot carry its median.
  const sustainMs = Math.max(opts.sustainWindowMs, 8 * interval);
  const spikeMs = Math.max(opts.spikeMaxMs, 4 * interval);
  const armedAt = t0 + opts.minHistoryMs;
  const stuckRuns = findStuckRuns(t, x, opts, armedAt);
  const stuck = new Uint8Array(n);
  for (const run of stuckRuns) stuck.fill(1, run.from, run.to + 1);

  const clean = new Uint8Array(n);
  const flagged = new Uint8Array(n);
  const z: (number | null)[] = new Array(n).fill(null);
  // The value with the daily cycle of its time removed: the shape of a window is judged on it.
  const y = new Float64Array(n);
  let shape: Float64Array | null = null;
  let shapeDay = Number.NaN;
  let seasonalSince: number | null = null;
  let level = Number.NaN;
  let scale = Number.NaN;
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let lo = 0;
  let runStart: number | null = null;
  let lastFlagged = Number.NEGATIVE_INFINITY;
  let sustainLo = 0;

  const deseason = (j: number) => x[j]! - (shape ? shapeAt(shape, t[j]!) : 0);

  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    // The daily cycle is (re)learned once a day from the clean history of the last week.
    const day = Math.floor(ti / DAY);
    if (day !== shapeDay && ti - t0 >= opts.seasonalMinMs) {
      shapeDay = day;
      shape = learnShape(t, x, clean, i, ti - SEASON_DAYS * DAY) ?? null;
      if (shape && seasonalSince === null) seasonalSince = ti;
      refreshedAt = Number.NEGATIVE_INFINITY;
    }
    while (lo < i && t[lo]! < ti - opts.levelWindowMs) lo++;
    if (ti - refreshedAt >= REFRESH_MS) {
      refreshedAt = ti;
      const ys: number[] = [];
      for (let j = lo; j < i; j++) if (clean[j]) ys.push(deseason(j));
      if (ys.length >= MIN_LEVEL_POINTS) {
        level = median(ys);
        scale = Math.max(scaledMad(ys, level), diffNoise(ys) || 0, scaleFloor(ys, level));
      } else {
        level = Number.NaN;
      }
    }
    const armed = ti >= armedAt && Number.isFinite(level);
    if (!armed) {
      if (!stuck[i]) clean[i] = 1;
      continue;
    }
    y[i] = deseason(i);
    const zi = (y[i]! - level) / scale;
    // A stuck run is its own anomaly; its scores must not carry the sustained median after it.
    if (!stuck[i]) z[i] = zi;
    const expected = level + (shape ? shapeAt(shape, ti) : 0);
    const p = points[i]!;
    p.score = round(zi);
    p.expected = round(expected);
    p.expectedLow = round(expected - limits.point * scale);
    p.expectedHigh = round(expected + limits.point * scale);

    while (t[sustainLo]! <= ti - sustainMs) sustainLo++;
    const recent: number[] = [];
    for (let j = sustainLo; j <= i; j++) if (z[j] !== null) recent.push(z[j]!);
    const zs = recent.length >= 3 ? median(recent) : 0;
    const isAnomalous = Math.abs(zi) >= limits.point || (Math.abs(zs) >= limits.sustained && zi * zs > 0 && Math.abs(zi) >= 1);

    if (isAnomalous && !stuck[i]) {
      flagged[i] = 1;
      if (runStart === null || ti - lastFlagged > opts.mergeGapMs) runStart = ti;
      lastFlagged = ti;
      // A deviation that outlasts adaptAfterMs is the new normal: learn it.
      if (ti - runStart > opts.adaptAfterMs) {
        for (let j = lo; j <= i; j++) if (!stuck[j]) clean[j] = 1;
        runStart = null;
        refreshedAt = Number.NEGATIVE_INFINITY;
      }
    } else if (!stuck[i]) {
      clean[i] = 1;
    }
  }

  const windows = buildWindows(t, z, y, flagged, stuckRuns, opts.mergeGapMs, spikeMs, limits.point);
  for (const w of windows) {
    for (let i = lowerBound(t, w.start); i < n && t[i]! <= w.end; i++) {
      if (w.kind === 'stuck' ? stuck[i] : flagged[i]) points[i]!.kind = w.kind;
    }
  }
  return {
    points,
    windows,
    model: {
      ...emptyModel,
      historyMs: t[n - 1]! - t0,
      medianIntervalMs: n > 1 ? interval : null,
      seasonal: seasonalSince !== null,
      seasonalSince,
      armedAt,
      level: Number.isFinite(level) ? round(level) : null,
      scale: Number.isFinite(level) ? round(scale) : null,
    },
  };
}

/** Keeps a constant history from producing infinite scores: at least half the smallest step seen. */
function scaleFloor(ys: readonly number[], level: number): number {
  let step = Number.POSITIVE_INFINITY;
  for (let j = 1; j < ys.length; j++) {
    const d = Math.abs(ys[j]! - ys[j - 1]!);
    if (d > 1e-12 && d < step) step = d;
  }
  return Math.max(1e-9, 1e-3 * Math.abs(level), Number.isFinite(step) ? step / 2 : 0);
}

/**
 * The daily cycle as the median of each half-hour of the day over the clean points of the last
 * week, centred on zero. Returned only when it explains the data (the spread around it is clearly
 * smaller than the spread around a flat level); null otherwise.
 */
function learnShape(t: readonly number[], x: readonly number[], clean: Uint8Array, before: number, since: number): Float64Array | undefined {
  const byBucket: number[][] = Array.from({ length: BUCKETS }, () => []);
  const idx: number[] = [];
  for (let j = before - 1; j >= 0 && t[j]! >= since; j--) {
    if (!clean[j]) continue;
    byBucket[Math.floor((t[j]! % DAY) / BUCKET_MS)]!.push(x[j]!);
    idx.push(j);
  }
  const raw = byBucket.map((vs) => (vs.length >= 3 ? median(vs) : Number.NaN));
  const known = raw.filter(Number.isFinite);
  if (known.length < BUCKETS / 2) return undefined;
  const center = median(known);
  const shape = Float64Array.from(fillGaps(raw).map((v) => v - center));
  const flat = idx.map((j) => x[j]!);
  const residual = idx.map((j) => x[j]! - shapeAt(shape, t[j]!));
  const before1 = scaledMad(flat);
  const after1 = scaledMad(residual);
  return after1 < 0.8 * before1 ? shape : undefined;
}

/** Fills unknown buckets by linear interpolation between known neighbours, around the clock. */
function fillGaps(raw: readonly number[]): number[] {
  const out = [...raw];
  const known = raw.flatMap((v, i) => (Number.isFinite(v) ? [i] : []));
  for (let i = 0; i < raw.length; i++) {
    if (Number.isFinite(raw[i]!)) continue;
    const prev = [...known].reverse().find((k) => k < i) ?? known[known.length - 1]! - raw.length;
    const next = known.find((k) => k > i) ?? known[0]! + raw.length;
    const a = raw[(prev + raw.length) % raw.length]!;
    const b = raw[next % raw.length]!;
    out[i] = a + ((b - a) * (i - prev)) / (next - prev);
  }
  return out;
}

/** The cycle at a time of day, interpolated between half-hour bucket centres. */
function shapeAt(shape: Float64Array, ti: number): number {
  const pos = ((ti % DAY) + DAY) % DAY / BUCKET_MS - 0.5;
  const i0 = Math.floor(pos);
  const f = pos - i0;
  const a = shape[(i0 + BUCKETS) % BUCKETS]!;
  const b = shape[(i0 + 1) % BUCKETS]!;
  return a + (b - a) * f;
}

interface StuckRun {
  from: number;
  to: number;
  needed: number;
}

/**
 * Runs of (nearly) equal values that are at least stuckMinSamples long and three times longer than
 * any run in the previous week, so a sensor that normally repeats values (a coarse battery
 * percentage) is not called stuck.
 */
function findStuckRuns(t: readonly number[], x: readonly number[], opts: ResolvedDetectOptions, armedAt: number): StuckRun[] {
  const noise = diffNoise(x);
  const tol = opts.stuckTolerance ?? (Number.isFinite(noise) ? 0.05 * noise : 0);
  const runs: { from: number; to: number }[] = [];
  for (let i = 0; i < x.length; ) {
    let j = i;
    while (j + 1 < x.length && Math.abs(x[j + 1]! - x[i]!) <= tol) j++;
    runs.push({ from: i, to: j });
    i = j + 1;
  }
  const stuck: StuckRun[] = [];
  const isStuck = new Set<number>();
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const length = run.to - run.from + 1;
    if (length < opts.stuckMinSamples || t[run.to]! < armedAt) continue;
    let longest = 1;
    for (let q = r - 1; q >= 0 && t[runs[q]!.to]! >= t[run.from]! - SEASON_DAYS * DAY; q--) {
      if (!isStuck.has(q)) longest = Math.max(longest, runs[q]!.to - runs[q]!.from + 1);
    }
    const needed = Math.max(opts.stuckMinSamples, 3 * longest);
    if (length >= needed) {
      isStuck.add(r);
      stuck.push({ ...run, needed });
    }
  }
  return stuck;
}

function buildWindows(t: readonly number[], z: readonly (number | null)[], y: Float64Array, flagged: Uint8Array, stuckRuns: readonly StuckRun[], mergeGapMs: number, spikeMs: number, pointLimit: number): AnomalyWindow[] {
  const windows: AnomalyWindow[] = [];
  let from = -1;
  let last = -1;
  const close = () => {
    if (from >= 0) {
      const w = classify(t, z, y, flagged, from, last, spikeMs);
      // A short window carried only by the sustained median is noise, not a spike.
      if (w.kind !== 'spike' || w.peakScore >= pointLimit) windows.push(w);
      else for (let i = from; i <= last; i++) flagged[i] = 0;
    }
    from = -1;
  };
  for (let i = 0; i < t.length; i++) {
    if (!flagged[i]) continue;
    if (from >= 0 && t[i]! - t[last]! > mergeGapMs) close();
    if (from < 0) from = i;
    last = i;
  }
  close();
  for (const run of stuckRuns) {
    windows.push({ start: t[run.from]!, end: t[run.to]!, kind: 'stuck', peakScore: round((run.to - run.from + 1) / run.needed), points: run.to - run.from + 1, direction: null });
  }
  return windows.sort((a, b) => a.start - b.start);
}

/**
 * Short windows are spikes. Longer ones are a level shift when a step fits the values (including the
 * stretch before the window) better than a hinge, a drift when a hinge (flat, then a ramp) does.
 */
function classify(t: readonly number[], z: readonly (number | null)[], y: Float64Array, flagged: Uint8Array, from: number, to: number, spikeMs: number): AnomalyWindow {
  let peak = 0;
  let count = 0;
  for (let i = from; i <= to; i++) {
    if (!flagged[i]) continue;
    count++;
    if (Math.abs(z[i]!) > Math.abs(peak)) peak = z[i]!;
  }
  const start = t[from]!;
  const end = t[to]!;
  const base = { start, end, peakScore: round(Math.abs(peak)), points: count, direction: peak >= 0 ? ('up' as const) : ('down' as const) };
  if (count <= 4 || end - start <= spikeMs) return { ...base, kind: 'spike' };

  // Judged on the values (cycle removed), not the scores: the learned level partly follows a slow
  // drift before it is flagged, which would make the scores look like a step.
  const lead = Math.min(Math.max(end - start, 6 * 3_600_000), 12 * 3_600_000);
  const ts: number[] = [];
  const ys: number[] = [];
  for (let i = lowerBound(t, start - lead); i <= to; i++) {
    if (z[i] === null) continue;
    ts.push((t[i]! - start) / 3_600_000);
    ys.push(y[i]!);
  }
  return { ...base, kind: hingeBeatsStep(ts, ys) ? 'drift' : 'level_shift' };
}

/** Least squares of a step (c0, then c1 from τ) against a hinge (c0, then c0 + b·(t − τ)) over every τ. */
export function hingeBeatsStep(ts: readonly number[], zs: readonly number[]): boolean {
  const m = ts.length;
  if (m < 4) return false;
  let bestStep = Number.POSITIVE_INFINITY;
  let bestHinge = Number.POSITIVE_INFINITY;
  const total = zs.reduce((s, v) => s + v, 0);
  const totalSq = zs.reduce((s, v) => s + v * v, 0);
  let leftSum = 0;
  let leftSq = 0;
  for (let k = 1; k < m - 1; k++) {
    leftSum += zs[k - 1]!;
    leftSq += zs[k - 1]! * zs[k - 1]!;
    const rightSum = total - leftSum;
    const rightSq = totalSq - leftSq;
    const step = leftSq - (leftSum * leftSum) / k + rightSq - (rightSum * rightSum) / (m - k);
    bestStep = Math.min(bestStep, step);

    // Regress z on u = max(0, t − τ) with τ at point k-1: two parameters, closed form.
    const tau = ts[k - 1]!;
    let su = 0, suu = 0, sz = 0, suz = 0, szz = 0;
    for (let i = 0; i < m; i++) {
      const u = Math.max(0, ts[i]! - tau);
      su += u;
      suu += u * u;
      sz += zs[i]!;
      suz += u * zs[i]!;
      szz += zs[i]! * zs[i]!;
    }
    const den = m * suu - su * su;
    if (den <= 0) continue;
    const b = (m * suz - su * sz) / den;
    const a = (sz - b * su) / m;
    const sse = szz - a * sz - b * suz;
    bestHinge = Math.min(bestHinge, sse);
  }
  return bestHinge < bestStep;
}

function lowerBound(t: readonly number[], value: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
