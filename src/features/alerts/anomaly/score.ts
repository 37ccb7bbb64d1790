import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import type { Sensitivity } from '../detector/schemas';
import type { AnomalyVerdict } from '../evaluate';
import type { AnomalyPeerMode } from '../schemas';
import { anomalyThresholds, MIN_PEERS, SUSTAIN_WINDOW_MS } from './constants';
import { shapeAt, type MetricHistory } from './history';

type Fragment = postgres.PendingQuery<postgres.Row[]>;

/** How a device is compared with its peers: not at all, per thing group, or per thing type. */
export type PeerMode = AnomalyPeerMode;

export interface ScoreAnomaliesArgs {
  orgId: string;
  ruleId: string;
  metric: MetricHistory;
  where: Fragment;
  now: Date;
  sensitivity: Sensitivity;
  minHistoryHours: number;
  peers: PeerMode;
  /** A point this recent can fire as a spike (so a spike between two evaluations is not missed). */
  pointLookbackMs: number;
  /** Which devices get the recent-points scoring; all of them unless told (the round-1 path). */
  scope?: ScoringScope;
}

/**
 * `all`: every device with a baseline reads its newest points (≈0.2 ms per device). `prefilter`:
 * every device's cached current value (`current`, an expression over `public.devices d`) is scored
 * against its baseline first, with no read of history; only devices whose value is beyond the hold
 * threshold, devices with an open alert of the rule and the devices of this cycle's full-scan batch
 * (`fullScan`) read their newest points. Peers use the newest point where it was read, else the
 * cached value.
 */
export type ScoringScope = { kind: 'all' } | { kind: 'prefilter'; current: Fragment; fullScan: string[] };

/** The newest points read per device: enough for the sustain window and a stuck run, never unbounded. */
const MAX_RECENT_POINTS = 500;
/** Recent points are read from this far back at most. */
const RECENT_HORIZON_MS = 24 * 3_600_000;

interface VerdictRow {
  device_id: string;
  value: number;
  verdict: 'fire' | 'hold';
  kind: string;
  score: number | null;
  expected: number;
  low: number;
  high: number;
  at: Date;
  source: string;
  peer_group: string | null;
  peer_score: number | null;
  peer_median: number | null;
}

const ms = (tx: Tx, value: number) => tx`(${value}::float8 * interval '1 millisecond')`;

/**
 * Scores an anomaly rule's devices against their stored baselines in one statement: only the newest
 * points of each device (the sustain window, or the stuck-run length if longer) are read. A device
 * fires when its newest points leave the band (spike), when the median score of the sustain window
 * stays beyond the sustained threshold (level shift or drift), when it has repeated one value far
 * longer than its history ever did (stuck), or, with peers on, when its value stands out from its
 * group's robust median. Hold (keep a firing alert open) uses HOLD_RATIO of each threshold.
 * Devices without a learned baseline or younger than minHistoryHours get no verdict.
 */
export async function scoreAnomalies(tx: Tx, args: ScoreAnomaliesArgs): Promise<AnomalyVerdict[]> {
  const { orgId, ruleId, metric, where, now, sensitivity, minHistoryHours, peers, pointLookbackMs } = args;
  const limits = anomalyThresholds(sensitivity);
  const horizon = new Date(now.getTime() - RECENT_HORIZON_MS);
  const telemetryRecent = metric.telemetryName
    ? tx`select p.ts as t, p.value as v from public.telemetry_points p
         where b.source = 'telemetry' and p.org_id = ${orgId} and p.device_id = b.device_id and p.metric = ${metric.telemetryName}
           and p.ts > ${horizon} and p.ts <= ${now}
         order by p.ts desc limit b.wanted`
    : tx`select null::timestamptz as t, null::float8 as v where false`;
  const shadowRecent = metric.shadowPath
    ? tx`select q.t, q.v from (
           select coalesce(h.reported_at, h.observed_at) as t, (jsonb_path_query_first(h.reported, ${metric.shadowPath}::jsonpath))::float8 as v
           from public.device_shadow_history h
           where b.source = 'shadow_history' and h.org_id = ${orgId} and h.device_id = b.device_id
             and coalesce(h.reported_at, h.observed_at) > ${horizon} and coalesce(h.reported_at, h.observed_at) <= ${now}
           order by 1 desc) q
         where q.v is not null limit b.wanted`
    : tx`select null::timestamptz as t, null::float8 as v where false`;
  const peerKeys =
    peers === 'group' ? tx`select unnest(b.groups) as key` : peers === 'thing_type' ? tx`select b.thing_type as key where b.thing_type is not null` : tx`select null::text as key where false`;

  const scope = args.scope ?? { kind: 'all' };
  const current = scope.kind === 'prefilter' ? scope.current : tx`null::float8`;
  const selected =
    scope.kind === 'prefilter'
      ? tx`abs(base.cur_z) >= ${limits.holdPoint} or base.device_id = any(${scope.fullScan}::uuid[])
           or exists (select 1 from public.alerts a where a.rule_id = ${ruleId} and a.device_id = base.device_id and a.state <> 'resolved')`
      : tx`true`;

  const rows = await tx<VerdictRow[]>`
    with base as materialized (
      select b.device_id, b.source, b.level, b.scale, b.daily_shape, b.noise, b.stuck_samples, d.thing_type, d.groups,
             w.window_ms, cur.v as cur_v,
             (cur.v - ${shapeAt(tx, tx`b.daily_shape`, tx`(extract(epoch from ${now}::timestamptz)::float8 / 3600 - 0.5)`)} - b.level) / b.scale as cur_z,
             least(${MAX_RECENT_POINTS}, greatest(b.stuck_samples, ceil(w.window_ms / greatest(coalesce(b.interval_seconds, 60) * 1000, 1000))::int + 2)) as wanted
      from public.alert_anomaly_baselines b
      join public.devices d on d.id = b.device_id and d.org_id = b.org_id
      cross join lateral (select greatest(${SUSTAIN_WINDOW_MS}::float8, 8000 * coalesce(b.interval_seconds, 0)) as window_ms) w
      cross join lateral (select ${current} as v) cur
      where b.org_id = ${orgId} and b.rule_id = ${ruleId} and b.metric_key = ${metric.key} and b.level is not null
        and b.history_from <= ${now}::timestamptz - ${minHistoryHours}::int * interval '1 hour'
        and ${where}
    ),
    -- Peers on the cached values: a device standing out from its group is read in full too.
    pre_members as (
      select b.device_id, k.key, b.cur_v as v from base b cross join lateral (${peerKeys}) k where b.cur_v is not null
    ),
    pre_spreads as (
      select key, percentile_cont(0.5) within group (order by v) as m from pre_members group by key having count(*) >= ${MIN_PEERS}
    ),
    pre_scale as (
      select s.key, s.m, coalesce(nullif(1.4826 * percentile_cont(0.5) within group (order by abs(x.v - s.m)), 0), 1.2533 * avg(abs(x.v - s.m))) as spread
      from pre_members x join pre_spreads s using (key) group by s.key, s.m
    ),
    pre_peer as (
      select distinct x.device_id from pre_members x join pre_scale s using (key)
      where s.spread > 0 and abs(x.v - s.m) / s.spread >= ${limits.holdPoint}
    ),
    -- The devices whose newest points are read (all of them on the round-1 path).
    b as materialized (select * from base where ${selected} or base.device_id in (select device_id from pre_peer)),
    z as materialized (
      select b.device_id, r.t, r.v,
             (r.v - ${shapeAt(tx, tx`b.daily_shape`, tx`(extract(epoch from r.t)::float8 / 3600 - 0.5)`)} - b.level) / b.scale as z
      from b cross join lateral (select * from (${telemetryRecent}) t1 union all select * from (${shadowRecent}) t2) r
    ),
    newest as (
      select distinct on (z.device_id) z.device_id, z.t, z.v, z.z from z order by z.device_id, z.t desc
    ),
    agg as (
      select z.device_id,
             percentile_cont(0.5) within group (order by z.z) filter (where z.t > ${now}::timestamptz - b.window_ms * interval '1 millisecond') as z_sus,
             count(*) filter (where z.t > ${now}::timestamptz - b.window_ms * interval '1 millisecond') as n_sus,
             (array_agg(z.z order by abs(z.z) desc) filter (where z.t > ${now}::timestamptz - ${ms(tx, pointLookbackMs)}))[1] as z_peak,
             (array_agg(z.t order by abs(z.z) desc) filter (where z.t > ${now}::timestamptz - ${ms(tx, pointLookbackMs)}))[1] as t_peak,
             max(z.t) filter (where abs(z.v - n.v) > 0.05 * coalesce(b.noise, 0)) as last_differs
      from z join b using (device_id) join newest n using (device_id)
      group by z.device_id
    ),
    runs as (
      select a.device_id, count(*) filter (where z.t > coalesce(a.last_differs, '-infinity'::timestamptz)) as run_len
      from agg a join z using (device_id) group by a.device_id
    ),
    -- Peers: the newest value of every fresh device, per group (or thing type) of at least MIN_PEERS.
    members as (
      select n.device_id, k.key, n.v
      from newest n join b using (device_id) cross join lateral (${peerKeys}) k
      where n.t > ${now}::timestamptz - b.window_ms * interval '1 millisecond'
      union all
      select b.device_id, k.key, b.cur_v as v
      from base b cross join lateral (${peerKeys}) k
      where b.cur_v is not null and not exists (select 1 from newest n where n.device_id = b.device_id)
    ),
    centres as (
      select key, percentile_cont(0.5) within group (order by v) as m from members group by key having count(*) >= ${MIN_PEERS}
    ),
    spreads as (
      select c.key, c.m, 1.4826 * percentile_cont(0.5) within group (order by abs(x.v - c.m)) as mad, 1.2533 * avg(abs(x.v - c.m)) as mean_dev
      from members x join centres c using (key) group by c.key, c.m
    ),
    peer_scores as (
      select distinct on (x.device_id) x.device_id, x.key, s.m, (x.v - s.m) / (case when s.mad > 0 then s.mad else s.mean_dev end) as z
      from members x join spreads s using (key)
      where s.mad > 0 or s.mean_dev > 0
      order by x.device_id, abs((x.v - s.m) / (case when s.mad > 0 then s.mad else s.mean_dev end)) desc
    ),
    judged as (
      select n.device_id, n.v, n.t, b.source, b.level, b.scale, b.daily_shape,
             coalesce(a.z_peak, n.z) as z_point, coalesce(a.t_peak, n.t) as t_point, n.z as z_last, a.z_sus, a.n_sus, r.run_len, b.stuck_samples,
             ps.key as peer_group, ps.z as peer_z, ps.m as peer_median,
             abs(coalesce(a.z_peak, n.z)) >= ${limits.point} as fire_spike,
             (a.n_sus >= 3 and abs(a.z_sus) >= ${limits.sustained} and n.z * a.z_sus > 0 and abs(n.z) >= 1) as fire_shift,
             r.run_len >= b.stuck_samples as fire_stuck,
             coalesce(abs(ps.z) >= ${limits.point}, false) as fire_peer,
             (abs(n.z) >= ${limits.holdPoint} or (a.n_sus >= 3 and abs(a.z_sus) >= ${limits.holdSustained}) or coalesce(abs(ps.z) >= ${limits.holdPoint}, false)) as hold
      from newest n
      join b using (device_id)
      join agg a using (device_id)
      join runs r using (device_id)
      left join peer_scores ps using (device_id)
      where n.t > ${now}::timestamptz - b.window_ms * interval '1 millisecond'
    )
    select j.device_id, j.v as value,
           case when j.fire_spike or j.fire_shift or j.fire_stuck or j.fire_peer then 'fire' else 'hold' end as verdict,
           case when j.fire_stuck then 'stuck' when j.fire_shift then 'level_shift' when j.fire_spike then 'spike' when j.fire_peer then 'peer'
                when abs(j.z_last) >= ${limits.holdPoint} then 'spike' when j.n_sus >= 3 and abs(j.z_sus) >= ${limits.holdSustained} then 'level_shift' else 'peer' end as kind,
           round(j.z_point::numeric, 2)::float8 as score,
           e.expected, e.expected - ${limits.point} * j.scale as low, e.expected + ${limits.point} * j.scale as high,
           case when j.fire_spike then j.t_point else j.t end as at, j.source,
           j.peer_group, round(j.peer_z::numeric, 2)::float8 as peer_score, j.peer_median
    from judged j
    cross join lateral (select j.level + ${shapeAt(tx, tx`j.daily_shape`, tx`(extract(epoch from j.t)::float8 / 3600 - 0.5)`)} as expected) e
    where j.fire_spike or j.fire_shift or j.fire_stuck or j.fire_peer or j.hold`;

  return rows.map((r) => ({
    deviceId: r.device_id,
    value: r.value,
    verdict: r.verdict,
    details: {
      anomaly: r.kind,
      score: r.score,
      expected: round(r.expected),
      expectedLow: round(r.low),
      expectedHigh: round(r.high),
      at: new Date(r.at).toISOString(),
      source: r.source,
      ...(r.peer_group !== null ? { peerGroup: r.peer_group, peerScore: r.peer_score, peerMedian: round(r.peer_median ?? 0) } : {}),
    },
  }));
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
