// Device-behaviour controls of one fleet: devices forced offline, drained batteries and injected metric
// anomalies (spike, level shift, drift, stuck value). They are kept as windows in simulated time, so the
// fleet stays a pure function of (seed, thing, time, controls); a cleared control ends at the clear time
// instead of vanishing, which keeps history (shadow metadata, Timestream) the same before and after.

import { TELEMETRY_INTERVAL_MS, TELEMETRY_MEASURES, type TelemetryMeasure } from './config';
import { sampleTelemetry, type TelemetryProfile } from './telemetry';

export const ANOMALY_KINDS = ['spike', 'shift', 'drift', 'stuck', 'drain'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
export type ControlKind = 'offline' | AnomalyKind;

const HOUR_MS = 3_600_000;

export interface OfflineWindow {
  startMs: number;
  /** Infinity while the device is held offline. */
  endMs: number;
  reason: string;
}

export interface MetricEffect {
  id: number;
  measure: TelemetryMeasure;
  kind: AnomalyKind;
  /** First affected telemetry point (on the 60-second grid). */
  startMs: number;
  /** First point no longer affected (grid), Infinity while open. */
  endMs: number;
  /** spike / stuck: the value to report (stuck defaults to the value at the start). */
  value?: number;
  /** spike / shift: added to the normal value. */
  delta?: number;
  /** drift: change per hour (either sign); drain: fall per hour (positive). */
  ratePerHour?: number;
}

interface ThingControls {
  offline: OfflineWindow[];
  effects: MetricEffect[];
}

/** Points on or after `ms`: a control set now never rewrites a telemetry point that already exists. */
export function gridCeil(ms: number): number {
  return Math.ceil(ms / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS;
}

function round(measure: TelemetryMeasure, v: number): number {
  if (measure === 'battery') return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
  if (measure === 'rssi') return Math.round(v);
  return Math.round(v * 100) / 100;
}

/**
 * Value of a telemetry point with the thing's effects on that measure applied in creation order (a later
 * effect sees the output of the earlier ones). `effects` must all belong to `measure`.
 */
export function controlledTelemetry(p: TelemetryProfile, measure: TelemetryMeasure, pointMs: number, effects: readonly MetricEffect[]): number {
  let v = sampleTelemetry(p, measure, pointMs);
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i]!;
    if (pointMs < e.startMs || pointMs >= e.endMs) continue;
    const hours = (pointMs - e.startMs) / HOUR_MS;
    switch (e.kind) {
      case 'spike':
        v = e.value ?? v + (e.delta ?? 0);
        break;
      case 'shift':
        v += e.delta ?? 0;
        break;
      case 'drift':
        v += (e.ratePerHour ?? 0) * hours;
        break;
      case 'stuck':
        v = e.value ?? controlledTelemetry(p, measure, e.startMs, effects.slice(0, i));
        break;
      case 'drain':
        v = controlledTelemetry(p, measure, e.startMs, effects.slice(0, i)) - (e.ratePerHour ?? 0) * hours;
        break;
    }
  }
  return round(measure, v);
}

export type AnomalyOptions =
  | { metric: TelemetryMeasure; kind: 'spike'; value?: number; delta?: number; durationMs?: number }
  | { metric: TelemetryMeasure; kind: 'shift'; delta: number; durationMs?: number }
  | { metric: TelemetryMeasure; kind: 'drift'; ratePerHour: number; durationMs?: number }
  | { metric: TelemetryMeasure; kind: 'stuck'; value?: number; durationMs?: number };
export type EffectOptions = AnomalyOptions | { kind: 'drain'; ratePerHour: number; durationMs?: number };

/** Devices that install `firmware` (job success) get `effect` from that moment. */
export interface FirmwareRule {
  firmware: string;
  effect: EffectOptions | { kind: 'offline'; reason?: string };
}

/**
 * Validates an effect request and places it in time: from the first telemetry point at or after `nowMs`;
 * a spike lasts one report interval unless told otherwise, everything else until cleared.
 */
export function effectFor(opts: EffectOptions, nowMs: number, reportIntervalMs: number): Omit<MetricEffect, 'id'> {
  const o = opts as { value?: number; delta?: number; ratePerHour?: number; durationMs?: number };
  for (const v of [o.value, o.delta, o.ratePerHour]) if (v !== undefined && !Number.isFinite(v)) throw new RangeError('values must be finite numbers');
  if (o.durationMs !== undefined && !(o.durationMs >= TELEMETRY_INTERVAL_MS)) {
    throw new RangeError('durationMs must be at least 60000 (one telemetry point)');
  }
  let measure: TelemetryMeasure = 'battery';
  let durationMs = o.durationMs;
  switch (opts.kind) {
    case 'drain':
      if (!(opts.ratePerHour > 0) || opts.ratePerHour > 100) throw new RangeError('ratePerHour must be within (0, 100]');
      break;
    case 'spike':
      if (opts.value === undefined && opts.delta === undefined) throw new RangeError('a spike needs a value or a delta');
      durationMs ??= reportIntervalMs;
      break;
    case 'shift':
      if (opts.delta === undefined) throw new RangeError('a shift needs a delta');
      break;
    case 'drift':
      if (opts.ratePerHour === undefined) throw new RangeError('a drift needs ratePerHour');
      break;
    case 'stuck':
      break;
    default:
      throw new RangeError(`unknown anomaly kind ${(opts as { kind: string }).kind}`);
  }
  if (opts.kind !== 'drain') {
    if (!TELEMETRY_MEASURES.includes(opts.metric)) throw new RangeError(`metric must be one of ${TELEMETRY_MEASURES.join(', ')}`);
    measure = opts.metric;
  }
  const startMs = gridCeil(nowMs);
  const endMs = durationMs === undefined ? Infinity : startMs + gridCeil(durationMs);
  const params = Object.fromEntries(['value', 'delta', 'ratePerHour'].flatMap((k) => (o[k as 'value'] === undefined ? [] : [[k, o[k as 'value']]])));
  return { measure, kind: opts.kind, startMs, endMs, ...params };
}

export interface ThingControlView {
  offline: { sinceMs: number; reason: string } | null;
  effects: (Omit<MetricEffect, 'endMs'> & { endMs: number | null })[];
}

export class DeviceControls {
  private readonly byThing = new Map<number, ThingControls>();
  private nextId = 1;

  private of(index: number): ThingControls {
    let c = this.byThing.get(index);
    if (!c) {
      c = { offline: [], effects: [] };
      this.byThing.set(index, c);
    }
    return c;
  }

  /** Forced offline windows of a thing, or undefined for the (common) uncontrolled thing. */
  offlineWindows(index: number): readonly OfflineWindow[] | undefined {
    const w = this.byThing.get(index)?.offline;
    return w && w.length > 0 ? w : undefined;
  }

  /** Effects of a thing on one measure, or undefined when there are none. */
  effects(index: number, measure: TelemetryMeasure): MetricEffect[] | undefined {
    const all = this.byThing.get(index)?.effects;
    if (!all || all.length === 0) return undefined;
    const mine = all.filter((e) => e.measure === measure);
    return mine.length > 0 ? mine : undefined;
  }

  /** Holds a device offline from `at` until brought back; false when it is already held offline. */
  takeOffline(index: number, at: number, reason: string): boolean {
    const c = this.of(index);
    if (c.offline.some((w) => w.endMs === Infinity)) return false;
    c.offline.push({ startMs: at, endMs: Infinity, reason });
    return true;
  }

  /** Ends the hold at `at`; false when the device was not held offline. */
  bringOnline(index: number, at: number): boolean {
    const c = this.byThing.get(index);
    const open = c?.offline.find((w) => w.endMs === Infinity);
    if (!c || !open) return false;
    if (open.startMs >= at) c.offline.splice(c.offline.indexOf(open), 1);
    else open.endMs = at;
    return true;
  }

  addEffect(index: number, effect: Omit<MetricEffect, 'id'>): MetricEffect {
    const e = { ...effect, id: this.nextId++ };
    this.of(index).effects.push(e);
    return e;
  }

  /** Ends the thing's effects still running at `at` (all, or those of the given kinds); returns how many. */
  endEffects(index: number, at: number, kinds?: readonly AnomalyKind[]): number {
    const c = this.byThing.get(index);
    if (!c) return 0;
    const end = gridCeil(at);
    let n = 0;
    c.effects = c.effects.filter((e) => {
      if (e.endMs <= end || (kinds && !kinds.includes(e.kind))) return true;
      n++;
      return e.startMs < end ? ((e.endMs = end), true) : false;
    });
    return n;
  }

  /** Controls in force at `at`, per thing index. */
  active(at: number): Map<number, ThingControlView> {
    const out = new Map<number, ThingControlView>();
    for (const [index, c] of this.byThing) {
      const held = c.offline.find((w) => w.startMs <= at && at < w.endMs);
      const effects = c.effects
        .filter((e) => e.endMs > at)
        .map((e) => ({ ...e, endMs: e.endMs === Infinity ? null : e.endMs }));
      if (held || effects.length > 0) {
        out.set(index, { offline: held ? { sinceMs: held.startMs, reason: held.reason } : null, effects });
      }
    }
    return out;
  }
}
