import { z } from 'zod';
import type { Tx } from '@/lib/db';
import { writePresence, type PresenceEvent } from '@/features/sync/writer';
import type { Db } from '@/features/integrations/runtime/integration';
import type { IngestLimits } from './config';
import type { TelemetryPoint, WritePoints } from './points';
import { INGEST_SECRET_HEADER, ingestSecretMatchesAny } from './secret';
import { checkMessage, type RejectReason } from './validate';

/**
 * The ingest endpoint of one integration (POST /api/ingest/v1/<integrationId>): what the rules
 * engine's HTTP action delivers. The bounded body is parsed and validated outside any transaction;
 * then one short service-role transaction checks the secret first (a request that fails it gets 401
 * and leaves nothing behind), resolves the devices, writes presence events and counts invalid
 * messages per reason (never stored). The points go to the store's writer after that commit: in the
 * app, the per-process write combiner, which writes the points of concurrent requests in one
 * statement (rollups included). The answer follows the commit of the points too (durable).
 */

export interface IngestDeps {
  db: Db;
  /** Stores points in its own transaction (never the ingest's), resolving after it committed. */
  writePoints: WritePoints;
  limits: IngestLimits;
  now?: () => number;
  /** How often last_message_at / last_presence_at are refreshed (ms). */
  touchEveryMs?: number;
  /**
   * Called after a request's write committed, when it stored points or changed presence (e.g. to
   * request an alert evaluation). Outside the transaction; a failure is the hook's own to log.
   */
  afterWrite?: (change: IngestWrite) => Promise<unknown>;
}

/** What one committed ingest request changed. */
export interface IngestWrite {
  orgId: string;
  integrationId: string;
  points: number;
  presence: number;
}

export interface IngestRequest {
  integrationId: string;
  headers: Pick<Headers, 'get'>;
  /** Reads at most `max` bytes of the body; null when it is longer. */
  readBody: (max: number) => Promise<string | null>;
}

export interface IngestResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface IngestSummary {
  accepted: number;
  points: number;
  presence: number;
  rejected: Partial<Record<RejectReason, number>>;
}

const UNAUTHORIZED: IngestResponse = { status: 401, body: { error: 'unauthorized' } };
const integrationIdSchema = z.uuid();

interface LiveTarget {
  orgId: string;
  integrationId: string;
}

/** The tenant of the integration, or null unless live data is on and the presented secret matches its hash. */
export async function authenticateIngest(tx: Tx, integrationId: string, presented: string): Promise<LiveTarget | null> {
  // The previous secret only while its rotation's grace period lasts (database clock).
  const [row] = await tx<{ org_id: string; enabled: boolean; secret_hash: Buffer | null; previous_hash: Buffer | null }[]>`
    select org_id, enabled, secret_hash,
           case when previous_secret_expires_at > now() then previous_secret_hash end as previous_hash
    from public.integration_live_data where integration_id = ${integrationId}`;
  // Compare even when disabled or unknown, so the answer's timing does not tell them apart.
  const matches = ingestSecretMatchesAny(presented, [row?.secret_hash ?? null, row?.previous_hash ?? null]);
  return row && row.enabled && matches ? { orgId: row.org_id, integrationId } : null;
}

/** Per process: when each integration's last_* column was last refreshed (the column is throttled too). */
const touched = new Map<string, number>();

function shouldTouch(key: string, nowMs: number, everyMs: number): boolean {
  const last = touched.get(key);
  if (last !== undefined && nowMs - last < everyMs) return false;
  if (touched.size > 10_000) touched.clear();
  touched.set(key, nowMs);
  return true;
}

export async function countRejections(tx: Tx, target: LiveTarget, rejected: Partial<Record<RejectReason, number>>): Promise<void> {
  const rows = Object.entries(rejected).map(([reason, count]) => ({ reason, count }));
  if (rows.length === 0) return;
  await tx`
    insert into public.ingest_rejections as r (org_id, integration_id, reason, count, last_at)
    select ${target.orgId}, ${target.integrationId}, x.reason, x.count, now()
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as x(reason text, count bigint)
    order by x.reason
    on conflict (integration_id, reason) do update set count = r.count + excluded.count, last_at = excluded.last_at`;
}

type Parsed = { failure: { status: number; reason: RejectReason } } | { messages: unknown[] };

function parseBody(text: string | null, limits: IngestLimits): Parsed {
  if (text === null) return { failure: { status: 413, reason: 'batch_too_large' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { failure: { status: 400, reason: 'malformed_request' } };
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  if (messages.length === 0) return { failure: { status: 400, reason: 'malformed_request' } };
  if (messages.length > limits.maxBatch) return { failure: { status: 413, reason: 'batch_too_large' } };
  return { messages };
}

/**
 * One short transaction per request: the secret check comes first in it, and a request that fails it
 * writes nothing (not even a counter). Parsing and validation happen before, outside the transaction;
 * the points are written after it (deps.writePoints, its own transaction), and the answer waits for them.
 */
export async function ingest(deps: IngestDeps, request: IngestRequest): Promise<IngestResponse> {
  const presented = request.headers.get(INGEST_SECRET_HEADER);
  if (!integrationIdSchema.safeParse(request.integrationId).success || !presented || presented.length > 256) return UNAUTHORIZED;
  const { limits } = deps;
  const body = parseBody(await request.readBody(limits.maxRequestBytes), limits);
  const nowMs = (deps.now ?? Date.now)();
  const checked = 'messages' in body ? body.messages.map((m) => checkMessage(m, limits, nowMs)) : [];
  const things = [...new Set(checked.flatMap((c) => (c.kind === 'rejected' ? [] : [c.thing])))];
  const everyMs = deps.touchEveryMs ?? 5_000;

  const points: TelemetryPoint[] = [];
  // Who was written to and how many devices' presence changed, for the afterWrite hook once committed.
  let wrote: { target: LiveTarget; presence: number } | null = null;
  const answer = await deps.db(async (tx): Promise<IngestResponse> => {
    const target = await authenticateIngest(tx, request.integrationId, presented);
    if (!target) return UNAUTHORIZED;
    if ('failure' in body) {
      const { status, reason } = body.failure;
      await countRejections(tx, target, { [reason]: 1 });
      return { status, body: { error: reason, accepted: 0, rejected: { [reason]: 1 } } };
    }

    const summary: IngestSummary = { accepted: 0, points: 0, presence: 0, rejected: {} };
    const reject = (reason: RejectReason) => (summary.rejected[reason] = (summary.rejected[reason] ?? 0) + 1);
    const devices = new Map<string, string>();
    if (things.length > 0) {
      const rows = await tx<{ id: string; thing_name: string }[]>`
        select id, thing_name from public.devices
        where org_id = ${target.orgId} and integration_id = ${target.integrationId}
          and thing_name = any(${things}::text[]) and removed_at is null`;
      for (const r of rows) devices.set(r.thing_name, r.id);
    }
    const presence: PresenceEvent[] = [];
    for (const c of checked) {
      if (c.kind === 'rejected') {
        reject(c.reason);
        continue;
      }
      const deviceId = devices.get(c.thing);
      // Unknown devices are counted, never created: the sync owns the device list.
      if (deviceId === undefined) {
        reject('unknown_device');
        continue;
      }
      summary.accepted++;
      if (c.kind === 'presence') {
        presence.push({ thingName: c.thing, connected: c.connected, at: c.at, disconnectReason: c.disconnectReason });
        continue;
      }
      for (const [metric, value] of c.metrics) points.push({ ...target, deviceId, metric, ts: c.ts, value });
    }
    if (presence.length > 0) summary.presence = await writePresence(tx, target, presence);
    await countRejections(tx, target, summary.rejected);
    const touchMessage = summary.accepted > 0 && shouldTouch(`m:${target.integrationId}`, nowMs, everyMs);
    const touchPresence = presence.length > 0 && shouldTouch(`p:${target.integrationId}`, nowMs, everyMs);
    if (touchMessage || touchPresence) {
      const interval = `${everyMs} milliseconds`;
      await tx`
        update public.integration_live_data set
          last_message_at = case when ${touchMessage} then now() else last_message_at end,
          last_presence_at = case when ${touchPresence} then now() else last_presence_at end
        where integration_id = ${target.integrationId} and org_id = ${target.orgId}
          and (last_message_at is null or last_message_at < now() - ${interval}::interval
               or (${touchPresence} and (last_presence_at is null or last_presence_at < now() - ${interval}::interval)))`;
    }
    wrote = { target, presence: summary.presence };
    return { status: 200, body: { ...summary } };
  });
  // Only an authenticated request collected points; they are written after its transaction ended.
  if (points.length > 0 && answer.status === 200) answer.body.points = (await deps.writePoints(points)).written;
  const change = wrote as { target: LiveTarget; presence: number } | null;
  const pointsWritten = typeof answer.body.points === 'number' ? answer.body.points : 0;
  if (change && deps.afterWrite && (pointsWritten > 0 || change.presence > 0)) {
    await deps.afterWrite({ ...change.target, points: pointsWritten, presence: change.presence }).catch(() => undefined);
  }
  return answer;
}

/** Reads a request body up to `max` bytes; null as soon as it is longer (the rest is not read). */
export async function readBounded(body: ReadableStream<Uint8Array> | null, max: number): Promise<string | null> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
