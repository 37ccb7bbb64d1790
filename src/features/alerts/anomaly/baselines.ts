import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { LEVEL_WINDOW_MS, MIN_LEVEL_POINTS, PROFILE_WINDOW_MS, SEASONAL_MIN_MS, STUCK_MIN_SAMPLES } from './constants';
import { hasTelemetry, historyPoints, shapeAt, type MetricHistory } from './history';

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
 * the whole batch (no loop per device): the detector's model, set-based. From the last week of
 * history, the daily cycle (hour-of-day medians, kept only when at least three days exist and it
 * clearly narrows the spread); from the last day with the cycle removed, the level (median) and the
 * spread (the largest of the scaled MAD, the successive-difference noise and a floor); the longest
 * run of repeated values (a stuck sensor must repeat for three times as long); the first point ever
 * (minimum history). A device without enough points gets a row without a level, retried when due.
 * Returns how many baselines were written.
 */
export async function refreshBaselines(tx: Tx, args: RefreshBaselinesArgs): Promise<number> {
  const { orgId, ruleId, metric, where, now, batch, maxAgeMs } = args;
  const since = new Date(now.getTime() - PROFILE_WINDOW_MS);
  const hours = tx`(extract(epoch from p.t)::float8 / 3600 - 0.5)`;
  const firstShadow = metric.shadowPath
    ? tx`(select min(coalesce(h.reported_at, h.observed_at)) from public.device_shadow_history h
          where h.org_id = ${orgId} and h.device_id = s.id and jsonb_path_exists(h.reported, ${metric.shadowPath}::jsonpath))`
    : tx`null::timestamptz`;
  const firstTelemetry = metric.telemetryName
    ? tx`(select min(r.bucket) from public.telemetry_rollups_1h r where r.device_id = s.id and r.metric = ${metric.telemetryName} and r.org_id = ${orgId})`
    : tx`null::timestamptz`;
  const [row] = await tx<{ written: number }[]>`
    with devs as materialized (
      select d.id, case when ${hasTelemetry(tx, orgId, metric, since)} then 'telemetry' else 'shadow_history' end as source
      from public.devices d
      left join public.alert_anomaly_baselines b on b.rule_id = ${ruleId} and b.device_id = d.id
      where ${where}
        and (b.device_id is null or b.metric_key <> ${metric.key} or b.refreshed_at <= ${now}::timestamptz - ${ms(tx, maxAgeMs)})
      order by b.refreshed_at nulls first, d.id
      limit ${batch}
    ),
    pts as materialized (
      select x.device_id, x.t, x.v from (${historyPoints(tx, orgId, metric, tx`devs`, since, now)}) x
    ),
    span as (
      select device_id, min(t) as t_min, max(t) as t_max, count(*)::int as n from pts group by device_id
    ),
    intervals as (
      select device_id, percentile_cont(0.5) within group (order by dt) as seconds
      from (select device_id, extract(epoch from t - lag(t) over (partition by device_id order by t))::float8 as dt from pts) q
      where dt is not null group by device_id
    ),
    -- The daily cycle: hour-of-day medians over the week, centred, for devices with enough span.
    hourly as (
      select p.device_id, (floor(extract(epoch from p.t)::float8 / 3600)::bigint % 24)::int as hour, percentile_cont(0.5) within group (order by p.v) as m
      from pts p join span s using (device_id)
      where s.t_max - s.t_min >= ${ms(tx, SEASONAL_MIN_MS)}
      group by 1, 2 having count(*) >= 3
    ),
    centred as (
      select device_id, array_agg(m order by hour) as medians, percentile_cont(0.5) within group (order by m) as center
      from hourly group by device_id having count(*) = 24
    ),
    cycle as (
      select c.device_id, (select array_agg(u - c.center order by i) from unnest(c.medians) with ordinality as x(u, i)) as shape from centred c
    ),
    -- Kept only when it explains the data: the spread around it is clearly below the flat spread.
    fit0 as (
      select p.device_id, p.v, p.v - ${shapeAt(tx, tx`c.shape`, hours)} as r from pts p join cycle c using (device_id)
    ),
    fit1 as (
      select device_id, percentile_cont(0.5) within group (order by v) as mv, percentile_cont(0.5) within group (order by r) as mr
      from fit0 group by device_id
    ),
    shapes as (
      select c.device_id, c.shape from cycle c
      join (select f.device_id, percentile_cont(0.5) within group (order by abs(f.v - m.mv)) as mad_v,
                   percentile_cont(0.5) within group (order by abs(f.r - m.mr)) as mad_r
            from fit0 f join fit1 m using (device_id) group by f.device_id) q using (device_id)
      where q.mad_r < 0.8 * q.mad_v
    ),
    -- The level and spread: the last day, cycle removed.
    y as (
      select p.device_id, p.t, p.v - ${shapeAt(tx, tx`sh.shape`, hours)} as y
      from pts p left join shapes sh using (device_id)
      where p.t >= ${now}::timestamptz - ${ms(tx, LEVEL_WINDOW_MS)}
    ),
    lvl as (
      select device_id, percentile_cont(0.5) within group (order by y) as level from y group by device_id having count(*) >= ${MIN_LEVEL_POINTS}
    ),
    mad as (
      select y.device_id, 1.4826 * percentile_cont(0.5) within group (order by abs(y.y - l.level)) as mad from y join lvl l using (device_id) group by y.device_id
    ),
    diffs as (
      select device_id, d from (select device_id, y - lag(y) over (partition by device_id order by t) as d from y) q where d is not null
    ),
    dmed as (
      select device_id, percentile_cont(0.5) within group (order by d) as md, min(abs(d)) filter (where abs(d) > 1e-12) as min_step
      from diffs group by device_id having count(*) >= 2
    ),
    noise as (
      select x.device_id, 1.4826 * percentile_cont(0.5) within group (order by abs(x.d - m.md)) / sqrt(2) as noise, min(m.min_step) as min_step
      from diffs x join dmed m using (device_id) group by x.device_id
    ),
    -- Runs of repeated values (within 5 % of the noise) over the week: the longest is normal.
    breaks as (
      select p.device_id, p.t, case when abs(p.v - lag(p.v) over (partition by p.device_id order by p.t)) <= 0.05 * coalesce(n.noise, 0) then 0 else 1 end as brk
      from pts p left join noise n using (device_id)
    ),
    runs as (
      select device_id, max(c) as longest
      from (select device_id, run, count(*) as c
            from (select device_id, sum(brk) over (partition by device_id order by t) as run from breaks) q group by device_id, run) r
      group by device_id
    ), written as (
    insert into public.alert_anomaly_baselines as b (org_id, rule_id, device_id, metric_key, source, points, level, scale, daily_shape, noise,
                                                     interval_seconds, stuck_samples, history_from, history_to, refreshed_at)
    select ${orgId}, ${ruleId}, s.id, ${metric.key}, s.source, coalesce(sp.n, 0), l.level,
           case when l.level is not null then greatest(coalesce(m.mad, 0), coalesce(n.noise, 0), 1e-9, 1e-3 * abs(l.level), coalesce(n.min_step / 2, 0)) end,
           sh.shape, n.noise, i.seconds, greatest(${STUCK_MIN_SAMPLES}, 3 * coalesce(ru.longest, 1))::int,
           least(case when s.source = 'telemetry' then ${firstTelemetry} else ${firstShadow} end, sp.t_min), sp.t_max, ${now}
    from devs s
    left join span sp on sp.device_id = s.id
    left join lvl l on l.device_id = s.id
    left join mad m on m.device_id = s.id
    left join noise n on n.device_id = s.id
    left join shapes sh on sh.device_id = s.id
    left join intervals i on i.device_id = s.id
    left join runs ru on ru.device_id = s.id
    on conflict (rule_id, device_id) do update set
      metric_key = excluded.metric_key, source = excluded.source, points = excluded.points, level = excluded.level, scale = excluded.scale,
      daily_shape = excluded.daily_shape, noise = excluded.noise, interval_seconds = excluded.interval_seconds, stuck_samples = excluded.stuck_samples,
      history_from = excluded.history_from, history_to = excluded.history_to, refreshed_at = excluded.refreshed_at
    returning 1
    )
    select count(*)::int as written from written`;
  return row?.written ?? 0;
}
