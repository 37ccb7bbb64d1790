import { LRUCache } from 'lru-cache';
import type { Db } from '@/features/integrations/runtime/integration';

/**
 * What the ingest needs to know about an integration before it can accept a batch: who it belongs to,
 * whether live data is on, the secret hash(es) it accepts, and which device each thing name is. Read
 * from Postgres directly (`directLookups`, tests and one-off callers) or through a per-process cache
 * (`cachedLookups`, the app and the standalone ingest server) so a telemetry request normally costs no
 * database round trip before its points are written.
 *
 * Cache semantics (documented in README, "Live data ingest"): an auth record is kept at most `ttlMs`
 * (default 5 s), so switching live data off, or a secret rotation whose grace period ends, takes
 * effect within that time on every ingest process. Device names are refreshed on a miss; a name that
 * is not a device of the integration is remembered as unknown for `unknownTtlMs` (default 2 s), so a
 * device added by the sync is accepted within that time. A known name is kept 10 × `ttlMs` (50 s): a
 * device the sync removes may still receive points for that long.
 */

export interface IngestAuthRecord {
  orgId: string;
  enabled: boolean;
  /** SHA-256 hashes of the secrets accepted now: the current one, and the previous one during a rotation's grace period (else null). */
  hashes: [Buffer | null, Buffer | null];
}

export interface IngestTarget {
  orgId: string;
  integrationId: string;
}

export interface IngestLookups {
  /** The integration's auth record, or null when it has no live-data row. */
  auth(integrationId: string): Promise<IngestAuthRecord | null>;
  /** Device ids of the given thing names of the integration; unknown names are absent. */
  devices(target: IngestTarget, things: readonly string[]): Promise<Map<string, string>>;
}

async function readAuth(db: Db, integrationId: string): Promise<IngestAuthRecord | null> {
  // The previous secret only while its rotation's grace period lasts (database clock, at read time:
  // a cached record may accept it up to the TTL longer).
  const [row] = await db((tx) => tx<{ org_id: string; enabled: boolean; secret_hash: Buffer | null; previous_hash: Buffer | null }[]>`
    select org_id, enabled, secret_hash,
           case when previous_secret_expires_at > now() then previous_secret_hash end as previous_hash
    from public.integration_live_data where integration_id = ${integrationId}`);
  if (!row) return null;
  return { orgId: row.org_id, enabled: row.enabled, hashes: [row.secret_hash, row.previous_hash] };
}

async function readDevices(db: Db, target: IngestTarget, things: readonly string[]): Promise<Map<string, string>> {
  const devices = new Map<string, string>();
  if (things.length === 0) return devices;
  const rows = await db((tx) => tx<{ id: string; thing_name: string }[]>`
    select id, thing_name from public.devices
    where org_id = ${target.orgId} and integration_id = ${target.integrationId}
      and thing_name = any(${things as string[]}::text[]) and removed_at is null`);
  for (const r of rows) devices.set(r.thing_name, r.id);
  return devices;
}

export function directLookups(db: Db): IngestLookups {
  return { auth: (id) => readAuth(db, id), devices: (target, things) => readDevices(db, target, things) };
}

export interface CachedLookupsOptions {
  db: Db;
  ttlMs?: number;
  unknownTtlMs?: number;
  /** Integrations whose auth records are kept. */
  maxIntegrations?: number;
  /** Thing names kept, over all integrations. */
  maxDevices?: number;
  /** The clock of the TTLs (ms, monotonic); tests pass a manual one. */
  now?: () => number;
}

const UNKNOWN = '';

export function cachedLookups(options: CachedLookupsOptions): IngestLookups {
  const ttl = options.ttlMs ?? 5_000;
  const unknownTtl = options.unknownTtlMs ?? 2_000;
  const perf = options.now ? { now: options.now } : undefined;
  // null (no live-data row) is cached too, as a record that accepts nothing.
  const auth = new LRUCache<string, IngestAuthRecord | { none: true }>({ max: options.maxIntegrations ?? 10_000, ttl, perf, ttlResolution: 0 });
  const authLoading = new Map<string, Promise<IngestAuthRecord | null>>();
  // Key integration:thing → device id, or UNKNOWN (negative entry with its own shorter TTL).
  const devices = new LRUCache<string, string>({ max: options.maxDevices ?? 500_000, ttl: 10 * ttl, perf, ttlResolution: 0 });
  return {
    async auth(integrationId) {
      const hit = auth.get(integrationId);
      if (hit) return 'none' in hit ? null : hit;
      // Concurrent misses share one read.
      let loading = authLoading.get(integrationId);
      if (!loading) {
        loading = readAuth(options.db, integrationId).finally(() => authLoading.delete(integrationId));
        authLoading.set(integrationId, loading);
        loading.then((r) => auth.set(integrationId, r ?? { none: true }), () => undefined);
      }
      return loading;
    },
    async devices(target, things) {
      const found = new Map<string, string>();
      const missing: string[] = [];
      for (const thing of things) {
        const id = devices.get(`${target.integrationId}:${thing}`);
        if (id === undefined) missing.push(thing);
        else if (id !== UNKNOWN) found.set(thing, id);
      }
      if (missing.length === 0) return found;
      const read = await readDevices(options.db, target, missing);
      for (const thing of missing) {
        const id = read.get(thing);
        if (id === undefined) devices.set(`${target.integrationId}:${thing}`, UNKNOWN, { ttl: unknownTtl });
        else {
          devices.set(`${target.integrationId}:${thing}`, id);
          found.set(thing, id);
        }
      }
      return found;
    },
  };
}
