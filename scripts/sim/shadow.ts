// Device Shadow model. The classic shadow's reported part comes from the live device model (fleet.ts);
// everything written through the API is kept in an overlay on top of it. Named shadows are overlays only,
// except `config`, which every device has from the start.

import { SHADOW_MAX_DEPTH, SHADOW_MAX_NAME_LENGTH, SHADOW_MAX_STATE_BYTES, type BehaviourSettings } from './config';
import { AwsError, invalidRequest } from './errors';
import type { Fleet } from './fleet';
import { byteLength, clone, deepEqual, depthOf, isObject, mergePatch, type Json, type JsonObject } from './json';

export const DEFAULT_NAMED_SHADOW = 'config';
const DEFAULT_NAMED_REPORTED: JsonObject = { reportIntervalSec: 300, logLevel: 'info' };
const SHADOW_NAME_PATTERN = /^[a-zA-Z0-9:_-]+$/;

interface Overlay {
  desired: JsonObject | null;
  desiredMeta: JsonObject;
  reported: JsonObject;
  reportedMeta: JsonObject;
  /** Accepted writes on top of the device's own (live) writes. */
  writes: number;
  /** Simulated time of the latest desired write the device has not applied yet. */
  pendingSince: number | null;
}

export interface ShadowDocument {
  state: { desired?: JsonObject; reported?: JsonObject; delta?: JsonObject };
  metadata: { desired?: JsonObject; reported?: JsonObject };
  version: number;
  timestamp: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function emptyOverlay(): Overlay {
  return { desired: null, desiredMeta: {}, reported: {}, reportedMeta: {}, writes: 0, pendingSince: null };
}

/** Metadata mirrors the state tree with `{timestamp}` leaves; a `null` in the patch deletes. */
function metaFor(patch: JsonObject, ts: number): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out[k] = null;
    else if (isObject(v)) out[k] = metaFor(v, ts);
    else if (Array.isArray(v)) out[k] = v.map(() => ({ timestamp: ts }));
    else out[k] = { timestamp: ts };
  }
  return out;
}

function isLeafMeta(v: Json | undefined): boolean {
  return isObject(v) && typeof v.timestamp === 'number' && Object.keys(v).length === 1;
}

function mergeMeta(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && !isLeafMeta(v)) {
      const existing = out[k];
      out[k] = mergeMeta(isObject(existing) && !isLeafMeta(existing) ? existing : {}, v);
    } else out[k] = v;
  }
  return out;
}

function deltaOf(desired: JsonObject, reported: JsonObject): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, d] of Object.entries(desired)) {
    const r = reported[k];
    if (isObject(d) && isObject(r)) {
      const sub = deltaOf(d, r);
      if (sub) out[k] = sub;
    } else if (!deepEqual(d, r)) out[k] = clone(d);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function validateShadowName(name: string): void {
  if (name.length < 1 || name.length > SHADOW_MAX_NAME_LENGTH || !SHADOW_NAME_PATTERN.test(name) || name.startsWith('$')) {
    throw invalidRequest(`Invalid shadow name '${name}': 1-${SHADOW_MAX_NAME_LENGTH} characters of [a-zA-Z0-9:_-].`);
  }
}

export class ShadowStore {
  private readonly classic = new Map<number, Overlay>();
  private readonly named = new Map<number, Map<string, Overlay>>();

  constructor(
    private readonly fleet: Fleet,
    private readonly behaviour: BehaviourSettings,
  ) {}

  private overlay(index: number, name: string | undefined, create: boolean): Overlay | undefined {
    if (name === undefined) {
      let o = this.classic.get(index);
      if (!o && create) {
        o = emptyOverlay();
        this.classic.set(index, o);
      }
      return o;
    }
    let byName = this.named.get(index);
    if (!byName) {
      if (!create) return undefined;
      byName = new Map();
      this.named.set(index, byName);
    }
    let o = byName.get(name);
    if (!o && create) {
      o = emptyOverlay();
      byName.set(name, o);
    }
    return o;
  }

  private dropOverlay(index: number, name: string | undefined): void {
    if (name === undefined) this.classic.delete(index);
    else this.named.get(index)?.delete(name);
  }

  /** Applies a pending desired → reported convergence when the (online) device has had time to act. */
  private settle(index: number, o: Overlay, t: number): void {
    if (o.pendingSince === null || !o.desired) return;
    const at = this.fleet.firstOnlineAtOrAfter(index, o.pendingSince + this.behaviour.convergenceDelayMs);
    if (at > t) return;
    o.reported = mergePatch(o.reported, o.desired);
    o.reportedMeta = mergeMeta(o.reportedMeta, metaFor(o.desired, seconds(at)));
    o.writes++;
    o.pendingSince = null;
  }

  private base(index: number, name: string | undefined, t: number): { reported: JsonObject; meta: JsonObject; version: number } | null {
    if (name === undefined) {
      const live = this.fleet.liveReported(index, t);
      const meta: JsonObject = {};
      for (const [k, ms] of Object.entries(live.times)) meta[k] = { timestamp: seconds(ms) };
      return { reported: { ...live.values }, meta, version: live.version };
    }
    if (name === DEFAULT_NAMED_SHADOW) {
      return { reported: clone(DEFAULT_NAMED_REPORTED), meta: metaFor(DEFAULT_NAMED_REPORTED, seconds(this.fleet.epochMs)), version: 1 };
    }
    return null;
  }

  /** Current document, or null when the shadow does not exist. */
  get(index: number, name: string | undefined, t: number): ShadowDocument | null {
    const o = this.overlay(index, name, false);
    if (o) this.settle(index, o, t);
    const base = this.base(index, name, t);
    if (!base && !o) return null;
    const reported = o ? mergePatch(base?.reported ?? {}, o.reported) : (base?.reported ?? {});
    const reportedMeta = o ? mergeMeta(base?.meta ?? {}, o.reportedMeta) : (base?.meta ?? {});
    const doc: ShadowDocument = {
      state: {},
      metadata: {},
      version: (base?.version ?? 0) + (o?.writes ?? 0),
      timestamp: seconds(t),
    };
    if (o?.desired) {
      doc.state.desired = o.desired;
      doc.metadata.desired = o.desiredMeta;
    }
    if (base || Object.keys(reported).length > 0) {
      doc.state.reported = reported;
      doc.metadata.reported = reportedMeta;
    }
    if (o?.desired) {
      const delta = deltaOf(o.desired, reported);
      if (delta) doc.state.delta = delta;
    }
    return doc;
  }

  /** Names of the thing's named shadows, sorted. */
  listNamed(index: number): string[] {
    return [...new Set([DEFAULT_NAMED_SHADOW, ...(this.named.get(index)?.keys() ?? [])])].sort();
  }

  /** UpdateThingShadow: returns the accepted document AWS sends back. */
  update(index: number, name: string | undefined, payload: Buffer, t: number): JsonObject {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      throw invalidRequest('Payload contains invalid json');
    }
    if (!isObject(parsed)) throw invalidRequest('Payload contains invalid json');
    const state = parsed.state;
    if (state === undefined) throw invalidRequest('Missing required node: state');
    if (!isObject(state)) throw invalidRequest('State node must be an object');
    for (const key of Object.keys(state)) {
      if (key !== 'desired' && key !== 'reported') throw invalidRequest(`State contains an invalid node: '${key}'`);
    }
    const desired = state.desired;
    const reported = state.reported;
    for (const [section, value] of [['desired', desired], ['reported', reported]] as const) {
      if (value !== undefined && value !== null && !isObject(value)) {
        throw invalidRequest(`Invalid JSON: state.${section} must be an object or null`);
      }
      if (isObject(value) && depthOf(value) > SHADOW_MAX_DEPTH) {
        throw invalidRequest(`JSON contains too many levels of nesting; maximum is ${SHADOW_MAX_DEPTH}`);
      }
    }
    if (byteLength(state) > SHADOW_MAX_STATE_BYTES) {
      throw new AwsError('RequestEntityTooLargeException', 413, 'The payload exceeds the maximum size allowed');
    }
    const clientToken = parsed.clientToken;
    if (clientToken !== undefined && (typeof clientToken !== 'string' || clientToken.length > 64)) {
      throw invalidRequest('clientToken must be a string of at most 64 characters');
    }
    const version = parsed.version;
    if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version))) {
      throw invalidRequest('Invalid version: must be an integer');
    }

    const current = this.get(index, name, t);
    if (version !== undefined && version !== (current?.version ?? 0)) {
      throw new AwsError('ConflictException', 409, 'Version conflict');
    }
    const existed = this.overlay(index, name, false) !== undefined;
    const o = this.overlay(index, name, true)!;
    const before = { ...o };
    const ts = seconds(t);
    if (desired === null) {
      o.desired = null;
      o.desiredMeta = {};
      o.pendingSince = null;
    } else if (isObject(desired)) {
      o.desired = mergePatch(o.desired ?? {}, desired);
      o.desiredMeta = mergeMeta(o.desiredMeta, metaFor(desired, ts));
      o.pendingSince = t;
    }
    if (reported === null) {
      o.reported = {};
      o.reportedMeta = {};
    } else if (isObject(reported)) {
      o.reported = mergePatch(o.reported, reported);
      o.reportedMeta = mergeMeta(o.reportedMeta, metaFor(reported, ts));
    }
    o.writes++;
    const after = this.get(index, name, t);
    if (after && byteLength({ desired: after.state.desired ?? {}, reported: after.state.reported ?? {} }) > SHADOW_MAX_STATE_BYTES) {
      if (existed) Object.assign(o, before);
      else this.dropOverlay(index, name);
      throw new AwsError('RequestEntityTooLargeException', 413, 'The payload exceeds the maximum size allowed');
    }

    const accepted: JsonObject = { state: clone(state) };
    const metadata: JsonObject = {};
    if (desired !== undefined) metadata.desired = isObject(desired) ? metaFor(desired, ts) : null;
    if (reported !== undefined) metadata.reported = isObject(reported) ? metaFor(reported, ts) : null;
    accepted.metadata = metadata;
    accepted.version = after?.version ?? 1;
    accepted.timestamp = ts;
    if (typeof clientToken === 'string') accepted.clientToken = clientToken;
    return accepted;
  }

  /** A write by the device itself (e.g. a new firmware version after a successful job). */
  deviceReport(index: number, values: JsonObject, at: number): void {
    const o = this.overlay(index, undefined, true)!;
    this.settle(index, o, at);
    o.reported = mergePatch(o.reported, values);
    o.reportedMeta = mergeMeta(o.reportedMeta, metaFor(values, seconds(at)));
    o.writes++;
  }

  /** Named shadows present in the overlay (the `config` default is implicit). */
  namedOverlays(index: number): string[] {
    return [...(this.named.get(index)?.keys() ?? [])];
  }
}
