import type { Tx } from '@/lib/db';

/**
 * Writes to Fleetline's time-series store (issue 13). One writer for the raw points and every rollup
 * table: a batch is one statement whose CTEs insert the points (a retried point is skipped by the
 * primary key) and merge exactly the points that went in into the 5-minute and 1-hour rollups, per
 * device and per fleet (integration), so rollups never drift from the raw rows. Validation (known device, limits, time window) is the
 * ingest's; this module only refuses what is not of the right type.
 */

export interface TelemetryPoint {
  orgId: string;
  integrationId: string;
  deviceId: string;
  metric: string;
  ts: Date;
  value: number;
}

export const STORE_METRIC_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

export class TelemetryPointTypeError extends TypeError {
  override name = 'TelemetryPointTypeError';
}

function check(point: TelemetryPoint, index: number): number {
  const bad = (what: string) => new TelemetryPointTypeError(`telemetry point ${index}: ${what}`);
  if (!UUID.test(point.orgId) || !UUID.test(point.integrationId) || !UUID.test(point.deviceId)) throw bad('ids must be UUIDs');
  if (typeof point.metric !== 'string' || !STORE_METRIC_PATTERN.test(point.metric)) throw bad('metric name does not match the pattern');
  if (typeof point.value !== 'number' || !Number.isFinite(point.value)) throw bad('value must be a finite number');
  const ms = point.ts instanceof Date ? point.ts.getTime() : NaN;
  if (!Number.isFinite(ms)) throw bad('ts must be a valid Date');
  return ms;
}

/** Throws TelemetryPointTypeError for the first point of the wrong type (the writer checks the same). */
export function checkTelemetryPoints(points: readonly TelemetryPoint[]): void {
  points.forEach((p, i) => check(p, i));
}

/**
 * Days (UTC, as epoch-day numbers) known to have a partition, with when that knowledge expires. Saves
 * a round trip per batch; retention only drops days far older than anything the ingest accepts.
 */
const knownDays = new Map<number, number>();
const KNOWN_DAY_TTL_MS = 10 * 60_000;

// Normally a no-op: the worker creates partitions a week ahead. Creating one here locks the parent
// until the caller commits, so this is only the fallback for a day maintenance has not reached.
async function ensureDays(db: Tx, days: Set<number>): Promise<void> {
  const now = Date.now();
  const missing = [...days].filter((d) => (knownDays.get(d) ?? 0) < now);
  if (missing.length === 0) return;
  missing.sort((a, b) => a - b);
  const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  // One call per run of consecutive days (a batch normally spans one or two).
  for (let i = 0; i < missing.length; ) {
    let j = i;
    while (j + 1 < missing.length && missing[j + 1]! - missing[j]! === 1) j++;
    await db`select private.ensure_telemetry_partitions_between(${iso(missing[i]!)}::date, ${iso(missing[j]!)}::date)`;
    for (let d = missing[i]!; d <= missing[j]!; d++) knownDays.set(d, now + KNOWN_DAY_TTL_MS);
    i = j + 1;
  }
}

/** Forget which partitions exist (after retention dropped some in this process, and in tests). */
export function forgetKnownPartitions(): void {
  knownDays.clear();
}

/**
 * Stores a batch and keeps every rollup up to date in the same transaction (db: a service-role
 * transaction). `written` counts the points inserted; points already stored (same device, metric
 * and time) are skipped, so a retried batch neither duplicates rows nor double-counts rollups.
 * Within a batch, the first of several points with the same key wins.
 */
export async function writeTelemetryPoints(db: Tx, points: TelemetryPoint[]): Promise<{ written: number }> {
  const { written } = await writeTelemetryGroups(db, [points]);
  return { written: written[0]! };
}

/**
 * The rollup upserts of every rollup table (device and fleet, 5 minutes and 1 hour), from the rows
 * of a CTE named `ins` (org_id, integration_id, device_id, metric, ts, value): the inline writer's
 * inserted rows, or the rows a fold takes from the rollup queue. Rows go in in key order, so
 * concurrent statements touching the same keys lock them in the same order (no deadlock).
 */
function rollupUpsert(cte: string, table: string, width: string, perDevice: boolean): string {
  const subject = perDevice ? 'device_id' : 'integration_id';
  const columns = perDevice ? 'org_id, integration_id, device_id, metric' : 'org_id, integration_id, metric';
  const groupBy = perDevice ? '1, 2, 3, 4, 5 order by 3, 4, 5' : '1, 2, 3, 4 order by 2, 3, 4';
  return `
    ${cte} as (
      insert into public.${table} as r (${columns}, bucket, min, max, sum, count)
      select ${columns}, date_bin(interval '${width}', ts, timestamptz 'epoch'),
             min(value), max(value), sum(value), count(*)
      from ins group by ${groupBy}
      on conflict (${subject}, metric, bucket) do update
        set min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
            sum = r.sum + excluded.sum, count = r.count + excluded.count
      returning 1
    )`;
}

const ROLLUP_CTES = [
  rollupUpsert('r5', 'telemetry_rollups_5m', '5 minutes', true),
  rollupUpsert('r1', 'telemetry_rollups_1h', '1 hour', true),
  rollupUpsert('f5', 'telemetry_fleet_rollups_5m', '5 minutes', false),
  rollupUpsert('f1', 'telemetry_fleet_rollups_1h', '1 hour', false),
].join(',');

export interface WriteOptions {
  /**
   * 'inline' (default): rollups in the same statement as the raw rows. 'queued': only the raw rows,
   * plus one row of arrays in private.telemetry_rollup_queue holding exactly the points that went in,
   * in the same transaction; `foldQueuedRollups` merges them into the rollups later. The caller is
   * acknowledged after the raw write; a fold that did not run (crash) runs on the next start.
   */
  rollups?: 'inline' | 'queued';
}

/**
 * Several callers' batches in one statement (the write combiner's flush): `written[i]` is how many
 * of `groups[i]` went in. Groups are concatenated in order, so on a key repeated across groups the
 * earlier group's point wins.
 */
export async function writeTelemetryGroups(
  db: Tx,
  groups: readonly (readonly TelemetryPoint[])[],
  options: WriteOptions = {},
): Promise<{ written: number[] }> {
  const n = groups.reduce((sum, g) => sum + g.length, 0);
  const written = groups.map(() => 0);
  if (n === 0) return { written };
  const orgIds = new Array<string>(n);
  const integrationIds = new Array<string>(n);
  const deviceIds = new Array<string>(n);
  const metrics = new Array<string>(n);
  const times = new Array<string>(n);
  const values = new Array<number>(n);
  const owners = new Array<number>(n);
  const days = new Set<number>();
  let i = 0;
  for (const [g, group] of groups.entries()) {
    for (const p of group) {
      const ms = check(p, i);
      orgIds[i] = p.orgId;
      integrationIds[i] = p.integrationId;
      deviceIds[i] = p.deviceId;
      metrics[i] = p.metric;
      times[i] = p.ts.toISOString();
      values[i] = p.value;
      owners[i] = g;
      days.add(Math.floor(ms / DAY_MS));
      i++;
    }
  }
  await ensureDays(db, days);
  // Either the rollups themselves or the queue row they are folded from later, from the same inserted rows.
  const follow =
    options.rollups === 'queued'
      ? db`queued as (
          insert into private.telemetry_rollup_queue (org_ids, integration_ids, device_ids, metrics, ts, values)
          select array_agg(org_id), array_agg(integration_id), array_agg(device_id), array_agg(metric), array_agg(ts), array_agg(value)
          from ins having count(*) > 0
          returning 1
        )`
      : db.unsafe(ROLLUP_CTES);
  // Arrays + unnest: seven parameters whatever the batch size.
  const rows = await db<{ owner: number; written: number }[]>`
    with input as (
      select * from unnest(${orgIds}::uuid[], ${integrationIds}::uuid[], ${deviceIds}::uuid[], ${metrics}::text[],
                           ${times}::timestamptz[], ${values}::float8[], ${owners}::int[]) with ordinality
        as t(org_id, integration_id, device_id, metric, ts, value, owner, ord)
    ),
    first as (
      -- A key repeated within the statement: only its first point is offered (on conflict cannot
      -- affect one row twice, and do nothing would keep whichever came first anyway).
      select distinct on (device_id, metric, ts) * from input order by device_id, metric, ts, ord
    ),
    ins as (
      insert into public.telemetry_points (org_id, integration_id, device_id, ts, value, metric)
      select org_id, integration_id, device_id, ts, value, metric from first order by device_id, metric, ts
      on conflict (device_id, metric, ts) do nothing
      returning org_id, integration_id, device_id, metric, ts, value
    ),
    ${follow}
    select f.owner, count(*)::int as written
    from ins join first f using (device_id, metric, ts)
    group by f.owner`;
  for (const r of rows) written[r.owner] = r.written;
  return { written };
}

/**
 * Merges up to `maxBatches` queued batches (oldest first) into the rollups and deletes them, in one
 * statement: a batch is folded exactly once, even with several processes folding (skip locked).
 * Returns how many points were folded and whether batches were left.
 */
export async function foldQueuedRollups(db: Tx, maxBatches = 200): Promise<{ batches: number; points: number }> {
  const [row] = await db<{ batches: number; points: number }[]>`
    with taken as (
      delete from private.telemetry_rollup_queue
      where id in (select id from private.telemetry_rollup_queue order by id limit ${maxBatches} for update skip locked)
      returning org_ids, integration_ids, device_ids, metrics, ts, values
    ),
    ins as (
      select u.* from taken,
        unnest(taken.org_ids, taken.integration_ids, taken.device_ids, taken.metrics, taken.ts, taken.values)
          as u(org_id, integration_id, device_id, metric, ts, value)
      -- An organization deleted meanwhile took its telemetry with it: no rollups for it.
      where exists (select 1 from public.organizations o where o.id = u.org_id)
    ),
    ${db.unsafe(ROLLUP_CTES)}
    select (select count(*) from taken)::int as batches, (select count(*) from ins)::int as points`;
  return row!;
}

/** Creates the partitions from yesterday through `daysAhead` days ahead (the maintenance job). */
export async function ensurePartitions(db: Tx, daysAhead = 7): Promise<{ created: number }> {
  const [row] = await db<{ created: number }[]>`select private.ensure_telemetry_partitions(${daysAhead}::int) as created`;
  return { created: row?.created ?? 0 };
}

export interface RetentionResult {
  droppedPartitions: string[];
  rawRowsDeleted: number;
  longestRetentionDays: number;
}

/** Drops raw partitions past every organization's retention (trimming shorter ones) and rollup partitions past theirs. */
export async function applyRetention(db: Tx, now: Date = new Date()): Promise<RetentionResult> {
  const [row] = await db<{ result: RetentionResult }[]>`select private.apply_telemetry_retention(${now.toISOString()}::timestamptz) as result`;
  if (row!.result.droppedPartitions.length > 0) forgetKnownPartitions();
  return row!.result;
}
