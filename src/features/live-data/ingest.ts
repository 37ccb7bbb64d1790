import { z } from 'zod';
import { writePresence, type PresenceEvent } from '@/features/sync/writer';
import type { Db } from '@/features/integrations/runtime/integration';
import type { IngestLimits } from './config';
import type { TelemetryPoint, WritePoints } from './points';
import { directLookups, type IngestLookups, type IngestTarget } from './ingest-lookups';
import { directTally, type IngestTally } from './ingest-tally';
import { INGEST_SECRET_HEADER, ingestSecretMatchesAny } from './secret';
import { checkMessage, type RejectReason } from './validate';

/**
 * The ingest endpoint of one integration (POST /api/ingest/v1/<integrationId>): what the rules
 * engine's HTTP action delivers. The bounded body is parsed and validated first; the secret is checked
 * against the integration's auth record (a request that fails it gets 401 and leaves nothing behind),
 * thing names are resolved to devices, and the points go to the store's writer: in the app and the
 * standalone ingest server, the per-process write combiner, which writes the points of concurrent
 * requests in one statement and acknowledges after the raw rows committed (durable; rollups follow
 * asynchronously). With the cached lookups and the batched tally (see ingest-lookups.ts,
 * ingest-tally.ts) a telemetry request costs no other database round trip. Presence events are
 * applied in their own short transaction before the answer (they are rare and must show promptly).
 */

export interface IngestDeps {
  db: Db;
  /** Stores points in its own transaction (never the ingest's), resolving after it committed. */
  writePoints: WritePoints;
  limits: IngestLimits;
  now?: () => number;
  /** Auth records and thing names; read directly from Postgres unless a cache is given. */
  lookups?: IngestLookups;
  /** Rejection counters and last_* timestamps; written per request unless a batched tally is given. */
  tally?: IngestTally;
  /** How often last_message_at / last_presence_at are refreshed (ms), for the default tally. */
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

/** The tenant of the integration, or null unless live data is on and the presented secret matches an accepted hash. */
export async function authenticateIngest(lookups: IngestLookups, integrationId: string, presented: string): Promise<IngestTarget | null> {
  const record = await lookups.auth(integrationId);
  // Compare even when disabled or unknown, so the answer's timing does not tell them apart.
  const matches = ingestSecretMatchesAny(presented, record?.hashes ?? [null, null]);
  return record && record.enabled && matches ? { orgId: record.orgId, integrationId } : null;
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

export async function ingest(deps: IngestDeps, request: IngestRequest): Promise<IngestResponse> {
  const presented = request.headers.get(INGEST_SECRET_HEADER);
  if (!integrationIdSchema.safeParse(request.integrationId).success || !presented || presented.length > 256) return UNAUTHORIZED;
  const { limits } = deps;
  const lookups = deps.lookups ?? directLookups(deps.db);
  const tally = deps.tally ?? directTally(deps.db, deps.touchEveryMs);
  const body = parseBody(await request.readBody(limits.maxRequestBytes), limits);
  const nowMs = (deps.now ?? Date.now)();

  const target = await authenticateIngest(lookups, request.integrationId, presented);
  if (!target) return UNAUTHORIZED;
  if ('failure' in body) {
    const { status, reason } = body.failure;
    await tally.record(target, { rejected: { [reason]: 1 } });
    return { status, body: { error: reason, accepted: 0, rejected: { [reason]: 1 } } };
  }

  const checked = body.messages.map((m) => checkMessage(m, limits, nowMs));
  const things = [...new Set(checked.flatMap((c) => (c.kind === 'rejected' ? [] : [c.thing])))];
  const devices = await lookups.devices(target, things);
  const summary: IngestSummary = { accepted: 0, points: 0, presence: 0, rejected: {} };
  const reject = (reason: RejectReason) => (summary.rejected[reason] = (summary.rejected[reason] ?? 0) + 1);
  const points: TelemetryPoint[] = [];
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
  // Presence and points in parallel: separate transactions, both committed before the answer.
  const [presenceApplied, stored] = await Promise.all([
    presence.length > 0 ? deps.db((tx) => writePresence(tx, target, presence)) : 0,
    points.length > 0 ? deps.writePoints(points) : null,
  ]);
  summary.presence = presenceApplied;
  if (stored) summary.points = stored.written;
  await tally.record(target, { rejected: summary.rejected, message: summary.accepted > 0, presence: presence.length > 0 });
  // Points are committed (raw rows; rollups follow within about a second) and presence applied.
  if (deps.afterWrite && (summary.points > 0 || summary.presence > 0)) {
    await deps.afterWrite({ ...target, points: summary.points, presence: summary.presence }).catch(() => undefined);
  }
  return { status: 200, body: { ...summary } };
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
