import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FleetSelection } from './queries';
import type { BinSize } from './range';
import type { TelemetrySourceKind } from './schemas';
import type { SeriesResult } from './source';

/**
 * Server-side cache of per-integration series. Ranges are aligned to their bin before they get here,
 * so repeats within one bin share a key. A range touching "now" lives briefly (its newest bucket is
 * still filling); a finished range lives longer. Per process: each server instance has its own.
 */

export interface CacheKeyParts {
  orgId: string;
  integrationId: string;
  source: TelemetrySourceKind;
  metric: string;
  bin: BinSize;
  fromMs: number;
  toMs: number;
  /** `all`, or a digest of the selected thing names (see deviceSetKey). */
  deviceSet: string;
}

export function cacheKey(p: CacheKeyParts): string {
  return [p.orgId, p.integrationId, p.source, p.metric, p.bin, p.fromMs, p.toMs, p.deviceSet].join('|');
}

/** `all` for a whole live fleet, otherwise a digest of the sorted names (order-independent). */
export function deviceSetKey(all: boolean, sortedNamesDigest: string): string {
  return all ? 'all' : `set:${sortedNamesDigest}`;
}

export function digestNames(names: readonly string[]): string {
  return createHash('md5').update([...names].sort().join(',')).digest('hex');
}

export const LIVE_TTL_MS = 30_000;
/** A live range read from the Fleetline store: cheap to recompute, and new points arrive every few seconds. */
export const STORE_LIVE_TTL_MS = 3_000;
export const SETTLED_TTL_MS = 10 * 60_000;
/**
 * Which devices a filter selects, per organization. Counting and digesting 10,000 device rows under
 * RLS costs hundreds of ms (the policy runs per row), so a repeat reuses the answer briefly; syncs
 * change the fleet at most once a minute.
 */
export const SELECTION_TTL_MS = 20_000;

export class TelemetryCache {
  private readonly lru: LRUCache<string, SeriesResult>;
  private readonly selections = new LRUCache<string, readonly FleetSelection[]>({ max: 1_000, ttl: SELECTION_TTL_MS });

  constructor(options: { maxEntries?: number; maxBuckets?: number } = {}) {
    this.lru = new LRUCache<string, SeriesResult>({
      max: options.maxEntries ?? 2_000,
      // Bounded by total buckets held, so a few 2,000-point series cannot crowd memory.
      maxSize: options.maxBuckets ?? 2_000_000,
      sizeCalculation: (value) => value.buckets.length + 1,
    });
  }

  get(key: string): SeriesResult | undefined {
    return this.lru.get(key);
  }

  /** `ttlMs` overrides the lifetime (a live range of the Fleetline store refreshes every few seconds). */
  set(key: string, value: SeriesResult, live: boolean, ttlMs?: number): void {
    this.lru.set(key, Object.freeze({ ...value, buckets: value.buckets.map((b) => Object.freeze({ ...b })) }), {
      ttl: ttlMs ?? (live ? LIVE_TTL_MS : SETTLED_TTL_MS),
    });
  }

  /** `filterKey` is the filter's canonical URL form; the org is part of the key, the member check is not cached. */
  getSelections(orgId: string, filterKey: string): readonly FleetSelection[] | undefined {
    return this.selections.get(`${orgId}|${filterKey}`);
  }

  setSelections(orgId: string, filterKey: string, selections: readonly FleetSelection[]): void {
    this.selections.set(`${orgId}|${filterKey}`, Object.freeze(selections.map((s) => Object.freeze({ ...s }))));
  }

  remainingTtl(key: string): number {
    return this.lru.getRemainingTTL(key);
  }

  clear(): void {
    this.lru.clear();
    this.selections.clear();
  }
}

const globalForCache = globalThis as unknown as { fleetlineTelemetryCache?: TelemetryCache };

/** The process-wide cache the route handler uses. */
export function telemetryCache(): TelemetryCache {
  globalForCache.fleetlineTelemetryCache ??= new TelemetryCache();
  return globalForCache.fleetlineTelemetryCache;
}
