import type { Tx } from '@/lib/db';
import { BIN_MS, type BinSize } from '@/features/telemetry/range';
import type { StoreResolution } from '@/features/telemetry/schemas';
import type { Bucket, SeriesRequest, SeriesResult, TelemetrySource } from '@/features/telemetry/source';
import { STORE_METRIC_PATTERN } from './service';

/**
 * The "Fleetline store" TelemetrySource: Fleetline's own Postgres time series, chosen for the
 * integrations whose live-data switch is on (telemetry/service.ts). A chart reads the
 * coarsest table whose buckets divide its bin: raw points for 1-minute bins (short ranges), 5-minute
 * rollups up to 30-minute bins, hourly rollups from 1 h bins on (30-day charts). A chart of the whole
 * fleet of an integration (every live device selected) reads the fleet rollups, one row per bucket,
 * kept by the same writer; a filtered fleet series is computed from the devices' rollups in one
 * set-based query. Either way avg = Σsum / Σcount over every point of the bin, min and max across
 * devices (the band). The fleet rollups hold every point the integration's devices sent, including
 * devices removed since (their history stays part of the fleet's).
 */

export type { StoreResolution };
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

const FIVE_MINUTES = 5 * 60_000;
const HOUR = 60 * 60_000;

/** The table a chart of `bin` reads; `wholeFleet`: every live device of the integration is selected. */
export function storeResolution(bin: BinSize, wholeFleet = false): StoreResolution {
  const ms = BIN_MS[bin];
  if (ms % HOUR === 0) return wholeFleet ? 'fleet_1h' : '1h';
  if (ms % FIVE_MINUTES === 0) return wholeFleet ? 'fleet_5m' : '5m';
  return 'raw';
}

const ROLLUP_TABLES = {
  '5m': 'public.telemetry_rollups_5m',
  '1h': 'public.telemetry_rollups_1h',
  fleet_5m: 'public.telemetry_fleet_rollups_5m',
  fleet_1h: 'public.telemetry_fleet_rollups_1h',
} as const;

export interface FleetlineStoreSourceOptions {
  /** asUser for requests: RLS applies (membership checked once per statement). */
  db: Db;
  orgId: string;
  /** The integration whose devices the requests select: needed to read its fleet rollups. */
  integrationId?: string;
}

type Row = { t: number; sum: number; count: number; min: number; max: number };

export function fleetlineStoreSource(options: FleetlineStoreSourceOptions): TelemetrySource {
  return {
    kind: 'fleetline_store',
    async series(request: SeriesRequest): Promise<SeriesResult> {
      const wholeFleet = request.selection.all && options.integrationId !== undefined;
      const resolution = storeResolution(request.bin, wholeFleet);
      const ids = request.selection.devices.map((d) => d.id);
      // A whole fleet read from fleet rollups needs no device list (the caller may skip listing it).
      const byDevice = resolution !== 'fleet_5m' && resolution !== 'fleet_1h';
      if ((byDevice && ids.length === 0) || !STORE_METRIC_PATTERN.test(request.metric)) return { buckets: [], bytesScanned: null, queries: 0, resolution };
      const seconds = BIN_MS[request.bin] / 1000;
      const from = new Date(request.fromMs);
      const to = new Date(request.toMs);
      const rows = await options.db((tx) => {
        if (resolution === 'raw') {
          return tx<Row[]>`
            select (extract(epoch from date_bin(make_interval(secs => ${seconds}), p.ts, timestamptz 'epoch')) * 1000)::float8 as t,
                   sum(p.value)::float8 as sum, count(*)::float8 as count, min(p.value) as min, max(p.value) as max
            from public.telemetry_points p
            where p.org_id = ${options.orgId} and p.device_id = any(${ids}::uuid[]) and p.metric = ${request.metric}
              and p.ts >= ${from} and p.ts < ${to}
            group by 1 order by 1`;
        }
        const table = tx(ROLLUP_TABLES[resolution]);
        if (resolution === 'fleet_5m' || resolution === 'fleet_1h') {
          return tx<Row[]>`
            select (extract(epoch from date_bin(make_interval(secs => ${seconds}), r.bucket, timestamptz 'epoch')) * 1000)::float8 as t,
                   sum(r.sum)::float8 as sum, sum(r.count)::float8 as count, min(r.min) as min, max(r.max) as max
            from ${table} r
            where r.org_id = ${options.orgId} and r.integration_id = ${options.integrationId!} and r.metric = ${request.metric}
              and r.bucket >= ${from} and r.bucket < ${to}
            group by 1 order by 1`;
        }
        return tx<Row[]>`
          select (extract(epoch from date_bin(make_interval(secs => ${seconds}), r.bucket, timestamptz 'epoch')) * 1000)::float8 as t,
                 sum(r.sum)::float8 as sum, sum(r.count)::float8 as count, min(r.min) as min, max(r.max) as max
          from ${table} r
          where r.org_id = ${options.orgId} and r.device_id = any(${ids}::uuid[]) and r.metric = ${request.metric}
            and r.bucket >= ${from} and r.bucket < ${to}
          group by 1 order by 1`;
      });
      const buckets: Bucket[] = rows.map((r) => ({ t: Number(r.t), sum: Number(r.sum), count: Number(r.count), min: Number(r.min), max: Number(r.max) }));
      return { buckets, bytesScanned: null, queries: 1, resolution };
    },
  };
}

/** Raw points of one device in [from, to), in time order, paged by time (the CSV export of short ranges). */
export async function listRawPoints(db: Tx, orgId: string, deviceId: string, metric: string, fromMs: number, toMs: number, afterMs: number | null, limit: number): Promise<{ t: number; value: number }[]> {
  if (!STORE_METRIC_PATTERN.test(metric)) return [];
  const rows = await db<{ t: number; value: number }[]>`
    select (extract(epoch from p.ts) * 1000)::float8 as t, p.value
    from public.telemetry_points p
    where p.org_id = ${orgId} and p.device_id = ${deviceId} and p.metric = ${metric}
      and ${afterMs === null ? db`p.ts >= ${new Date(fromMs)}` : db`p.ts > ${new Date(afterMs)}`} and p.ts < ${new Date(toMs)}
    order by p.ts
    limit ${limit}`;
  return rows.map((r) => ({ t: Number(r.t), value: Number(r.value) }));
}
