import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { STORE_METRIC_PATTERN } from '@/features/telemetry-store/service';
import type { AnomalyMetricRef } from '../schemas';

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

export function metricHistory(metric: AnomalyMetricRef): MetricHistory {
  const key = JSON.stringify(metric);
  const segments = typeof metric === 'string' ? [metric] : metric.path;
  const dotted = segments.join('.');
  const shadowPath = typeof metric === 'string' || !metric.shadow ? `$${segments.map((k) => `."${k}"`).join('')} ? (@.type() == "number")` : null;
  return { key, telemetryName: STORE_METRIC_PATTERN.test(dotted) ? dotted : null, shadowPath };
}

/**
 * One device's points (t, v) within [since, until): from the telemetry store when `source` is
 * 'telemetry', else from the shadow history. `deviceId` and `source` are SQL expressions of the
 * enclosing row, so this is read once per device through the tables' device indexes.
 */
export function devicePoints(tx: Tx, orgId: string, m: MetricHistory, device: { id: Fragment; source: Fragment }, since: Date, until: Date): Fragment {
  const telemetry = m.telemetryName
    ? tx`select p.ts as t, p.value as v from public.telemetry_points p
         where ${device.source} = 'telemetry' and p.device_id = ${device.id} and p.metric = ${m.telemetryName} and p.org_id = ${orgId}
           and p.ts >= ${since} and p.ts < ${until}`
    : tx`select null::timestamptz as t, null::float8 as v where false`;
  const shadow = m.shadowPath
    ? tx`select q.t, q.v from (
           select coalesce(h.reported_at, h.observed_at) as t, (jsonb_path_query_first(h.reported, ${m.shadowPath}::jsonpath))::float8 as v
           from public.device_shadow_history h
           where ${device.source} = 'shadow_history' and h.org_id = ${orgId} and h.device_id = ${device.id}
             and coalesce(h.reported_at, h.observed_at) >= ${since} and coalesce(h.reported_at, h.observed_at) < ${until}) q
         where q.v is not null`
    : tx`select null::timestamptz as t, null::float8 as v where false`;
  return tx`select * from (${telemetry}) a union all select * from (${shadow}) b`;
}

/**
 * One device's hourly means (bucket, v) within [since, until): the telemetry store's hourly rollups,
 * or the shadow history averaged per hour. The daily cycle is learned from these (a week of them is
 * 168 rows, where a week of raw points can be 10 000).
 */
export function deviceHourly(tx: Tx, orgId: string, m: MetricHistory, device: { id: Fragment; source: Fragment }, since: Date, until: Date): Fragment {
  const telemetry = m.telemetryName
    ? tx`select r.bucket, r.sum / r.count as v from public.telemetry_rollups_1h r
         where ${device.source} = 'telemetry' and r.device_id = ${device.id} and r.metric = ${m.telemetryName} and r.org_id = ${orgId}
           and r.bucket >= ${since} and r.bucket < ${until} and r.count > 0`
    : tx`select null::timestamptz as bucket, null::float8 as v where false`;
  const shadow = m.shadowPath
    ? tx`select date_bin(interval '1 hour', q.t, timestamptz 'epoch') as bucket, avg(q.v) as v from (
           select coalesce(h.reported_at, h.observed_at) as t, (jsonb_path_query_first(h.reported, ${m.shadowPath}::jsonpath))::float8 as v
           from public.device_shadow_history h
           where ${device.source} = 'shadow_history' and h.org_id = ${orgId} and h.device_id = ${device.id}
             and coalesce(h.reported_at, h.observed_at) >= ${since} and coalesce(h.reported_at, h.observed_at) < ${until}) q
         where q.v is not null group by 1`
    : tx`select null::timestamptz as bucket, null::float8 as v where false`;
  return tx`select * from (${telemetry}) a union all select * from (${shadow}) b`;
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

/**
 * A device's current value of the metric without reading its history (the prefilter's input), as
 * an expression over the baseline `b` and `public.devices d`: the cached column or the number at the
 * reported path of the cached shadow (what the last sync saw), as threshold rules read it; for a
 * device whose baseline learned from the telemetry store and that has no cached value, a store
 * probe (the live-data ingest does not update the cached columns today: once it keeps a latest
 * value per device and metric, that is the place to read). `since` bounds how old a store point may be (the sustain window, as for the recent points); points since `lookbackSince` are all looked at.
 */
export function currentValue(tx: Tx, orgId: string, metric: AnomalyMetricRef, m: MetricHistory, since: Date, now: Date, lookbackSince: Date = since): Fragment {
  const cached =
    metric === 'battery'
      ? tx`d.battery`
      : metric === 'rssi'
        ? tx`d.rssi`
        : metric === 'temperature'
          ? tx`d.temperature`
          : tx`(jsonb_path_query_first(${metric.shadow ? tx`d.named_shadows` : tx`d.shadow`}, ${`$${(metric.shadow ? [metric.shadow, 'reported', ...metric.path] : ['reported', ...metric.path]).map((k) => `."${k}"`).join('')} ? (@.type() == "number")`}::jsonpath))::float8`;
  if (!m.telemetryName) return cached;
  // The cached value first, as threshold rules read it: a join, no probe. Only a store-only device
  // (no cached value) probes the store, the one point farthest from the baseline among those of the
  // spike lookback (a spike between two evaluations is not missed), else the newest. coalesce stops
  // at the first non-null, so devices with a cached value never probe.
  return tx`(case when b.source = 'telemetry' then coalesce(${cached},
      (select p.value from public.telemetry_points p
       where p.device_id = d.id and p.metric = ${m.telemetryName} and p.org_id = ${orgId} and p.ts > ${lookbackSince} and p.ts <= ${now}
       order by abs(p.value - b.level - ${shapeAt(tx, tx`b.daily_shape`, tx`(extract(epoch from p.ts)::float8 / 3600 - 0.5)`)}) desc limit 1),
      (select p.value from public.telemetry_points p
       where p.device_id = d.id and p.metric = ${m.telemetryName} and p.org_id = ${orgId} and p.ts > ${since} and p.ts <= ${now}
       order by p.ts desc limit 1))
    else ${cached} end)`;
}
