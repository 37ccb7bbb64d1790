import { UpdateThingCommand } from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import { describeAwsError, type AwsClients } from '@/lib/aws/clients';
import type { Tx } from '@/lib/db';
import { writeRates } from '@/features/commands/aws';
import type { JsonValue } from '@/features/commands/schemas';
import { writeDesired } from '@/features/commands/service';
import { openGovernedClients, type ClientsFactory } from '@/features/integrations/runtime/clients';
import { abortError, type Clock, type RetryPolicy } from '@/features/integrations/runtime/quota';
import { mapLimit } from '@/features/sync/pipeline';
import { loadIntegration, type Db } from '@/features/sync/runs';
import { writeAttributeEdit } from '@/features/sync/writer';
import type { BulkKind } from './schemas';

/**
 * Runs one bulk operation in the worker: takes the operation's lease, then per integration sends
 * one write per device through the quota governor (ThrottlingException slows the bucket and is
 * retried, never failing a device), records each device's result in batches with the operation's
 * counters, and honours a cancellation between batches. A rerun resumes with the pending devices.
 */
export interface BulkDeps {
  db: Db;
  /** The integration runtime's client builder (SDK retries off; the governor retries). */
  clients: ClientsFactory;
  log: Logger;
  signal?: AbortSignal;
  clock?: Clock;
  workerId?: string;
  tuning?: Partial<BulkTuning>;
}

export interface BulkTuning {
  batchSize: number;
  /** Writes in flight per integration (the governor paces them to the budget). */
  concurrency: number;
  heartbeatMs: number;
  /** A running operation without a heartbeat for this long belongs to a dead worker. */
  staleSeconds: number;
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_BULK_TUNING: BulkTuning = { batchSize: 100, concurrency: 8, heartbeatMs: 15_000, staleSeconds: 120 };

export type BulkRunResult =
  | { outcome: 'not_found' }
  | { outcome: 'busy' }
  | { outcome: 'finished'; status: string }
  | { outcome: 'stopped'; reason: string }
  | { outcome: 'ran'; status: 'completed' | 'cancelled'; succeeded: number; failed: number; skipped: number; apiCalls: number; throttled: number };

interface Operation {
  id: string;
  org_id: string;
  requested_by: string | null;
  kind: BulkKind;
  key: string;
  value: JsonValue;
  cancel_requested_at: Date | null;
}

interface Item {
  id: string;
  device_id: string;
  thing_name: string;
}

interface ItemResult {
  id: string;
  device_id: string;
  status: 'succeeded' | 'failed';
  error: string | null;
  shadow_version: number | null;
}

class LeaseLost extends Error {}

async function claim(db: Db, operationId: string, workerId: string, staleSeconds: number): Promise<Operation | null> {
  return db(async (tx) => {
    const [op] = await tx<Operation[]>`
      update public.bulk_operations set status = 'running', worker_id = ${workerId}, heartbeat_at = now(), started_at = coalesce(started_at, now())
      where id = ${operationId}
        and (status = 'queued' or (status = 'running' and heartbeat_at < now() - make_interval(secs => ${staleSeconds})))
      returning id, org_id, requested_by, kind, key, value, cancel_requested_at`;
    return op ?? null;
  });
}

/** Fenced by the worker id: a worker that lost the operation to another writes nothing more. */
async function fence(tx: Tx, op: Operation, workerId: string): Promise<{ cancelRequested: boolean }> {
  const [row] = await tx<{ cancel_requested_at: Date | null }[]>`
    update public.bulk_operations set heartbeat_at = now()
    where id = ${op.id} and org_id = ${op.org_id} and status = 'running' and worker_id = ${workerId}
    returning cancel_requested_at`;
  if (!row) throw new LeaseLost('another worker took this bulk operation over');
  return { cancelRequested: row.cancel_requested_at !== null };
}

function failureText(error: unknown): string {
  const e = describeAwsError(error);
  if (e.name === 'ResourceNotFoundException') return 'The thing no longer exists in AWS.';
  return `${e.name}: ${e.message}`.slice(0, 1000);
}

export async function runBulkOperation(deps: BulkDeps, operationId: string): Promise<BulkRunResult> {
  const tuning = { ...DEFAULT_BULK_TUNING, ...deps.tuning };
  const workerId = deps.workerId ?? 'bulk';
  const op = await claim(deps.db, operationId, workerId, tuning.staleSeconds);
  if (!op) {
    const [row] = await deps.db((tx) => tx<{ status: string }[]>`select status from public.bulk_operations where id = ${operationId}`);
    if (!row) return { outcome: 'not_found' };
    return row.status === 'queued' || row.status === 'running' ? { outcome: 'busy' } : { outcome: 'finished', status: row.status };
  }
  const log = deps.log.child({ operationId, orgId: op.org_id });
  log.info({ kind: op.kind }, 'bulk operation started');
  const totals = { calls: 0, throttled: 0 };
  const heartbeat = setInterval(() => {
    deps
      .db((tx) => tx`update public.bulk_operations set heartbeat_at = now() where id = ${op.id} and worker_id = ${workerId} and status = 'running'`)
      .catch((error: unknown) => log.warn({ err: error }, 'bulk heartbeat failed'));
  }, tuning.heartbeatMs);
  heartbeat.unref();
  try {
    let cancelled = op.cancel_requested_at !== null;
    const integrations = await deps.db((tx) => tx<{ integration_id: string }[]>`
      select distinct integration_id from public.bulk_operation_items
      where org_id = ${op.org_id} and operation_id = ${op.id} and status = 'pending'`);
    for (const { integration_id: integrationId } of integrations) {
      if (cancelled) break;
      cancelled = await runIntegration(deps, tuning, op, integrationId, workerId, totals, log);
    }
    return await finish(deps.db, op, workerId, cancelled, totals, log);
  } catch (error) {
    if (error instanceof LeaseLost) return { outcome: 'stopped', reason: error.message };
    if (deps.signal?.aborted) return { outcome: 'stopped', reason: abortError(deps.signal).message };
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Items of one integration, batch by batch; returns true when a cancellation was seen. */
async function runIntegration(
  deps: BulkDeps,
  tuning: BulkTuning,
  op: Operation,
  integrationId: string,
  workerId: string,
  totals: { calls: number; throttled: number },
  log: Logger,
): Promise<boolean> {
  const integration = await loadIntegration(deps.db, integrationId, op.org_id);
  const unusable = !integration ? 'The integration no longer exists.' : integration.status === 'paused' ? `${integration.name} is paused.` : null;
  if (unusable) {
    await deps.db(async (tx) => {
      await fence(tx, op, workerId);
      const rows = await tx`
        update public.bulk_operation_items set status = 'failed', error = ${unusable}, finished_at = now()
        where org_id = ${op.org_id} and operation_id = ${op.id} and integration_id = ${integrationId} and status = 'pending'
        returning id`;
      await tx`update public.bulk_operations set failed_count = failed_count + ${rows.length} where id = ${op.id}`;
    });
    return false;
  }
  // The same shared budget as the integration's syncs and interactive calls.
  const { clients, governor } = openGovernedClients({ clients: deps.clients, db: deps.db }, integration!, {
    rates: writeRates(integration!.region),
    retry: tuning.retry,
    clock: deps.clock,
    signal: deps.signal,
  });
  const counted = { calls: 0, throttled: 0 };
  try {
    for (;;) {
      if (deps.signal?.aborted) throw abortError(deps.signal);
      const batch = await deps.db((tx) => tx<Item[]>`
        select id::text, device_id, thing_name from public.bulk_operation_items
        where org_id = ${op.org_id} and operation_id = ${op.id} and integration_id = ${integrationId} and status = 'pending'
        order by id limit ${tuning.batchSize}`);
      if (batch.length === 0) return false;
      const results = await mapLimit(batch, tuning.concurrency, (item) => writeOne(clients, op, item, deps.signal));
      const now = governor.totals();
      const delta = { calls: now.calls - counted.calls, throttled: now.throttled - counted.throttled };
      Object.assign(counted, { calls: now.calls, throttled: now.throttled });
      totals.calls += delta.calls;
      totals.throttled += delta.throttled;
      const { cancelRequested } = await deps.db((tx) => record(tx, op, workerId, results, delta));
      log.debug({ batch: batch.length, calls: delta.calls, throttled: delta.throttled }, 'bulk batch recorded');
      if (cancelRequested) return true;
    }
  } finally {
    clients.destroy();
  }
}

async function writeOne(clients: AwsClients, op: Operation, item: Item, signal?: AbortSignal): Promise<ItemResult> {
  try {
    if (op.kind === 'set_attribute') {
      // No expectedVersion: a bulk edit applies to whatever version each thing is at.
      await clients.iot.send(
        new UpdateThingCommand({ thingName: item.thing_name, attributePayload: { attributes: { [op.key]: String(op.value) }, merge: true } }),
        { abortSignal: signal },
      );
      return { id: item.id, device_id: item.device_id, status: 'succeeded', error: null, shadow_version: null };
    }
    const version = await writeDesired(clients.iotData, { thingName: item.thing_name, shadowName: null, desired: { [op.key]: op.value }, version: null }, signal);
    return { id: item.id, device_id: item.device_id, status: 'succeeded', error: null, shadow_version: version };
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    return { id: item.id, device_id: item.device_id, status: 'failed', error: failureText(error), shadow_version: null };
  }
}

/** One batch's results, the commands it sent and the cached attributes, with the counters, in one transaction. */
async function record(tx: Tx, op: Operation, workerId: string, results: ItemResult[], delta: { calls: number; throttled: number }) {
  const fenced = await fence(tx, op, workerId);
  const ok = results.filter((r) => r.status === 'succeeded');
  const commandIds = new Map<string, string>();
  if (op.kind === 'set_desired' && ok.length > 0) {
    const rows = await tx<{ id: string; device_id: string }[]>`
      insert into public.device_commands (org_id, device_id, requested_by, desired, shadow_version)
      select ${op.org_id}, r.device_id, ${op.requested_by}, ${tx.json({ [op.key]: op.value } as postgres.JSONValue)}, r.shadow_version
      from jsonb_to_recordset(${tx.json(ok as never)}::jsonb) as r(device_id uuid, shadow_version bigint)
      returning id, device_id`;
    for (const r of rows) commandIds.set(r.device_id, r.id);
  }
  if (op.kind === 'set_attribute' && ok.length > 0) {
    // The registry version moved on in AWS; unknown until the next registry sync reads it.
    const edit = { kind: 'merge', key: op.key, value: String(op.value) } as const;
    await writeAttributeEdit(tx, { orgId: op.org_id, deviceIds: ok.map((r) => r.device_id) }, edit, null);
  }
  const records = results.map((r) => ({ id: r.id, status: r.status, error: r.error, command_id: commandIds.get(r.device_id) ?? null }));
  await tx`
    update public.bulk_operation_items i set status = u.status::public.bulk_operation_item_status, error = u.error, command_id = u.command_id, finished_at = now()
    from jsonb_to_recordset(${tx.json(records as never)}::jsonb) as u(id bigint, status text, error text, command_id uuid)
    where i.id = u.id and i.org_id = ${op.org_id} and i.status = 'pending'`;
  await tx`
    update public.bulk_operations set succeeded_count = succeeded_count + ${ok.length}, failed_count = failed_count + ${results.length - ok.length},
      api_calls = api_calls + ${delta.calls}, throttled = throttled + ${delta.throttled}
    where id = ${op.id}`;
  return fenced;
}

async function finish(db: Db, op: Operation, workerId: string, cancelled: boolean, totals: { calls: number; throttled: number }, log: Logger): Promise<BulkRunResult> {
  const row = await db(async (tx) => {
    await fence(tx, op, workerId);
    const skipped = await tx`
      update public.bulk_operation_items set status = 'skipped', error = 'Cancelled before this device was changed.', finished_at = now()
      where org_id = ${op.org_id} and operation_id = ${op.id} and status = 'pending'
      returning id`;
    const status = cancelled ? 'cancelled' : 'completed';
    const [done] = await tx<{ succeeded_count: number; failed_count: number; skipped_count: number; api_calls: number; throttled: number }[]>`
      update public.bulk_operations set status = ${status}, skipped_count = skipped_count + ${skipped.length}, finished_at = now(), heartbeat_at = now()
      where id = ${op.id}
      returning succeeded_count, failed_count, skipped_count, api_calls, throttled`;
    await tx`
      insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
      values (${op.org_id}, ${op.requested_by}, ${`bulk_operation.${status}`}, 'bulk_operation', ${op.id},
              ${tx.json({ succeeded: done!.succeeded_count, failed: done!.failed_count, skipped: done!.skipped_count, apiCalls: done!.api_calls, throttled: done!.throttled })})`;
    return { status, ...done! };
  });
  log.info({ status: row.status, succeeded: row.succeeded_count, failed: row.failed_count, throttled: totals.throttled }, 'bulk operation finished');
  return {
    outcome: 'ran',
    status: row.status as 'completed' | 'cancelled',
    succeeded: row.succeeded_count,
    failed: row.failed_count,
    skipped: row.skipped_count,
    apiCalls: row.api_calls,
    throttled: row.throttled,
  };
}
