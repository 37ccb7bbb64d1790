import { z } from 'zod';
import type { Sql, Tx } from '@/lib/db';

/**
 * The device filter: one contract for the device list, its CSV export, bulk actions, fleet charts
 * and every overview card that links to a filtered list. It lives in the URL so a view can be
 * shared and bookmarked: `?q=pump&status=online,stale&type=Sensor&group=eu&firmware=1.4.2
 * &integration=<uuid>&attr=site=lab&batteryBelow=20` (attr may repeat).
 */

export const DEVICE_STATUSES = ['online', 'offline', 'stale', 'unknown'] as const;
export type DeviceStatusFilter = (typeof DEVICE_STATUSES)[number];

// AWS IoT attribute names and values: [a-zA-Z0-9_.,@/:#=\[\]-]*, names ≤ 128, values ≤ 800.
const attributeName = z.string().regex(/^[a-zA-Z0-9_.,@/:#\[\]-]{1,128}$/, 'Attribute names use letters, digits and _.,@/:#[]-');
const attributeValue = z.string().regex(/^[a-zA-Z0-9_.,@/:#=\[\]\-]{0,800}$/, 'Attribute values use letters, digits and _.,@/:#=[]-');
const label = z.string().trim().min(1).max(128);

export const attributeFilterSchema = z.object({ key: attributeName, value: attributeValue });
export type AttributeFilter = z.infer<typeof attributeFilterSchema>;

export const deviceFilterSchema = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  status: z.array(z.enum(DEVICE_STATUSES)).min(1).max(DEVICE_STATUSES.length).optional(),
  type: label.optional(),
  group: label.optional(),
  firmware: label.optional(),
  integration: z.uuid().optional(),
  attr: z.array(attributeFilterSchema).min(1).max(5).optional(),
  batteryBelow: z.number().min(0).max(100).optional(),
  /** Devices with an open alert (firing or acknowledged); `?alert=open` in the URL. */
  openAlert: z.literal(true).optional(),
});
export type DeviceFilter = z.infer<typeof deviceFilterSchema>;

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function all(params: SearchParamsLike, key: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(key);
  const value = params[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function first(params: SearchParamsLike, key: string): string | undefined {
  const value = all(params, key)[0]?.trim();
  return value ? value : undefined;
}

export interface ParsedDeviceFilter {
  filter: DeviceFilter;
  /** Parameters that were present but invalid, by name; they are dropped from `filter`. */
  invalid: string[];
}

/**
 * Reads the filter from URL search params. A bad parameter is dropped and named in `invalid`
 * (a hand-edited or stale link still shows a list, with a notice) rather than failing the page.
 */
export function parseDeviceFilter(params: SearchParamsLike): ParsedDeviceFilter {
  const raw: Record<string, unknown> = {
    q: first(params, 'q'),
    status: all(params, 'status').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
    type: first(params, 'type'),
    group: first(params, 'group'),
    firmware: first(params, 'firmware'),
    integration: first(params, 'integration'),
    attr: all(params, 'attr')
      .filter((pair) => pair.trim() !== '')
      .map((pair) => {
        const at = pair.indexOf('=');
        return at < 0 ? { key: pair, value: '' } : { key: pair.slice(0, at), value: pair.slice(at + 1) };
      }),
    batteryBelow: first(params, 'batteryBelow') === undefined ? undefined : Number(first(params, 'batteryBelow')),
    openAlert: first(params, 'alert') === undefined ? undefined : first(params, 'alert') === 'open' ? true : first(params, 'alert'),
  };
  if ((raw.status as string[]).length === 0) delete raw.status;
  else raw.status = [...new Set(raw.status as string[])];
  if ((raw.attr as unknown[]).length === 0) delete raw.attr;

  const filter: Record<string, unknown> = {};
  const invalid: string[] = [];
  const shape = deviceFilterSchema.shape;
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const parsed = shape[key as keyof typeof shape].safeParse(value);
    if (parsed.success) filter[key] = parsed.data;
    else invalid.push(key);
  }
  return { filter: filter as DeviceFilter, invalid };
}

/** The URL form of a filter (stable order, so equal filters give equal links). */
export function serializeDeviceFilter(filter: DeviceFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.status?.length) params.set('status', filter.status.join(','));
  if (filter.type) params.set('type', filter.type);
  if (filter.group) params.set('group', filter.group);
  if (filter.firmware) params.set('firmware', filter.firmware);
  if (filter.integration) params.set('integration', filter.integration);
  for (const { key, value } of filter.attr ?? []) params.append('attr', `${key}=${value}`);
  if (filter.batteryBelow !== undefined) params.set('batteryBelow', String(filter.batteryBelow));
  if (filter.openAlert) params.set('alert', 'open');
  return params;
}

/** `?…` for links (empty string when the filter is empty). */
export function deviceFilterQuery(filter: DeviceFilter): string {
  const query = serializeDeviceFilter(filter).toString();
  return query ? `?${query}` : '';
}

export function isEmptyDeviceFilter(filter: DeviceFilter): boolean {
  return serializeDeviceFilter(filter).toString() === '';
}

/** Escapes LIKE wildcards so a search for `50%` means the characters, not a pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL condition for a filter over `d`: `public.devices d`, or `private.member_devices d` (the
 * device list's read path), live devices of one org only. Callers use it inside asUser (RLS applies
 * too) or asService (the org condition is the boundary). Search matches the stored, lower-cased
 * `search_text` (trigram index); a group includes its descendant groups.
 */
export function deviceFilterWhere(sql: Sql | Tx, orgId: string, filter: DeviceFilter) {
  const conditions = [sql`d.org_id = ${orgId}`, sql`d.removed_at is null`];
  if (filter.q) conditions.push(sql`d.search_text like lower(${likePattern(filter.q)})`);
  if (filter.status?.length) conditions.push(sql`d.status = any(${filter.status}::public.device_status[])`);
  if (filter.type) conditions.push(sql`d.thing_type = ${filter.type}`);
  if (filter.group) conditions.push(sql`d.groups && ${groupAndDescendants(sql, orgId, filter.group)}`);
  if (filter.firmware) conditions.push(sql`d.firmware_version = ${filter.firmware}`);
  if (filter.integration) conditions.push(sql`d.integration_id = ${filter.integration}`);
  for (const { key, value } of filter.attr ?? []) {
    conditions.push(sql`d.attributes @> ${sql.json({ [key]: value })}`);
  }
  if (filter.batteryBelow !== undefined) conditions.push(sql`d.battery < ${filter.batteryBelow}`);
  // Alerts are the alerts feature's table; the filter only asks whether one is open for the device.
  if (filter.openAlert) {
    conditions.push(sql`exists (select 1 from public.alerts a where a.org_id = d.org_id and a.device_id = d.id and a.state in ('firing', 'acknowledged'))`);
  }
  return conditions.reduce((all, condition) => sql`${all} and ${condition}`);
}

/**
 * The group and every group below it (AWS thing groups nest; devices list their direct groups only),
 * as an uncorrelated sub-select the planner runs once and matches against the groups GIN index.
 */
function groupAndDescendants(sql: Sql | Tx, orgId: string, group: string) {
  return sql`(array[${group}]::text[] || array(
    with recursive tree (integration_id, name) as (
      select g.integration_id, g.name from public.thing_groups g where g.org_id = ${orgId} and g.name = ${group}
      union
      select c.integration_id, c.name
      from public.thing_groups c join tree t on c.integration_id = t.integration_id and c.parent_name = t.name
      where c.org_id = ${orgId}
    )
    select distinct name from tree))`;
}
