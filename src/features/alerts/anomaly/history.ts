import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { STORE_METRIC_PATTERN } from '@/features/telemetry-store/service';
import type { MetricRef } from '../schemas';

type Fragment = postgres.PendingQuery<postgres.Row[]>;

/**
 * Where an anomaly rule's metric has history: the telemetry store's metric name (the cached
 * columns keep their names, a reported path is its dotted form) and, for the classic shadow, the
 * JSON path into `device_shadow_history.reported` (named shadows have no shadow history).
 */
export interface MetricHistory {
  /** Stored with each baseline: a rule whose metric changed relearns. */
  key: string;
  telemetryName: string | null;
  shadowPath: string | null;
}

export function metricHistory(metric: MetricRef): MetricHistory {
  const key = JSON.stringify(metric);
  const segments = typeof metric === 'string' ? [metric] : metric.path;
  const dotted = segments.join('.');
  const shadowPath = typeof metric === 'string' || !metric.shadow ? `$${segments.map((k) => `."${k}"`).join('')} ? (@.type() == "number")` : null;
  return { key, telemetryName: STORE_METRIC_PATTERN.test(dotted) ? dotted : null, shadowPath };
}

/**
 * Points (device_id, t, v) of the devices in `devs` (a CTE with `id` and `source`) within [since, until):
 * from the telemetry store for devices whose source is 'telemetry', else from the shadow history.
 */
export function historyPoints(tx: Tx, orgId: string, m: MetricHistory, devs: Fragment, since: Date, until: Date): Fragment {
  const telemetry = m.telemetryName
    ? tx`select p.device_id, p.ts as t, p.value as v
         from public.telemetry_points p join ${devs} s on s.id = p.device_id and s.source = 'telemetry'
         where p.org_id = ${orgId} and p.metric = ${m.telemetryName} and p.ts >= ${since} and p.ts < ${until}`
    : null;
  const shadow = m.shadowPath
    ? tx`select h.device_id, coalesce(h.reported_at, h.observed_at) as t, (jsonb_path_query_first(h.reported, ${m.shadowPath}::jsonpath))::float8 as v
         from public.device_shadow_history h join ${devs} s on s.id = h.device_id and s.source = 'shadow_history'
         where h.org_id = ${orgId} and coalesce(h.reported_at, h.observed_at) >= ${since} and coalesce(h.reported_at, h.observed_at) < ${until}`
    : null;
  if (telemetry && shadow) return tx`select * from (${telemetry}) a union all select * from (${shadow}) b where b.v is not null`;
  if (telemetry) return telemetry;
  if (shadow) return tx`select * from (${shadow}) b where b.v is not null`;
  return tx`select null::uuid as device_id, null::timestamptz as t, null::float8 as v where false`;
}

/** Whether a device (`d.id`) has telemetry-store points for the metric since `since` (the hourly rollups answer cheaply). */
export function hasTelemetry(tx: Tx, orgId: string, m: MetricHistory, since: Date): Fragment {
  if (!m.telemetryName) return tx`false`;
  return tx`exists (select 1 from public.telemetry_rollups_1h r
                    where r.device_id = d.id and r.metric = ${m.telemetryName} and r.org_id = ${orgId} and r.bucket >= ${since})`;
}

/**
 * The daily offset of a baseline's shape at `hours` (hours since the epoch minus half an hour, so
 * hour h's centre sits on an integer): linear between the two nearest UTC hour centres.
 */
export function shapeAt(tx: Tx, shape: Fragment, hours: Fragment): Fragment {
  return tx`(case when ${shape} is null then 0::float8 else
    ${shape}[(floor(${hours})::bigint % 24)::int + 1] * (1 - (${hours} - floor(${hours})))
    + ${shape}[((floor(${hours})::bigint + 1) % 24)::int + 1] * (${hours} - floor(${hours})) end)`;
}
