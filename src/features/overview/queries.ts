import type { Sql, Tx } from '@/lib/db';
import type { DeviceFilter } from '@/features/devices/filters';
import {
  BATTERY_BUCKETS,
  LOW_BATTERY_PERCENT,
  OVERVIEW_LIMITS,
  SIGNAL_BUCKETS,
  type ActiveOtaJob,
  type Distribution,
  type FleetOverview,
  type GroupDistribution,
  type Histogram,
  type RecentCommand,
} from './model';

/**
 * The organization overview in a few statements sent together (postgres.js pipelines them on the
 * transaction's connection): every device aggregate in one pass over the live devices, the active
 * OTA jobs, the newest commands and the database clock. Callers run it inside asUser (RLS applies).
 */

type Facet = 'status' | 'battery' | 'signal' | 'type' | 'firmware' | 'group';

interface FacetRow {
  facet: Facet;
  kind: 'top' | 'other' | 'missing';
  key: string | null;
  n: number;
  kinds: number;
}

/**
 * One scan of the org's live devices. Grouping sets build four hash tables in that single pass:
 * status × battery bucket × signal bucket (at most 4 × 11 × 8 keys), thing type, firmware and the
 * group list; the outer levels split them into facets, unnest group lists and keep the top N.
 */
function deviceFacets(db: Sql | Tx, orgId: string) {
  return db<FacetRow[]>`
    with live as (
      select d.status, d.thing_type, d.firmware_version, d.groups,
             -- greatest/least ignore nulls, so a missing reading must stay null explicitly.
             case when d.battery is not null then least(greatest(width_bucket(d.battery, 0, 100, 10), 1), 10) end as battery_bucket,
             case when d.rssi is not null then least(greatest(width_bucket(d.rssi, -100, -30, 7), 1), 7) end as signal_bucket
      from public.devices d
      where d.org_id = ${orgId} and d.removed_at is null
    ), sets as (
      select grouping(status, battery_bucket, signal_bucket) = 0 as health,
             grouping(thing_type) = 0 as by_type,
             grouping(firmware_version) = 0 as by_firmware,
             grouping(groups) = 0 as by_groups,
             status, battery_bucket, signal_bucket, thing_type, firmware_version, groups, count(*)::int as n
      from live
      group by grouping sets ((status, battery_bucket, signal_bucket), (thing_type), (firmware_version), (groups))
    ), facets as (
      select 'status' as facet, status::text as key, sum(n) as n from sets where health group by status
      union all
      select 'battery', battery_bucket::text, sum(n) from sets where health group by battery_bucket
      union all
      select 'signal', signal_bucket::text, sum(n) from sets where health group by signal_bucket
      union all
      select 'type', thing_type, n from sets where by_type
      union all
      select 'firmware', firmware_version, n from sets where by_firmware
      union all
      select 'group', g.name, sum(s.n)
      from sets s cross join lateral unnest(case when s.groups = '{}' then array[null::text] else s.groups end) as g(name)
      where s.by_groups
      group by g.name
    ), ranked as (
      select facet, key, n,
             row_number() over (partition by facet order by key is null, n desc, key) as rank,
             case facet when 'type' then ${OVERVIEW_LIMITS.types}::int
                        when 'firmware' then ${OVERVIEW_LIMITS.firmware}::int
                        when 'group' then ${OVERVIEW_LIMITS.groups}::int
                        else 100 end as shown
      from facets
    ), classified as (
      select facet, n, rank,
             case when key is null then 'missing' when rank <= shown then 'top' else 'other' end as kind,
             case when key is not null and rank <= shown then key end as top_key
      from ranked
    )
    select facet, kind, top_key as key, sum(n)::int as n, count(*)::int as kinds
    from classified
    group by facet, kind, top_key
    order by facet, min(rank)`;
}

interface JobRow {
  id: string;
  job_id: string;
  status: 'IN_PROGRESS' | 'SCHEDULED';
  description: string | null;
  queued_count: number;
  in_progress_count: number;
  succeeded_count: number;
  failed_count: number;
  rejected_count: number;
  canceled_count: number;
  removed_count: number;
  timed_out_count: number;
  last_updated_at_aws: Date | null;
  active: number;
}

function activeJobs(db: Sql | Tx, orgId: string) {
  return db<JobRow[]>`
    select j.id, j.job_id, j.status, j.description, j.queued_count, j.in_progress_count, j.succeeded_count, j.failed_count,
           j.rejected_count, j.canceled_count, j.removed_count, j.timed_out_count, j.last_updated_at_aws,
           count(*) over ()::int as active
    from public.ota_jobs j
    where j.org_id = ${orgId} and j.status in ('IN_PROGRESS', 'SCHEDULED')
    order by j.status = 'IN_PROGRESS' desc, j.last_updated_at_aws desc nulls last, j.job_id
    limit ${OVERVIEW_LIMITS.jobs}`;
}

interface CommandRow {
  id: string;
  device_id: string;
  device_name: string;
  status: RecentCommand['status'];
  shadow_name: string | null;
  desired_keys: string[];
  error: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

function recentCommands(db: Sql | Tx, orgId: string) {
  return db<CommandRow[]>`
    select c.id, c.device_id, coalesce(d.display_name, d.thing_name) as device_name, c.status, c.shadow_name,
           array(select k from jsonb_object_keys(c.desired) as k order by k limit 4) as desired_keys,
           left(c.error, 300) as error, c.created_at, c.resolved_at
    from public.device_commands c
    join public.devices d on d.id = c.device_id and d.org_id = c.org_id
    where c.org_id = ${orgId}
    order by c.created_at desc, c.id
    limit ${OVERVIEW_LIMITS.commands}`;
}

const EMPTY_COUNTS = { online: 0, offline: 0, stale: 0, unknown: 0 };

function distribution(rows: FacetRow[], filterFor: (key: string) => DeviceFilter): Distribution {
  const items = rows.filter((r) => r.kind === 'top').map((r) => ({ key: r.key!, label: r.key!, count: r.n, filter: filterFor(r.key!) }));
  const other = rows.find((r) => r.kind === 'other');
  const missing = rows.find((r) => r.kind === 'missing');
  return {
    items,
    other: other ? { count: other.n, kinds: other.kinds } : null,
    missing: missing?.n ?? 0,
    total: rows.reduce((sum, r) => sum + r.n, 0),
  };
}

function groupDistribution(rows: FacetRow[]): GroupDistribution {
  return {
    items: rows.filter((r) => r.kind === 'top').map((r) => ({ key: r.key!, label: r.key!, count: r.n, filter: { group: r.key! } })),
    moreGroups: rows.find((r) => r.kind === 'other')?.kinds ?? 0,
    ungrouped: rows.find((r) => r.kind === 'missing')?.n ?? 0,
  };
}

function histogram(
  rows: FacetRow[],
  buckets: typeof BATTERY_BUCKETS | typeof SIGNAL_BUCKETS,
  filterFor: (bucket: { from: number; to: number }) => DeviceFilter | null,
): Histogram {
  const counts = new Map(rows.filter((r) => r.kind === 'top').map((r) => [Number(r.key), r.n]));
  return {
    buckets: buckets.map((b, i) => ({ ...b, count: counts.get(i + 1) ?? 0, filter: filterFor(b) })),
    missing: rows.find((r) => r.kind === 'missing')?.n ?? 0,
  };
}

/** The statements behind the overview, unexecuted (postgres.js queries run when awaited), for EXPLAIN in the benchmark. */
export const overviewStatements = { deviceFacets, activeJobs, recentCommands };

export async function getFleetOverview(db: Sql | Tx, orgId: string): Promise<FleetOverview> {
  const [facetRows, jobRows, commandRows, [clock]] = await Promise.all([
    deviceFacets(db, orgId),
    activeJobs(db, orgId),
    recentCommands(db, orgId),
    db<{ now: Date }[]>`select now() as now`,
  ]);
  const of = (facet: Facet) => facetRows.filter((r) => r.facet === facet);

  const byStatus = { ...EMPTY_COUNTS };
  for (const r of of('status')) byStatus[r.key as keyof typeof EMPTY_COUNTS] = r.n;
  const battery = histogram(of('battery'), BATTERY_BUCKETS, (b) => ({ batteryBelow: b.to }));

  const jobs: ActiveOtaJob[] = jobRows.map((j) => {
    const counts = {
      queued: j.queued_count,
      inProgress: j.in_progress_count,
      succeeded: j.succeeded_count,
      failed: j.failed_count,
      rejected: j.rejected_count,
      canceled: j.canceled_count,
      removed: j.removed_count,
      timedOut: j.timed_out_count,
    };
    return {
      id: j.id,
      jobId: j.job_id,
      status: j.status,
      description: j.description,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      lastUpdatedAt: j.last_updated_at_aws?.toISOString() ?? null,
    };
  });

  return {
    generatedAt: clock!.now.toISOString(),
    devices: { total: byStatus.online + byStatus.offline + byStatus.stale + byStatus.unknown, ...byStatus },
    lowBattery: {
      threshold: LOW_BATTERY_PERCENT,
      count: battery.buckets.filter((b) => b.to <= LOW_BATTERY_PERCENT).reduce((sum, b) => sum + b.count, 0),
    },
    firmware: distribution(of('firmware'), (firmware) => ({ firmware })),
    thingTypes: distribution(of('type'), (type) => ({ type })),
    groups: groupDistribution(of('group')),
    battery,
    signal: histogram(of('signal'), SIGNAL_BUCKETS, () => null),
    otaJobs: { active: jobRows[0]?.active ?? 0, items: jobs },
    commands: commandRows.map((c) => ({
      id: c.id,
      deviceId: c.device_id,
      deviceName: c.device_name,
      status: c.status,
      shadowName: c.shadow_name,
      desiredKeys: c.desired_keys,
      error: c.error,
      createdAt: c.created_at.toISOString(),
      resolvedAt: c.resolved_at?.toISOString() ?? null,
    })),
  };
}
