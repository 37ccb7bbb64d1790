import type { Tx } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { BIN_MS } from './range';
import { METRIC_PATTERN } from './schemas';
import type { Bucket, SeriesRequest, SeriesResult, TelemetrySource } from './source';

/** Runs a function in a transaction (asUser for requests, so RLS applies to the history rows too). */
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface ShadowHistorySourceOptions {
  db: Db;
  orgId: string;
  integrationId: string;
}

/**
 * Telemetry from `device_shadow_history`: one reported document per shadow version a sync observed,
 * so values come at the devices' report rate and versions between two syncs are missing. The metric
 * is a numeric top-level reported key; time is the device's report time (else when the sync saw it).
 */
export function shadowHistorySource(options: ShadowHistorySourceOptions): TelemetrySource {
  return {
    kind: 'shadow_history',
    async series(request: SeriesRequest): Promise<SeriesResult> {
      if (!METRIC_PATTERN.test(request.metric)) throw new AppError('VALIDATION', 'Not a valid metric name.', { metric: ['Not a valid metric name.'] });
      const { selection } = request;
      if (selection.devices.length === 0) return { buckets: [], bytesScanned: null, queries: 0 };
      const seconds = BIN_MS[request.bin] / 1000;
      const from = new Date(request.fromMs);
      const to = new Date(request.toMs);
      const rows = await options.db((tx) => tx<{ t: number; sum: number; count: number; min: number; max: number }[]>`
        select (extract(epoch from b.bucket) * 1000)::float8 as t, sum(b.v)::float8 as sum, count(*)::int as count,
               min(b.v)::float8 as min, max(b.v)::float8 as max
        from (
          select date_bin(make_interval(secs => ${seconds}), coalesce(h.reported_at, h.observed_at), timestamptz 'epoch') as bucket,
                 (h.reported ->> ${request.metric})::float8 as v
          from public.device_shadow_history h
          join public.devices d on d.id = h.device_id and d.org_id = h.org_id
          where h.org_id = ${options.orgId} and d.integration_id = ${options.integrationId}
            and ${selection.all ? tx`d.removed_at is null` : tx`h.device_id = any(${selection.devices.map((d) => d.id)}::uuid[])`}
            and jsonb_typeof(h.reported -> ${request.metric}) = 'number'
            and coalesce(h.reported_at, h.observed_at) >= ${from} and coalesce(h.reported_at, h.observed_at) < ${to}
        ) b
        group by b.bucket
        order by b.bucket`);
      const buckets: Bucket[] = rows.map((r) => ({ t: Number(r.t), sum: Number(r.sum), count: Number(r.count), min: Number(r.min), max: Number(r.max) }));
      return { buckets, bytesScanned: null, queries: 1 };
    },
  };
}
