import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { LEVEL_WINDOW_MS, MIN_LEVEL_POINTS, PROFILE_WINDOW_MS, SEASONAL_MIN_MS, STUCK_MIN_SAMPLES } from './constants';
import { deviceHourly, devicePoints, hasTelemetry, shapeAt, type MetricHistory } from './history';

type Fragment = postgres.PendingQuery<postgres.Row[]>;

export interface RefreshBaselinesArgs {
  orgId: string;
  ruleId: string;
  metric: MetricHistory;
  /** The rule's device filter over `public.devices d`. */
  where: Fragment;
  now: Date;
  /** At most this many (rule, device) baselines are learned per call: missing ones first, then the stalest. */
  batch: number;
  /** A baseline older than this is due again. */
  maxAgeMs: number;
}

const ms = (tx: Tx, value: number) => tx`(${value}::float8 * interval '1 millisecond')`;

/**
 * Learns the baselines of an anomaly rule's devices that are missing or due, in one statement over
 * the whole batch (no loop per device in Node): the detector's model, in SQL. From the last week of
 * hourly means, the daily cycle (hour-of-day medians, kept only when at least three days exist and
 * it clearly narrows the spread of the last day); from the last day of raw points with the cycle
 * removed, the level (median) and the spread (the largest of the scaled MAD, the successive-
 * difference noise and a floor), and the longest run of repeated values (a stuck sensor must
 * repeat three times as long); the first point ever (minimum history). Each device's statistics are a lateral subquery over its own points (read
 * through the device index), so the cost is linear in the points of the batch. A device without
 * enough points gets a row without a level, tried again when due. Returns how many were written.
 */
export async function refreshBaselines(tx: Tx, args: RefreshBaselinesArgs): Promise<number> {
  const { orgId, ruleId, metric, where, now, batch, maxAgeMs } = args;
  const since = new Date(now.getTime() - PROFILE_WINDOW_MS);
  const hours = tx`(extract(epoch from t)::float8 / 3600 - 0.5)`;
  const firstShadow = metric.shadowPath
    ? tx`(select min(coalesce(h.reported_at, h.observed_at)) from public.device_shadow_history h
          where h.org_id = ${orgId} and h.device_id = s.id and jsonb_path_exists(h.reported, ${metric.shadowPath}::jsonpath))`
    : tx`null::timestamptz`;
  const firstTelemetry = metric.telemetryName
    ? tx`(select min(r.bucket) from public.telemetry_rollups_1h r where r.device_id = s.id and r.metric = ${metric.telemetryName} and r.org_id = ${orgId})`
    : tx`null::timestamptz`;
  const device = { id: tx`s.id`, source: tx`s.source` };
  const points = devicePoints(tx, orgId, metric, device, new Date(now.getTime() - LEVEL_WINDOW_MS), now);
  const hourlyMeans = deviceHourly(tx, orgId, metric, device, since, now);
  const [row] = await tx<{ written: number }[]>`
    with devs as materialized (
      select d.id, case when ${hasTelemetry(tx, orgId, metric, since)} then 'telemetry' else 'shadow_history' end as source
      from public.devices d
      left join public.alert_anomaly_baselines b on b.rule_id = ${ruleId} and b.device_id = d.id
      where ${where}
        and (b.device_id is null or b.metric_key <> ${metric.key} or b.refreshed_at <= ${now}::timestamptz - ${ms(tx, maxAgeMs)})
      order by b.refreshed_at nulls first, d.id
      limit ${batch}
    ), written as (
      insert into public.alert_anomaly_baselines as b (org_id, rule_id, device_id, metric_key, source, points, level, scale, daily_shape, noise,
                                                       interval_seconds, stuck_samples, history_from, history_to, refreshed_at)
      select ${orgId}, ${ruleId}, s.id, ${metric.key}, s.source, st.n, st.level,
             case when st.level is not null then greatest(coalesce(st.mad, 0), coalesce(st.noise, 0), 1e-9, 1e-3 * abs(st.level), coalesce(st.min_step / 2, 0)) end,
             st.shape, st.noise, st.seconds, greatest(${STUCK_MIN_SAMPLES}, 3 * coalesce(st.longest, 1))::int,
             least(case when s.source = 'telemetry' then ${firstTelemetry} else ${firstShadow} end, st.t_min), st.t_max, ${now}
      from devs s
      cross join lateral (
        with pts as materialized (
          select t, v from (${points}) x
        ),
        span as materialized (select min(t) as t_min, max(t) as t_max, count(*)::int as n from pts),
        intervals as materialized (
          select percentile_cont(0.5) within group (order by dt) as seconds
          from (select extract(epoch from t - lag(t) over (order by t))::float8 as dt from pts) q where dt is not null
        ),
        -- The daily cycle: hour-of-day medians of the week's hourly means, centred; only with three days of them.
        means as materialized (select bucket, v from (${hourlyMeans}) x),
        hourly as materialized (
          select (floor(extract(epoch from bucket)::float8 / 3600)::bigint % 24)::int as hour, percentile_cont(0.5) within group (order by v) as m
          from means where (select max(bucket) - min(bucket) from means) >= ${ms(tx, SEASONAL_MIN_MS)}
          group by 1 having count(*) >= 3
        ),
        centre as materialized (select percentile_cont(0.5) within group (order by m) as c, count(*) as hours from hourly),
        cycle as materialized (
          select (select array_agg(h.m - centre.c order by h.hour) from hourly h) as shape from centre where centre.hours = 24
        ),
        -- Kept only when it explains the data: the spread around it is clearly below the flat spread.
        fit0 as materialized (select p.v, p.v - ${shapeAt(tx, tx`c.shape`, tx`(extract(epoch from p.t)::float8 / 3600 - 0.5)`)} as r from pts p, cycle c),
        fit1 as materialized (select percentile_cont(0.5) within group (order by v) as mv, percentile_cont(0.5) within group (order by r) as mr from fit0),
        shapes as materialized (
          select c.shape from cycle c, fit1
          where (select percentile_cont(0.5) within group (order by abs(f.r - fit1.mr)) from fit0 f)
                < 0.8 * (select percentile_cont(0.5) within group (order by abs(f.v - fit1.mv)) from fit0 f)
        ),
        -- The level and spread: the last day, cycle removed.
        y as materialized (select t, v - ${shapeAt(tx, tx`(select shape from shapes)`, hours)} as y from pts),
        lvl as materialized (select percentile_cont(0.5) within group (order by y) as level from y having count(*) >= ${MIN_LEVEL_POINTS}),
        mad as materialized (select 1.4826 * percentile_cont(0.5) within group (order by abs(y.y - lvl.level)) as mad from y, lvl),
        diffs as materialized (select d from (select y - lag(y) over (order by t) as d from y) q where d is not null),
        dmed as materialized (
          select percentile_cont(0.5) within group (order by d) as md, min(abs(d)) filter (where abs(d) > 1e-12) as min_step from diffs having count(*) >= 2
        ),
        noise as materialized (
          select 1.4826 * percentile_cont(0.5) within group (order by abs(diffs.d - dmed.md)) / sqrt(2) as noise, min(dmed.min_step) as min_step from diffs, dmed
        ),
        -- Runs of repeated values (within 5 % of the noise) over the last day: the longest is normal.
        runs as materialized (
          select max(c) as longest from (
            select count(*) as c from (
              select sum(brk) over (order by t) as run from (
                select t, case when abs(v - lag(v) over (order by t)) <= 0.05 * coalesce((select noise from noise), 0) then 0 else 1 end as brk from pts) a) b
            group by run) r
        )
        select span.n, least(span.t_min, (select min(bucket) from means)) as t_min, span.t_max, lvl.level, mad.mad, noise.noise, noise.min_step, shapes.shape, intervals.seconds, runs.longest
        from span left join lvl on true left join mad on true left join noise on true left join shapes on true left join intervals on true left join runs on true
      ) st
      on conflict (rule_id, device_id) do update set
        metric_key = excluded.metric_key, source = excluded.source, points = excluded.points, level = excluded.level, scale = excluded.scale,
        daily_shape = excluded.daily_shape, noise = excluded.noise, interval_seconds = excluded.interval_seconds, stuck_samples = excluded.stuck_samples,
        history_from = excluded.history_from, history_to = excluded.history_to, refreshed_at = excluded.refreshed_at
      returning 1
    )
    select count(*)::int as written from written`;
  return row?.written ?? 0;
}
