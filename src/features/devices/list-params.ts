import { z } from 'zod';
import { parseDeviceFilter, serializeDeviceFilter, type DeviceFilter } from './filters';

/**
 * The device list's URL beyond the filter: sort, direction and the keyset cursor
 * (`?status=offline&sort=lastSeen&dir=desc&cursor=…`). Safe to import in the browser.
 */

export const DEVICE_SORTS = ['name', 'status', 'lastSeen', 'type', 'firmware', 'battery'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];
export type SortDirection = 'asc' | 'desc';

export const SORT_LABELS: Record<DeviceSort, string> = {
  name: 'Name',
  status: 'Status',
  lastSeen: 'Last seen',
  type: 'Thing type',
  firmware: 'Firmware',
  battery: 'Battery',
};

/** The direction a column sorts in when first chosen: newest sign of life first, else A→Z / low→high. */
export function defaultDirection(sort: DeviceSort): SortDirection {
  return sort === 'lastSeen' ? 'desc' : 'asc';
}

export const DEFAULT_SORT: DeviceSort = 'name';
export const DEVICE_PAGE_SIZE = 50;

export interface DeviceListParams {
  filter: DeviceFilter;
  sort: DeviceSort;
  dir: SortDirection;
  /** Opaque keyset cursor (validated when the query decodes it). */
  cursor?: string;
}

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function one(params: SearchParamsLike, key: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.get(key) : params[key];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() ? text.trim() : undefined;
}

const sortSchema = z.enum(DEVICE_SORTS);
const dirSchema = z.enum(['asc', 'desc']);
const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,2000}$/);

/** Filter, sort and cursor from the URL; bad parameters are dropped and named in `invalid`. */
export function parseDeviceListParams(params: SearchParamsLike): DeviceListParams & { invalid: string[] } {
  const { filter, invalid } = parseDeviceFilter(params);
  const rawSort = one(params, 'sort');
  const sort = rawSort === undefined ? DEFAULT_SORT : sortSchema.safeParse(rawSort).data;
  if (sort === undefined) invalid.push('sort');
  const rawDir = one(params, 'dir');
  const dir = rawDir === undefined ? undefined : dirSchema.safeParse(rawDir).data;
  if (rawDir !== undefined && dir === undefined) invalid.push('dir');
  const rawCursor = one(params, 'cursor');
  const cursor = rawCursor === undefined ? undefined : cursorSchema.safeParse(rawCursor).data;
  if (rawCursor !== undefined && cursor === undefined) invalid.push('cursor');
  const chosen = sort ?? DEFAULT_SORT;
  return { filter, sort: chosen, dir: dir ?? defaultDirection(chosen), cursor, invalid };
}

/** `?…` for a list link: the filter, then sort and direction when not the defaults, then the cursor. */
export function deviceListQuery(params: DeviceListParams): string {
  const query = serializeDeviceFilter(params.filter);
  if (params.sort !== DEFAULT_SORT || params.dir !== defaultDirection(params.sort)) {
    query.set('sort', params.sort);
    query.set('dir', params.dir);
  }
  if (params.cursor) query.set('cursor', params.cursor);
  const text = query.toString();
  return text ? `?${text}` : '';
}
