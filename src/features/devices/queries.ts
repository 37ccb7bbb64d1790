import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { decodeCursor, encodeCursor, type DeviceCursor, type SortValue } from './cursor';
import { deviceFilterWhere, isEmptyDeviceFilter, type DeviceFilter, type DeviceStatusFilter } from './filters';
import { DEVICE_PAGE_SIZE, defaultDirection, type DeviceListParams, type DeviceSort, type SortDirection } from './list-params';

/**
 * Reads for the device list, its facets and its CSV export, as the member (inside asUser).
 * They read `private.member_devices` (see its migration): the devices of the user's organizations,
 * with the planner free to use the search, group and attribute indexes.
 */

export interface DeviceListItem {
  id: string;
  thingName: string;
  displayName: string | null;
  status: DeviceStatusFilter;
  /** ISO time of the latest sign of life, or null when never seen. */
  lastSeenAt: string | null;
  thingType: string | null;
  groups: string[];
  firmwareVersion: string | null;
  battery: number | null;
  rssi: number | null;
  integrationId: string;
  integrationName: string | null;
}

export interface DeviceListPage {
  items: DeviceListItem[];
  nextCursor: string | null;
  prevCursor: string | null;
  /** The cursor given was malformed or belongs to another sort; the first page is shown instead. */
  cursorRejected: boolean;
}

export interface DeviceListOptions {
  filter: DeviceFilter;
  sort?: DeviceSort;
  dir?: SortDirection;
  cursor?: string;
  limit?: number;
}

interface SortSpec {
  column: string;
  nullable: boolean;
}

// Each sort is (column, thing_name, id), matching a devices_list_* index; the name sort is (thing_name, id).
export const SORTS: Record<DeviceSort, SortSpec> = {
  name: { column: 'thing_name', nullable: false },
  status: { column: 'status', nullable: false },
  lastSeen: { column: 'last_seen_at', nullable: true },
  type: { column: 'thing_type', nullable: true },
  firmware: { column: 'firmware_version', nullable: true },
  battery: { column: 'battery', nullable: true },
};

type Db = Tx | postgres.Sql;
type Segment = 'values' | 'nulls';

interface Row {
  id: string;
  thingName: string;
  displayName: string | null;
  status: DeviceStatusFilter;
  lastSeenAt: Date | null;
  thingType: string | null;
  groups: string[];
  firmwareVersion: string | null;
  battery: number | null;
  rssi: number | null;
  integrationId: string;
  sortValue: SortValue;
}

/**
 * The best plan depends on the values (a rare search term wants the trigram index, a common one the
 * name order), so this transaction plans each statement for its parameters: with prepared
 * statements Postgres would otherwise settle on one generic plan (a count took 320 ms instead of 60).
 */
export async function planForValues(db: Db): Promise<void> {
  await db`select set_config('plan_cache_mode', 'force_custom_plan', true)`;
}

export function sortValueExpression(db: Db, sort: DeviceSort) {
  // Timestamps go into cursors as exact UTC text: a JS Date would drop the microseconds.
  if (sort === 'lastSeen') return db`to_char(d.last_seen_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  if (sort === 'status') return db`d.status::text`;
  if (sort === 'name') return db`null::text`;
  return db`${db(`d.${SORTS[sort].column}`)}`;
}

export function castValue(db: Db, sort: DeviceSort, value: SortValue) {
  if (sort === 'status') return db`${value}::public.device_status`;
  // Sent as text: postgres.js would turn a timestamptz parameter into a JS Date and drop the microseconds.
  if (sort === 'lastSeen') return db`${value}::text::timestamptz`;
  if (sort === 'battery') return db`${value}::double precision`;
  return db`${value}::text`;
}

/** One index range: rows of a segment (with / without a sort value) after `from`, in `order`. */
async function fetchSegment(
  db: Db,
  orgId: string,
  filter: DeviceFilter,
  sort: DeviceSort,
  segment: Segment,
  from: DeviceCursor | null,
  order: SortDirection,
  limit: number,
): Promise<Row[]> {
  const spec = SORTS[sort];
  const col = db(`d.${spec.column}`);
  const byName = sort === 'name' || segment === 'nulls';
  const conditions = [deviceFilterWhere(db, orgId, filter)];
  if (spec.nullable) conditions.push(segment === 'values' ? db`${col} is not null` : db`${col} is null`);
  if (from) {
    const id = db`${from.id}::uuid`;
    if (byName) {
      conditions.push(order === 'asc' ? db`(d.thing_name, d.id) > (${from.thingName}, ${id})` : db`(d.thing_name, d.id) < (${from.thingName}, ${id})`);
    } else {
      const value = castValue(db, sort, from.value ?? null);
      conditions.push(
        order === 'asc' ? db`(${col}, d.thing_name, d.id) > (${value}, ${from.thingName}, ${id})` : db`(${col}, d.thing_name, d.id) < (${value}, ${from.thingName}, ${id})`,
      );
    }
  }
  const where = conditions.reduce((all, c) => db`${all} and ${c}`);
  const orderBy = byName
    ? order === 'asc' ? db`d.thing_name asc, d.id asc` : db`d.thing_name desc, d.id desc`
    : order === 'asc' ? db`${col} asc, d.thing_name asc, d.id asc` : db`${col} desc, d.thing_name desc, d.id desc`;
  return db<Row[]>`
    select d.id, d.thing_name as "thingName", d.display_name as "displayName", d.status, d.last_seen_at as "lastSeenAt",
           d.thing_type as "thingType", d.groups, d.firmware_version as "firmwareVersion", d.battery, d.rssi,
           d.integration_id as "integrationId", ${sortValueExpression(db, sort)} as "sortValue"
    from private.member_devices d
    where ${where}
    order by ${orderBy}
    limit ${limit}`;
}

/**
 * Rows in list order starting next to `from` (or at an end), crossing from the rows with a sort
 * value to those without one (nulls always come last, in both directions).
 */
async function fetchRun(
  db: Db,
  orgId: string,
  filter: DeviceFilter,
  sort: DeviceSort,
  dir: SortDirection,
  from: DeviceCursor | null,
  backwards: boolean,
  limit: number,
): Promise<Row[]> {
  const forward: Segment[] = SORTS[sort].nullable ? ['values', 'nulls'] : ['values'];
  const segments = backwards ? [...forward].reverse() : forward;
  const startSegment: Segment = from && SORTS[sort].nullable && from.value === null ? 'nulls' : 'values';
  const start = from ? segments.indexOf(startSegment) : 0;
  const order: SortDirection = backwards === (dir === 'asc') ? 'desc' : 'asc';
  const rows: Row[] = [];
  for (const [i, segment] of segments.slice(start).entries()) {
    rows.push(...(await fetchSegment(db, orgId, filter, sort, segment, i === 0 ? from : null, order, limit - rows.length)));
    if (rows.length >= limit) break;
  }
  return rows;
}

function cursorAt(row: Row, sort: DeviceSort, dir: SortDirection, side: DeviceCursor['side']): string {
  return encodeCursor({ sort, dir, side, value: row.sortValue, thingName: row.thingName, id: row.id });
}

async function integrationNames(db: Db, orgId: string): Promise<Map<string, string>> {
  const rows = await db<{ id: string; name: string }[]>`select id, name from public.integrations where org_id = ${orgId}`;
  return new Map(rows.map((r) => [r.id, r.name]));
}

function toItem(row: Row, names: Map<string, string>): DeviceListItem {
  const { sortValue: _sortValue, lastSeenAt, ...rest } = row;
  return { ...rest, lastSeenAt: lastSeenAt ? lastSeenAt.toISOString() : null, integrationName: names.get(row.integrationId) ?? null };
}

/**
 * One page of the organization's live devices matching `filter`, keyset-paginated on
 * (sort value, thing name, id) with rows lacking a sort value last. `nextCursor` / `prevCursor`
 * lead to the neighbouring pages; a malformed or foreign cursor shows the first page.
 */
export async function listDevices(db: Db, orgId: string, options: DeviceListOptions): Promise<DeviceListPage> {
  const sort = options.sort ?? 'name';
  const dir = options.dir ?? defaultDirection(sort);
  const limit = Math.min(Math.max(options.limit ?? DEVICE_PAGE_SIZE, 1), 200);
  const cursor = options.cursor ? decodeCursor(options.cursor, sort, dir) : null;
  const cursorRejected = options.cursor !== undefined && cursor === null;
  await planForValues(db);
  const names = await integrationNames(db, orgId);

  if (cursor?.side === 'before') {
    const rows = await fetchRun(db, orgId, options.filter, sort, dir, cursor, true, limit + 1);
    // Fewer rows than a page before the cursor: that is the start, shown as the first page.
    if (rows.length > limit) {
      const page = rows.slice(0, limit).reverse();
      return {
        items: page.map((r) => toItem(r, names)),
        prevCursor: cursorAt(page[0]!, sort, dir, 'before'),
        nextCursor: cursorAt(page[page.length - 1]!, sort, dir, 'after'),
        cursorRejected,
      };
    }
  }
  const from = cursor?.side === 'after' ? cursor : null;
  const rows = await fetchRun(db, orgId, options.filter, sort, dir, from, false, limit + 1);
  const page = rows.slice(0, limit);
  const first = page[0];
  const last = page[page.length - 1];
  let prevCursor: string | null = null;
  if (from) prevCursor = first ? cursorAt(first, sort, dir, 'before') : encodeCursor({ ...from, side: 'before' });
  return {
    items: page.map((r) => toItem(r, names)),
    nextCursor: rows.length > limit && last ? cursorAt(last, sort, dir, 'after') : null,
    prevCursor,
    cursorRejected,
  };
}

/** How many live devices of the organization match `filter`. */
export async function countDevices(db: Db, orgId: string, filter: DeviceFilter): Promise<number> {
  await planForValues(db);
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from private.member_devices d where ${deviceFilterWhere(db, orgId, filter)}`;
  return row?.n ?? 0;
}

/** Filtered counts stop here: counting every match of a broad search costs as much as reading them all. */
export const DEVICE_COUNT_CAP = 10_000;

/**
 * How many live devices match `filter`, counted up to `cap`: `exact` is false when there are more
 * (the page then says "more than 10,000"). Keeps the page fast for a search matching most of 100k devices.
 */
export async function countDevicesUpTo(db: Db, orgId: string, filter: DeviceFilter, cap = DEVICE_COUNT_CAP): Promise<{ count: number; exact: boolean }> {
  await planForValues(db);
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from (
      select 1 from private.member_devices d where ${deviceFilterWhere(db, orgId, filter)} limit ${cap + 1}
    ) matching`;
  const n = row?.n ?? 0;
  return n > cap ? { count: cap, exact: false } : { count: n, exact: true };
}

export interface DeviceFacets {
  thingTypes: string[];
  groups: string[];
  firmwareVersions: string[];
  integrations: { id: string; name: string }[];
}

const FACET_LIMIT = 200;

/**
 * Values for the filter dropdowns. Thing types and firmware versions are the distinct values of
 * live devices, read by skipping through their list index (one probe per value, not a scan);
 * groups come from the synced group catalog, so parent groups are offered too.
 */
export async function getDeviceFacets(db: Db, orgId: string): Promise<DeviceFacets> {
  const distinct = async (column: 'thing_type' | 'firmware_version') => {
    const col = db(`d.${column}`);
    const next = (after: postgres.Fragment | null) => db`
      select ${col} from private.member_devices d
      where d.org_id = ${orgId} and d.removed_at is null and ${after ? db`${col} > ${after}` : db`${col} is not null`}
      order by ${col} limit 1`;
    const rows = await db<{ value: string }[]>`
      with recursive v (value) as (
        (${next(null)})
        union all
        select (${next(db`v.value`)}) from v where v.value is not null
      )
      select value from v where value is not null limit ${FACET_LIMIT}`;
    return rows.map((r) => r.value);
  };
  const thingTypes = await distinct('thing_type');
  const firmwareVersions = await distinct('firmware_version');
  const groups = await db<{ name: string }[]>`
    select distinct name from public.thing_groups where org_id = ${orgId} order by name limit ${FACET_LIMIT}`;
  const integrations = await db<{ id: string; name: string }[]>`
    select id, name from public.integrations where org_id = ${orgId} order by lower(name), id`;
  return { thingTypes, groups: groups.map((g) => g.name), firmwareVersions, integrations: [...integrations] };
}

export interface DeviceListView {
  page: DeviceListPage;
  /** Devices matching the filter (at most DEVICE_COUNT_CAP with a text search; see `countExact`). */
  count: number;
  /** False when a search matches more than DEVICE_COUNT_CAP devices and `count` is that cap. */
  countExact: boolean;
  /** All live devices of the org, when known without another query or needed for the empty state. */
  total: number | null;
  facets: DeviceFacets;
}

/** Everything the device list page shows, read in the caller's transaction. */
export async function loadDeviceList(db: Db, orgId: string, params: DeviceListParams): Promise<DeviceListView> {
  const page = await listDevices(db, orgId, params);
  const unfiltered = isEmptyDeviceFilter(params.filter);
  // Exact counts, except for a text search: matching it means reading every candidate row, so a
  // broad term (40k of 100k devices) is counted up to the cap ("more than 10,000").
  const { count, exact } = params.filter.q ? await countDevicesUpTo(db, orgId, params.filter) : { count: await countDevices(db, orgId, params.filter), exact: true };
  // "No devices yet" and "nothing matches" are different empty states.
  const total = unfiltered ? count : count === 0 ? await countDevices(db, orgId, {}) : null;
  const facets = await getDeviceFacets(db, orgId);
  return { page, count, countExact: exact, total, facets };
}
