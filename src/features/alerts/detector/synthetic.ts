import type { SeriesPoint } from './detect';
import type { AnomalyKind } from './schemas';

/**
 * Labelled synthetic sensor series for the detector's evaluation (and the simulator's anomaly
 * injection): a level, a daily cycle (absent in some series), a slow day-to-day wander, noise,
 * sometimes quantised or irregularly sampled with gaps, and injected anomalies with their
 * ground-truth windows. Pure and deterministic for a seed.
 */
export interface AnomalyLabel {
  kind: AnomalyKind;
  start: number;
  end: number;
}

export interface LabelledSeries {
  id: string;
  series: SeriesPoint[];
  labels: AnomalyLabel[];
  meta: { noise: number; cycle: number; intervalMs: number; irregular: boolean; quantum: number | null; days: number };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Anomalies start after this much history (the detector's default minimum is one day). */
export const SYNTHETIC_WARMUP_MS = 3 * DAY;

/** mulberry32: small, fast and good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const between = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();
const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const sign = (rand: () => number) => (rand() < 0.5 ? -1 : 1);

export interface SyntheticOptions {
  /** Kinds to inject (all by default); each series gets 0–3 anomalies at least 12 h apart. */
  kinds?: readonly AnomalyKind[];
  start?: number;
}

/** One labelled series; `seed` decides everything. */
export function generateSeries(seed: number, options: SyntheticOptions = {}): LabelledSeries {
  const rand = prng(seed);
  const kinds = options.kinds ?? (['spike', 'level_shift', 'drift', 'stuck'] as const);
  const start = (options.start ?? Date.UTC(2026, 0, 5)) + Math.floor(rand() * DAY);
  const days = Math.floor(between(rand, 7, 11));
  const end = start + days * DAY;
  const intervalMs = pick(rand, [MINUTE, 2 * MINUTE, 5 * MINUTE, 5 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE]);
  const irregular = rand() < 0.3;
  const quantum = rand() < 0.3 ? 0.1 : null;
  const noise = between(rand, 0.2, 1);
  const level = between(rand, -10, 40);
  const cycle = rand() < 0.25 ? 0 : between(rand, 2, 10) * noise;
  const phase = rand() * 2 * Math.PI;
  const wander = [0, 1].map(() => ({ amp: between(rand, 0, 0.4) * noise, period: between(rand, 2, 6) * DAY, phase: rand() * 2 * Math.PI }));

  // Sample times: regular, or jittered by up to ±40 % with a few dropouts of 30 min–3 h.
  const times: number[] = [];
  for (let ti = start; ti < end; ) {
    times.push(Math.round(ti));
    ti += irregular ? intervalMs * between(rand, 0.6, 1.4) : intervalMs;
    if (irregular && rand() < 0.002) ti += between(rand, 30 * MINUTE, 3 * HOUR);
  }
  const normal = (ti: number) =>
    level +
    cycle * (Math.sin((2 * Math.PI * (ti % DAY)) / DAY + phase) + 0.3 * Math.sin((4 * Math.PI * (ti % DAY)) / DAY + 2 * phase)) +
    wander.reduce((s, w) => s + w.amp * Math.sin((2 * Math.PI * ti) / w.period + w.phase), 0);
  const values = times.map((ti) => normal(ti) + noise * gaussian(rand));

  const labels: AnomalyLabel[] = [];
  const count = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 3);
  let cursor = start + SYNTHETIC_WARMUP_MS;
  for (let a = 0; a < count; a++) {
    const kind = pick(rand, kinds);
    const at = cursor + between(rand, 2 * HOUR, 24 * HOUR);
    if (at >= end - 2 * HOUR) break;
    const from = times.findIndex((ti) => ti >= at);
    if (from < 0) break;
    const label = inject(rand, kind, times, values, from, noise, end);
    if (!label) break;
    labels.push(label);
    cursor = label.end + 12 * HOUR;
  }

  const quantised = quantum ? values.map((v) => Math.round(v / quantum) * quantum) : values;
  return {
    id: `synthetic-${seed}`,
    series: times.map((ti, i) => ({ t: ti, v: Math.round(quantised[i]! * 1e6) / 1e6 })),
    labels,
    meta: { noise, cycle, intervalMs, irregular, quantum, days },
  };
}

function inject(rand: () => number, kind: AnomalyKind, times: number[], values: number[], from: number, noise: number, end: number): AnomalyLabel | null {
  const until = (ms: number) => {
    let to = from;
    while (to + 1 < times.length && times[to + 1]! <= times[from]! + ms) to++;
    return to;
  };
  switch (kind) {
    case 'spike': {
      const to = Math.min(times.length - 1, from + Math.floor(rand() * 3));
      const size = sign(rand) * between(rand, 6, 15) * noise;
      for (let i = from; i <= to; i++) values[i]! += size;
      return { kind, start: times[from]!, end: times[to]! };
    }
    case 'level_shift': {
      const permanent = rand() < 0.25;
      const to = permanent ? times.length - 1 : until(between(rand, 3 * HOUR, 24 * HOUR));
      const size = sign(rand) * between(rand, 4, 10) * noise;
      for (let i = from; i <= to; i++) values[i]! += size;
      return { kind, start: times[from]!, end: permanent ? end : times[to]! };
    }
    case 'drift': {
      const to = until(between(rand, 6 * HOUR, 24 * HOUR));
      const size = sign(rand) * between(rand, 6, 12) * noise;
      const span = Math.max(1, times[to]! - times[from]!);
      for (let i = from; i <= to; i++) values[i]! += (size * (times[i]! - times[from]!)) / span;
      return { kind, start: times[from]!, end: times[to]! };
    }
    case 'stuck': {
      const to = until(between(rand, 2 * HOUR, 12 * HOUR));
      if (to - from < 12) return null;
      const held = values[from]!;
      for (let i = from; i <= to; i++) values[i] = held;
      return { kind, start: times[from]!, end: times[to]! };
    }
  }
}

/** `count` series from consecutive seeds after `seed`. */
export function generateLabelledSet(seed: number, count: number, options: SyntheticOptions = {}): LabelledSeries[] {
  return Array.from({ length: count }, (_, i) => generateSeries(seed * 100_003 + i, options));
}
