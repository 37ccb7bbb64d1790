import type postgres from 'postgres';
import { recordAudit } from '@/lib/audit';
import { asServiceWithin } from '@/lib/service-role';
import type { OrgContext } from '@/lib/context';
import { AppError } from '@/lib/errors';
import { requireOperator } from '@/features/commands/service';
import { deviceFilterWhere, type DeviceFilter } from '@/features/devices/filters';
import { previewSelection, type SelectionPreview } from './queries';
import { BULK_MAX_DEVICES, describeSpec, type BulkJobPayload, type BulkSpec } from './schemas';

/**
 * Bulk actions on a filtered selection: a dry run first (how many devices, from which
 * integrations), then a durable operation, snapshotted as one item per device under the operator's
 * RLS and run by the worker under each integration's quota budget.
 */

export interface BulkQueue {
  enqueue(payload: BulkJobPayload): Promise<string | null>;
}

export interface BulkPreview extends SelectionPreview {
  description: string;
  tooMany: boolean;
  pausedIntegrations: string[];
}

export async function previewBulkOperation(ctx: OrgContext, input: { filter: DeviceFilter; spec: BulkSpec }): Promise<BulkPreview> {
  requireOperator(ctx);
  const preview = await previewSelection(ctx.db, ctx.org.id, input.filter);
  return {
    ...preview,
    description: describeSpec(input.spec),
    tooMany: preview.total > BULK_MAX_DEVICES,
    pausedIntegrations: preview.byIntegration.filter((i) => i.status === 'paused').map((i) => i.name),
  };
}

export async function startBulkOperation(
  ctx: OrgContext,
  input: { filter: DeviceFilter; spec: BulkSpec; expectedCount: number },
  queue: BulkQueue,
): Promise<{ operationId: string; total: number }> {
  requireOperator(ctx);
  const where = deviceFilterWhere(ctx.db, ctx.org.id, input.filter);
  const [{ total } = { total: 0 }] = await ctx.db<{ total: number }[]>`select count(*)::int as total from public.devices d where ${where}`;
  if (total === 0) throw new AppError('PRECONDITION', 'The filter selects no devices.');
  if (total > BULK_MAX_DEVICES) {
    throw new AppError('PRECONDITION', `The filter selects ${total.toLocaleString('en')} devices; a bulk action covers at most ${BULK_MAX_DEVICES.toLocaleString('en')}. Narrow the filter.`);
  }
  if (total !== input.expectedCount) {
    throw new AppError(
      'CONFLICT',
      `The selection changed since the dry run (${input.expectedCount.toLocaleString('en')} → ${total.toLocaleString('en')} devices). Check the new count and confirm again.`,
    );
  }
  // Service-only tables (the worker executes what they say); the snapshot filters by org and must
  // match the count the member's own select returned above.
  const [operation] = await asServiceWithin(ctx.db, () => ctx.db<{ id: string }[]>`
    insert into public.bulk_operations (org_id, kind, key, value, filter, total)
    values (${ctx.org.id}, ${input.spec.kind}, ${input.spec.key}, ${ctx.db.json(input.spec.value as postgres.JSONValue)},
            ${ctx.db.json(input.filter as postgres.JSONValue)}, ${total})
    returning id`);
  const items = await asServiceWithin(ctx.db, () => ctx.db`
    insert into public.bulk_operation_items (org_id, operation_id, device_id, integration_id, thing_name)
    select ${ctx.org.id}, ${operation!.id}, d.id, d.integration_id, d.thing_name
    from public.devices d where ${where}`);
  // The count and the snapshot ran in one transaction, so they agree.
  if (items.count !== total) throw new Error(`bulk snapshot holds ${items.count} items, expected ${total}`);
  // Desired values may carry configuration: the audit names the key, not the value.
  await recordAudit(ctx, 'bulk_operation.queued', { type: 'bulk_operation', id: operation!.id }, {
    kind: input.spec.kind,
    key: input.spec.key,
    ...(input.spec.kind === 'set_attribute' ? { value: input.spec.value } : {}),
    total,
    filter: input.filter as postgres.JSONValue,
  });
  // Sent before this transaction commits: the job retries until the operation is visible.
  await queue.enqueue({ operationId: operation!.id });
  ctx.log.info({ operationId: operation!.id, total, kind: input.spec.kind }, 'bulk operation queued');
  return { operationId: operation!.id, total };
}

export async function cancelBulkOperation(ctx: OrgContext, input: { operationId: string }): Promise<{ cancelled: boolean }> {
  requireOperator(ctx);
  const rows = await ctx.db`
    update public.bulk_operations set cancel_requested_at = now()
    where id = ${input.operationId} and org_id = ${ctx.org.id} and status in ('queued', 'running') and cancel_requested_at is null
    returning id`;
  if (rows.length === 0) {
    const [exists] = await ctx.db`select status from public.bulk_operations where id = ${input.operationId} and org_id = ${ctx.org.id}`;
    if (!exists) throw new AppError('NOT_FOUND', 'Bulk operation not found.');
    throw new AppError('PRECONDITION', 'This bulk operation has already finished or is being cancelled.');
  }
  await recordAudit(ctx, 'bulk_operation.cancel_requested', { type: 'bulk_operation', id: input.operationId });
  return { cancelled: true };
}
