import type { Tx } from '@/lib/db';
import { deviceFilterWhere, type DeviceFilter } from '@/features/devices/filters';
import type { BulkKind } from './schemas';

/** Reads of bulk actions: the dry run, one operation with its per-device report, the recent ones. */

export interface SelectionPreview {
  total: number;
  byIntegration: { id: string; name: string; status: string; count: number }[];
  sample: string[];
}

/** How many live devices the filter selects, from which integrations (the dry run). */
export async function previewSelection(db: Tx, orgId: string, filter: DeviceFilter): Promise<SelectionPreview> {
  const where = deviceFilterWhere(db, orgId, filter);
  const groups = await db<{ id: string; name: string; status: string; count: number }[]>`
    select i.id, i.name, i.status::text as status, count(*)::int as count
    from public.devices d
    join public.integrations i on i.id = d.integration_id and i.org_id = d.org_id
    where ${where}
    group by i.id, i.name, i.status
    order by count desc, i.name`;
  const sample = await db<{ thing_name: string }[]>`
    select d.thing_name from public.devices d where ${where} order by d.thing_name limit 5`;
  return {
    total: groups.reduce((n, g) => n + g.count, 0),
    byIntegration: groups.map((g) => ({ ...g })),
    sample: sample.map((s) => s.thing_name),
  };
}

export type BulkStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';
export type BulkItemStatus = 'pending' | 'succeeded' | 'failed' | 'skipped';

export interface BulkOperationDto {
  id: string;
  kind: BulkKind;
  key: string;
  value: unknown;
  filter: DeviceFilter;
  status: BulkStatus;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  pending: number;
  apiCalls: number;
  throttled: number;
  error: string | null;
  requestedBy: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface BulkItemDto {
  deviceId: string;
  thingName: string;
  status: BulkItemStatus;
  error: string | null;
  finishedAt: string | null;
}

export interface BulkOperationReport extends BulkOperationDto {
  items: BulkItemDto[];
  /** Items not shown (the report lists failures first, then up to the limit). */
  itemsOmitted: number;
  generatedAt: string;
}

interface OperationRow {
  id: string;
  kind: BulkKind;
  key: string;
  value: unknown;
  filter: DeviceFilter;
  status: BulkStatus;
  total: number;
  succeeded_count: number;
  failed_count: number;
  skipped_count: number;
  api_calls: number;
  throttled: number;
  error: string | null;
  requested_by_email: string | null;
  cancel_requested_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toDto(r: OperationRow): BulkOperationDto {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    value: r.value,
    filter: r.filter,
    status: r.status,
    total: r.total,
    succeeded: r.succeeded_count,
    failed: r.failed_count,
    skipped: r.skipped_count,
    pending: Math.max(0, r.total - r.succeeded_count - r.failed_count - r.skipped_count),
    apiCalls: r.api_calls,
    throttled: r.throttled,
    error: r.error,
    requestedBy: r.requested_by_email,
    cancelRequested: r.cancel_requested_at !== null,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

const columns = (db: Tx, orgId: string) => db`
  o.id, o.kind, o.key, o.value, o.filter, o.status, o.total, o.succeeded_count, o.failed_count, o.skipped_count, o.api_calls,
  o.throttled, o.error, m.email as requested_by_email, o.cancel_requested_at, o.created_at, o.started_at, o.finished_at
  from public.bulk_operations o
  left join public.list_org_members(${orgId}) m on m.user_id = o.requested_by`;

export async function listBulkOperations(db: Tx, orgId: string, limit = 10): Promise<BulkOperationDto[]> {
  const rows = await db<OperationRow[]>`select ${columns(db, orgId)} where o.org_id = ${orgId} order by o.created_at desc limit ${limit}`;
  return rows.map(toDto);
}

export async function getBulkOperation(db: Tx, orgId: string, operationId: string, itemLimit = 200): Promise<BulkOperationReport | null> {
  const [row] = await db<OperationRow[]>`select ${columns(db, orgId)} where o.org_id = ${orgId} and o.id = ${operationId}`;
  if (!row) return null;
  const items = await db<{ device_id: string; thing_name: string; status: BulkItemStatus; error: string | null; finished_at: Date | null }[]>`
    select device_id, thing_name, status, error, finished_at
    from public.bulk_operation_items
    where org_id = ${orgId} and operation_id = ${operationId}
    order by case status when 'failed' then 0 when 'skipped' then 1 when 'pending' then 2 else 3 end, thing_name
    limit ${itemLimit}`;
  return {
    ...toDto(row),
    items: items.map((i) => ({ deviceId: i.device_id, thingName: i.thing_name, status: i.status, error: i.error, finishedAt: iso(i.finished_at) })),
    itemsOmitted: Math.max(0, row.total - items.length),
    generatedAt: new Date().toISOString(),
  };
}
