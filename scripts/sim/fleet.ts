// The simulated fleet of one account: registry facts stored compactly in typed arrays, and device
// behaviour (connectivity, reported telemetry, shadow versions) computed lazily from (seed, thing, time).

import type { BehaviourSettings, TelemetryMeasure } from './config';
import { controlledTelemetry, DeviceControls, type OfflineWindow } from './controls';
import { hash3, hash4, pickWeighted, unit } from './hash';
import { sampleTelemetry, telemetryPointAt, telemetryProfile, type TelemetryProfile } from './telemetry';

export const THING_NAME_PREFIX = 'sensor-';
export const MAX_THINGS = 999_999;

export interface ThingTypeDef {
  name: string;
  description: string;
  share: number;
  models: string[];
}

export const THING_TYPES: ThingTypeDef[] = [
  { name: 'env-sensor', description: 'Environmental sensor (temperature)', share: 0.7, models: ['ES-100', 'ES-200'] },
  { name: 'tracker', description: 'Battery-powered asset tracker', share: 0.2, models: ['TR-10', 'TR-20'] },
  { name: 'gateway', description: 'Site gateway with cellular backhaul', share: 0.1, models: ['GW-1'] },
];

/** A thing type may declare at most 3 searchable attributes; hwRev is deliberately not one of them. */
export const SEARCHABLE_ATTRIBUTES = ['site', 'model', 'serial'];

export const SITES = [
  { site: 'berlin', region: 'eu', share: 0.25 },
  { site: 'paris', region: 'eu', share: 0.15 },
  { site: 'austin', region: 'na', share: 0.2 },
  { site: 'toronto', region: 'na', share: 0.1 },
  { site: 'singapore', region: 'apac', share: 0.2 },
  { site: 'sydney', region: 'apac', share: 0.1 },
];

export const ROOT_GROUP = 'all-sites';

export interface ThingGroupDef {
  name: string;
  parent: string | null;
  description: string;
}

/** all-sites > region-<r> > site-<s>; things belong directly to their site group only. */
export const THING_GROUPS: ThingGroupDef[] = [
  { name: ROOT_GROUP, parent: null, description: 'Every site' },
  ...[...new Set(SITES.map((s) => s.region))].map((r) => ({
    name: `region-${r}`,
    parent: ROOT_GROUP,
    description: `Sites in region ${r}`,
  })),
  ...SITES.map((s) => ({ name: `site-${s.site}`, parent: `region-${s.region}`, description: `Devices at ${s.site}` })),
];

export const FIRMWARE_VERSIONS = ['1.4.2', '1.5.0', '2.0.1'];
const FIRMWARE_SHARES = [0.2, 0.55, 0.25];

export const DISCONNECT_REASONS = [
  'CONNECTION_LOST',
  'MQTT_KEEP_ALIVE_TIMEOUT',
  'CLIENT_INITIATED_DISCONNECT',
  'SERVER_INITIATED_DISCONNECT',
];
const REASON_SHARES = [0.55, 0.2, 0.2, 0.05];

const enum Profile {
  Stable = 0,
  Flaky = 1,
  Dead = 2,
}

/** Connectivity is modelled in 6-hour slots with at most one offline window per slot. */
const SLOT_MS = 6 * 3_600_000;
const LOOKBACK_SLOTS = 60;
const WINDOW_CHANCE = [0.12, 0.55];
const WINDOW_MIN_MS = [2 * 60_000, 10 * 60_000];
const WINDOW_MAX_MS = [40 * 60_000, 150 * 60_000];

export function thingNameOf(index: number): string {
  return THING_NAME_PREFIX + String(index + 1).padStart(6, '0');
}

export interface Connectivity {
  connected: boolean;
  /** Last connect (when online) or disconnect (when offline), epoch ms. */
  sinceMs: number;
  /** When an offline device comes back (Infinity for dead devices); equals sinceMs semantics otherwise. */
  untilMs: number;
  disconnectReason?: string;
}

export interface LiveReported {
  values: { connected: boolean; firmware: string; battery: number; rssi: number; temperature: number };
  /** Epoch ms of the write that last set each key. */
  times: { connected: number; firmware: number; battery: number; rssi: number; temperature: number };
  version: number;
}

export interface ThingOverride {
  attributes: Record<string, string>;
  thingTypeName: string | null;
  version: number;
}

interface Window {
  start: number;
  end: number;
  reason: number;
}

export class Fleet {
  count = 0;
  /** Bumped when things are added or removed, so CONTINUOUS jobs know to look for new members. */
  generation = 0;
  readonly overrides = new Map<number, ThingOverride>();
  /** Devices held offline, drained batteries and injected anomalies (admin API). */
  readonly controls = new DeviceControls();
  private typeIdx = new Uint8Array(0);
  private siteIdx = new Uint8Array(0);
  private modelIdx = new Uint8Array(0);
  private firmwareIdx = new Uint8Array(0);
  private profile = new Uint8Array(0);
  private removed = new Uint8Array(0);
  private readonly window: Window = { start: 0, end: 0, reason: 0 };

  constructor(
    readonly seed: number,
    things: number,
    /** Simulated time of seeding; shadow versions count device writes from here. */
    readonly epochMs: number,
    private readonly behaviour: BehaviourSettings,
  ) {
    this.grow(things);
  }

  /** Appends things; each thing's facts depend only on (seed, index), so growth stays deterministic. */
  grow(n: number): void {
    if (!Number.isInteger(n) || n < 0 || this.count + n > MAX_THINGS) {
      throw new RangeError(`fleet size must stay within 0..${MAX_THINGS}`);
    }
    const total = this.count + n;
    if (total > this.typeIdx.length) {
      const cap = Math.max(total, Math.min(MAX_THINGS, this.typeIdx.length * 2));
      for (const key of ['typeIdx', 'siteIdx', 'modelIdx', 'firmwareIdx', 'profile', 'removed'] as const) {
        const next = new Uint8Array(cap);
        next.set(this[key]);
        this[key] = next;
      }
    }
    const typeShares = THING_TYPES.map((t) => t.share);
    const siteShares = SITES.map((s) => s.share);
    const { deadFraction, flakyFraction } = this.behaviour;
    for (let i = this.count; i < total; i++) {
      const type = pickWeighted(typeShares, unit(hash3(this.seed, i, 1)));
      this.typeIdx[i] = type;
      this.siteIdx[i] = pickWeighted(siteShares, unit(hash3(this.seed, i, 2)));
      const models = THING_TYPES[type]?.models.length ?? 1;
      this.modelIdx[i] = hash3(this.seed, i, 3) % models;
      this.firmwareIdx[i] = pickWeighted(FIRMWARE_SHARES, unit(hash3(this.seed, i, 4)));
      const p = unit(hash3(this.seed, i, 5));
      this.profile[i] = p < deadFraction ? Profile.Dead : p < deadFraction + flakyFraction ? Profile.Flaky : Profile.Stable;
    }
    this.count = total;
    this.generation++;
  }

  remove(index: number): boolean {
    if (!this.exists(index)) return false;
    this.removed[index] = 1;
    this.generation++;
    return true;
  }

  exists(index: number): boolean {
    return index >= 0 && index < this.count && this.removed[index] === 0;
  }

  /** Index of a live thing, or -1. */
  indexOf(name: string): number {
    if (name.length !== THING_NAME_PREFIX.length + 6 || !name.startsWith(THING_NAME_PREFIX)) return -1;
    const digits = name.slice(THING_NAME_PREFIX.length);
    if (!/^\d{6}$/.test(digits)) return -1;
    const index = Number(digits) - 1;
    return this.exists(index) ? index : -1;
  }

  name(index: number): string {
    return thingNameOf(index);
  }

  thingId(index: number): string {
    const hex = [1, 2, 3, 4].map((k) => hash4(this.seed, index, 99, k).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  thingTypeName(index: number): string | null {
    const o = this.overrides.get(index);
    if (o) return o.thingTypeName;
    return THING_TYPES[this.typeIdx[index] ?? 0]?.name ?? null;
  }

  /** Type the thing was created with; group membership and device behaviour follow it. */
  baseTypeIndex(index: number): number {
    return this.typeIdx[index] ?? 0;
  }

  site(index: number): string {
    return SITES[this.siteIdx[index] ?? 0]?.site ?? 'berlin';
  }

  siteIndex(index: number): number {
    return this.siteIdx[index] ?? 0;
  }

  attributes(index: number): Record<string, string> {
    const o = this.overrides.get(index);
    if (o) return o.attributes;
    const type = THING_TYPES[this.typeIdx[index] ?? 0];
    return {
      site: this.site(index),
      model: type?.models[this.modelIdx[index] ?? 0] ?? 'unknown',
      serial: 'SN' + hash3(this.seed, index, 6).toString(16).toUpperCase().padStart(8, '0'),
      hwRev: String.fromCharCode(65 + (hash3(this.seed, index, 7) % 3)),
    };
  }

  version(index: number): number {
    return this.overrides.get(index)?.version ?? 1;
  }

  /** Returns the mutable registry record of a thing, materialising it on first change. */
  override(index: number): ThingOverride {
    let o = this.overrides.get(index);
    if (!o) {
      o = { attributes: { ...this.attributes(index) }, thingTypeName: this.thingTypeName(index), version: 1 };
      this.overrides.set(index, o);
    }
    return o;
  }

  groupName(index: number): string {
    return `site-${this.site(index)}`;
  }

  initialFirmware(index: number): string {
    return FIRMWARE_VERSIONS[this.firmwareIdx[index] ?? 0] ?? '1.5.0';
  }

  // --- connectivity -------------------------------------------------------------------------

  private phase(index: number): number {
    return hash3(this.seed, index, 11) % SLOT_MS;
  }

  private slotOf(index: number, t: number): number {
    return Math.floor((t - this.phase(index)) / SLOT_MS);
  }

  /** Fills this.window with the offline window of a slot; false when the device stayed online. */
  private windowIn(index: number, slot: number): boolean {
    const profile = this.profile[index] ?? Profile.Stable;
    const kind = profile === Profile.Flaky ? 1 : 0;
    if (unit(hash4(this.seed, index, slot, 21)) >= (WINDOW_CHANCE[kind] ?? 0)) return false;
    const min = WINDOW_MIN_MS[kind] ?? 0;
    const max = WINDOW_MAX_MS[kind] ?? 0;
    const duration = Math.floor(min + unit(hash4(this.seed, index, slot, 22)) * (max - min));
    const slotStart = slot * SLOT_MS + this.phase(index);
    this.window.start = slotStart + Math.floor(unit(hash4(this.seed, index, slot, 23)) * (SLOT_MS - duration));
    this.window.end = this.window.start + duration;
    this.window.reason = pickWeighted(REASON_SHARES, unit(hash4(this.seed, index, slot, 24)));
    return true;
  }

  private diedAt(index: number): number {
    return this.profile[index] === Profile.Dead
      ? this.epochMs - Math.floor((1 + 9 * unit(hash3(this.seed, index, 31))) * 86_400_000)
      : Infinity;
  }

  connectivityAt(index: number, t: number): Connectivity {
    const forced = this.controls.offlineWindows(index);
    return forced ? this.controlledConnectivityAt(index, t, forced) : this.naturalConnectivityAt(index, t);
  }

  /** The offline stretch (natural window, death or forced hold) covering x, or null when online at x. */
  private offlineCover(index: number, x: number, forced: readonly OfflineWindow[]): { start: number; end: number; reason?: string } | null {
    const n = this.naturalConnectivityAt(index, x);
    let best: { start: number; end: number; reason?: string } | null = n.connected
      ? null
      : { start: n.sinceMs, end: n.untilMs, reason: n.disconnectReason };
    for (const w of forced) {
      if (x < w.startMs || x >= w.endMs) continue;
      if (!best) best = { start: w.startMs, end: w.endMs, reason: w.reason };
      else {
        if (w.startMs < best.start) best = { ...best, start: w.startMs, reason: w.reason };
        best.end = Math.max(best.end, w.endMs);
      }
    }
    return best;
  }

  /** Connectivity when natural offline windows and forced holds overlap: the union is offline. */
  private controlledConnectivityAt(index: number, t: number, forced: readonly OfflineWindow[]): Connectivity {
    const cover = this.offlineCover(index, t, forced);
    if (!cover) {
      // Online: connected since the end of the latest offline stretch of either kind.
      const natural = this.naturalConnectivityAt(index, t);
      let since = natural.sinceMs;
      for (const w of forced) if (w.endMs <= t && w.endMs > since) since = w.endMs;
      return { connected: true, sinceMs: since, untilMs: since };
    }
    let { start, end, reason } = cover;
    // Stretches that touch extend each other (a hold that starts as a natural window ends, and so on).
    for (let guard = 0; guard < 64; guard++) {
      const before = this.offlineCover(index, start - 1, forced);
      if (!before) break;
      start = before.start;
      reason = before.reason;
    }
    for (let guard = 0; guard < 64 && end !== Infinity; guard++) {
      const after = this.offlineCover(index, end, forced);
      if (!after) break;
      end = after.end;
    }
    return { connected: false, sinceMs: start, untilMs: end, ...(reason ? { disconnectReason: reason } : {}) };
  }

  private naturalConnectivityAt(index: number, t: number): Connectivity {
    const died = this.diedAt(index);
    if (t >= died) {
      const reason = DISCONNECT_REASONS[hash3(this.seed, index, 32) % 2] ?? 'CONNECTION_LOST';
      return { connected: false, sinceMs: died, untilMs: Infinity, disconnectReason: reason };
    }
    const slot = this.slotOf(index, t);
    if (this.windowIn(index, slot) && t >= this.window.start) {
      if (t < this.window.end) {
        return {
          connected: false,
          sinceMs: this.window.start,
          untilMs: this.window.end,
          disconnectReason: DISCONNECT_REASONS[this.window.reason],
        };
      }
      return { connected: true, sinceMs: this.window.end, untilMs: this.window.end };
    }
    for (let k = slot - 1; k >= slot - LOOKBACK_SLOTS; k--) {
      if (this.windowIn(index, k)) return { connected: true, sinceMs: this.window.end, untilMs: this.window.end };
    }
    const since = (slot - LOOKBACK_SLOTS) * SLOT_MS + this.phase(index);
    return { connected: true, sinceMs: since, untilMs: since };
  }

  /**
   * Times in (a, b] at which the natural model may change a device's connectivity (offline windows
   * starting or ending); the rules engine evaluates connectivityAt there to find lifecycle events.
   */
  naturalChangeTimes(index: number, a: number, b: number): number[] {
    const out: number[] = [];
    if (b <= a) return out;
    const died = this.diedAt(index);
    if (died > a && died <= b) out.push(died);
    for (let k = this.slotOf(index, a); k <= this.slotOf(index, b); k++) {
      if (!this.windowIn(index, k)) continue;
      if (this.window.start > a && this.window.start <= b) out.push(this.window.start);
      if (this.window.end > a && this.window.end <= b) out.push(this.window.end);
    }
    return out;
  }

  /** When a device is next online at or after t (Infinity for devices that never come back). */
  firstOnlineAtOrAfter(index: number, t: number): number {
    const c = this.connectivityAt(index, t);
    return c.connected ? t : c.untilMs;
  }

  // --- live shadow state ----------------------------------------------------------------------

  /** Report ticks are epoch + m * interval (m ≥ 1); counts those in (a, b]. */
  private ticksBetween(a: number, b: number): number {
    const r = this.behaviour.reportIntervalMs;
    return b <= a ? 0 : Math.floor((b - this.epochMs) / r) - Math.floor((a - this.epochMs) / r);
  }

  /**
   * Version of the device-written part of the classic shadow: 1 at seeding, +1 per report tick while
   * online and +1 per connect/disconnect (lifecycle write of `connected`).
   */
  private liveVersion(index: number, t: number): number {
    const e = this.epochMs;
    if (t <= e || this.diedAt(index) <= e) return 1;
    const forced = this.controls.offlineWindows(index);
    if (forced) return this.controlledLiveVersion(index, t, forced);
    let writes = this.ticksBetween(e, t);
    const first = this.slotOf(index, e);
    const last = this.slotOf(index, t);
    for (let k = first; k <= last; k++) {
      if (!this.windowIn(index, k)) continue;
      const { start, end } = this.window;
      // Ticks inside the offline window [start, end) are skipped.
      const lo = Math.max(start - 1, e);
      const hi = Math.min(end - 1, t);
      if (hi > lo) writes -= this.ticksBetween(lo, hi);
      if (start > e && start <= t) writes++;
      if (end > e && end <= t) writes++;
    }
    return 1 + writes;
  }

  /** liveVersion over the union of natural windows and forced holds (merged into offline runs). */
  private controlledLiveVersion(index: number, t: number, forced: readonly OfflineWindow[]): number {
    const e = this.epochMs;
    const windows: { start: number; end: number }[] = [];
    for (let k = this.slotOf(index, e); k <= this.slotOf(index, t); k++) {
      if (this.windowIn(index, k)) windows.push({ start: this.window.start, end: this.window.end });
    }
    for (const w of forced) if (w.startMs <= t) windows.push({ start: w.startMs, end: w.endMs });
    windows.sort((a, b) => a.start - b.start);
    const runs: { start: number; end: number }[] = [];
    for (const w of windows) {
      const last = runs[runs.length - 1];
      if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
      else runs.push({ ...w });
    }
    let writes = this.ticksBetween(e, t);
    for (const { start, end } of runs) {
      const lo = Math.max(start - 1, e);
      const hi = Math.min(end - 1, t);
      if (hi > lo) writes -= this.ticksBetween(lo, hi);
      // A hold may start at the seeding instant itself; its disconnect is still a write.
      if (start >= e && start <= t) writes++;
      if (end > e && end <= t) writes++;
    }
    return 1 + writes;
  }

  /** A telemetry point of a thing, with its injected anomalies (if any) applied. */
  telemetryAt(index: number, measure: TelemetryMeasure, pointMs: number, profile: TelemetryProfile = telemetryProfile(this.name(index))): number {
    const effects = this.controls.effects(index, measure);
    return effects ? controlledTelemetry(profile, measure, pointMs, effects) : sampleTelemetry(profile, measure, pointMs);
  }

  private floorTick(t: number): number {
    const r = this.behaviour.reportIntervalMs;
    return this.epochMs + Math.floor((t - this.epochMs) / r) * r;
  }

  liveReported(index: number, t: number): LiveReported {
    const conn = this.connectivityAt(index, t);
    // Values come from the last report: the latest tick while online, the report sent on reconnect,
    // or (offline) the last tick before the connection dropped.
    let writtenAt: number;
    if (conn.connected) {
      const tick = this.floorTick(t);
      writtenAt = tick >= conn.sinceMs ? tick : conn.sinceMs;
    } else {
      writtenAt = this.floorTick(conn.sinceMs - 1);
    }
    const point = telemetryPointAt(writtenAt);
    const p = telemetryProfile(this.name(index));
    const value = (m: TelemetryMeasure) => this.telemetryAt(index, m, point, p);
    // Timestamps may predate seeding: the simulated devices had a history before the simulator started.
    return {
      values: {
        connected: conn.connected,
        firmware: this.initialFirmware(index),
        battery: value('battery'),
        rssi: value('rssi'),
        temperature: value('temperature'),
      },
      times: {
        connected: conn.sinceMs,
        firmware: this.epochMs,
        battery: writtenAt,
        rssi: writtenAt,
        temperature: writtenAt,
      },
      version: this.liveVersion(index, t),
    };
  }
}
