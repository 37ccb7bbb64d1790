/**
 * What one sync observes about a thing, whichever mode read it. Both modes produce this shape, so
 * everything downstream (status, diffing, writes, command resolution) is mode-agnostic.
 */
export type JsonObject = { [key: string]: unknown };

export type SyncMode = 'fleet_index' | 'registry';
export type DeviceStatus = 'online' | 'offline' | 'stale' | 'unknown';

/** One shadow (classic or named) as stored: the state sections plus AWS's metadata and version. */
export interface ShadowState {
  reported: JsonObject | null;
  desired: JsonObject | null;
  delta: JsonObject | null;
  /** `{reported: {...}, desired: {...}}` with `{timestamp}` leaves in epoch seconds. */
  metadata: JsonObject | null;
  version: number | null;
}

export interface Connectivity {
  connected: boolean;
  /** Last connect or disconnect, epoch milliseconds (AWS may omit it after a long disconnect). */
  timestampMs: number | null;
  disconnectReason: string | null;
}

export interface ObservedThing {
  thingName: string;
  thingType: string | null;
  attributes: Record<string, string>;
  /** Direct thing-group memberships, sorted; null while registry mode's membership listing is still loading. */
  groups: string[] | null;
  /** Only ListThings returns it; null in fleet_index mode. */
  registryVersion: number | null;
  /** The classic shadow; null when the thing has none. Undefined when it could not be read this run. */
  shadow: ShadowState | null | undefined;
  /** Named shadows by name; null when this run did not look (the cached ones are kept). */
  namedShadows: Record<string, ShadowState> | null;
  /** From the fleet index; null when connectivity indexing is off (registry mode). */
  connectivity: Connectivity | null;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level, so equal documents hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
