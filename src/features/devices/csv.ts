import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import type { SortValue } from './cursor';
import { deviceFilterWhere, type DeviceFilter } from './filters';
import { defaultDirection, type DeviceSort, type SortDirection } from './list-params';
import { castValue, SORTS, sortValueExpression } from './queries';

/**
 * The device list as CSV (RFC 4180, CRLF): a header, then one line per device of the filtered set,
 * in list order. Each page of rows is one short transaction, keyset-paged on the list's sort key
 * (sort value, thing name, id), so a slow download holds no connection while the reader catches up
 * (design §8.3). Pages are separate snapshots: a device whose sort value changes mid-export may
 * appear twice or not at all, as when paging the list (the default name sort never moves a row).
 * Postgres renders each line: parsing thirteen columns per row in Node was the bottleneck
 * (one text column per row reads ~8× faster).
 */

/** Opens a short transaction as the member (asUser in the route). */
export type CsvReader = <T>(fn: (db: Tx) => Promise<T>) => Promise<T>;

export const CSV_HEADER = [
  'thing_name',
  'display_name',
  'status',
  'last_seen_at',
  'thing_type',
  'groups',
  'firmware_version',
  'battery',
  'rssi',
  'temperature',
  'integration',
  'attributes',
  'id',
] as const;

/**
 * A text cell: always quoted (quotes doubled), empty and unquoted for null. Formula-injection guard
 * (OWASP "CSV injection"): a value starting with = + - @ tab or CR gets a leading apostrophe, so a
 * spreadsheet shows it as text instead of evaluating it. Numbers are written bare (RSSI -67 stays a number).
 */
function textCell(db: Tx, value: postgres.Fragment) {
  return db`coalesce('"' || replace(case when left(${value}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${value} else ${value} end, '"', '""') || '"', '')`;
}

export interface DeviceCsvOptions {
  filter: DeviceFilter;
  sort?: DeviceSort;
  dir?: SortDirection;
  batchSize?: number;
}

export interface CsvChunk {
  text: string;
  /** Device rows in this chunk (0 for the header). */
  rows: number;
}

interface CsvRow {
  line: string;
  sortValue: SortValue;
  thingName: string;
  id: string;
}

type Segment = 'values' | 'nulls';
type Key = Pick<CsvRow, 'sortValue' | 'thingName' | 'id'>;

/** One page of a segment (rows with / without a sort value), after `from` in list order. */
async function csvPage(db: Tx, orgId: string, filter: DeviceFilter, sort: DeviceSort, dir: SortDirection, segment: Segment, from: Key | null, limit: number) {
  // Per-statement plans (see planForValues); timestamps print as ISO 8601 in UTC (`2025-11-22 09:14:03.52+00`), to_char costs 4× more per row.
  await db`select set_config('plan_cache_mode', 'force_custom_plan', true), set_config('timezone', 'UTC', true)`;
  const spec = SORTS[sort];
  const col = db(`d.${spec.column}`);
  const byName = sort === 'name' || segment === 'nulls';
  const conditions = [deviceFilterWhere(db, orgId, filter)];
  if (spec.nullable) conditions.push(segment === 'values' ? db`${col} is not null` : db`${col} is null`);
  if (from) {
    const id = db`${from.id}::uuid`;
    const mine = byName ? db`(d.thing_name, d.id)` : db`(${col}, d.thing_name, d.id)`;
    const theirs = byName ? db`(${from.thingName}, ${id})` : db`(${castValue(db, sort, from.sortValue)}, ${from.thingName}, ${id})`;
    conditions.push(dir === 'asc' ? db`${mine} > ${theirs}` : db`${mine} < ${theirs}`);
  }
  const where = conditions.reduce((all, c) => db`${all} and ${c}`);
  const ties = dir === 'asc' ? db`d.thing_name asc, d.id asc` : db`d.thing_name desc, d.id desc`;
  const orderBy = byName ? ties : dir === 'asc' ? db`${col} asc, ${ties}` : db`${col} desc, ${ties}`;
  return db<CsvRow[]>`
    select concat_ws(',',
      ${textCell(db, db`d.thing_name`)},
      ${textCell(db, db`d.display_name`)},
      d.status::text,
      coalesce(d.last_seen_at::text, ''),
      ${textCell(db, db`d.thing_type`)},
      ${textCell(db, db`array_to_string(d.groups, ';')`)},
      ${textCell(db, db`d.firmware_version`)},
      coalesce(d.battery::text, ''),
      coalesce(d.rssi::text, ''),
      coalesce(d.temperature::text, ''),
      ${textCell(db, db`i.name`)},
      ${textCell(db, db`nullif(d.attributes::text, '{}')`)},
      d.id::text) as line,
      ${sortValueExpression(db, sort)} as "sortValue", d.thing_name as "thingName", d.id::text as id
    -- The page is chosen first and formatted after: a line built below the sort would be built for
    -- every matching row on every page, not only for the rows this page returns.
    from (
      select d.* from private.member_devices d
      where ${where}
      order by ${orderBy}
      limit ${limit}
    ) d
    left join public.integrations i on i.id = d.integration_id and i.org_id = d.org_id
    order by ${orderBy}`;
}

/**
 * The CSV in chunks: the header (with a UTF-8 BOM for Excel), then one chunk per page of devices.
 * Every page is read in its own transaction through `read`; none is open while a chunk is consumed.
 */
export async function* deviceCsvChunks(read: CsvReader, orgId: string, options: DeviceCsvOptions): AsyncGenerator<CsvChunk> {
  yield { text: `\uFEFF${CSV_HEADER.join(',')}\r\n`, rows: 0 };
  const sort = options.sort ?? 'name';
  const dir = options.dir ?? defaultDirection(sort);
  const limit = options.batchSize ?? 5000;
  // Rows without a sort value come last in both directions, as in the list.
  const segments: Segment[] = SORTS[sort].nullable ? ['values', 'nulls'] : ['values'];
  for (const segment of segments) {
    let from: Key | null = null;
    for (;;) {
      const rows = await read((db) => csvPage(db, orgId, options.filter, sort, dir, segment, from, limit));
      if (rows.length === 0) break;
      let text = '';
      for (const row of rows) text += `${row.line}\r\n`;
      yield { text, rows: rows.length };
      if (rows.length < limit) break;
      from = rows[rows.length - 1]!;
    }
  }
}

/** `devices-<org>-<yyyymmdd-hhmm>.csv` (UTC), safe inside a quoted Content-Disposition filename. */
export function csvFilename(orgSlug: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `devices-${orgSlug.replace(/[^a-z0-9-]/g, '')}-${stamp}.csv`;
}
