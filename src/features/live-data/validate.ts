import type { IngestLimits } from './config';

/**
 * Checks one message the rules engine delivered, before any database work: a telemetry message
 * (the rule's `SELECT *, topic(2) AS thing, timestamp() AS ts`: numeric metrics plus thing and ts)
 * or an AWS lifecycle (presence) event. Pure; whether the thing is a device of the integration is
 * decided by the ingest with one query per request.
 */

export const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

export const REJECT_REASONS = [
  'malformed_request',
  'batch_too_large',
  'not_object',
  'message_too_large',
  'missing_thing',
  'unknown_device',
  'bad_metric_name',
  'bad_value',
  'too_many_metrics',
  'no_metrics',
  'bad_timestamp',
  'stale_timestamp',
  'future_timestamp',
  'bad_presence',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Keys the telemetry rule adds; everything else is a metric. */
const RESERVED = new Set(['thing', 'ts']);

export type CheckedMessage =
  | { kind: 'telemetry'; thing: string; ts: Date; metrics: [string, number][] }
  | { kind: 'presence'; thing: string; connected: boolean; at: Date; disconnectReason: string | null }
  | { kind: 'rejected'; reason: RejectReason };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkTime(value: unknown, limits: IngestLimits, nowMs: number): Date | RejectReason {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value <= 0) return 'bad_timestamp';
  if (value < nowMs - limits.maxAgeMs) return 'stale_timestamp';
  if (value > nowMs + limits.maxFutureMs) return 'future_timestamp';
  return new Date(value);
}

export function checkMessage(raw: unknown, limits: IngestLimits, nowMs: number): CheckedMessage {
  if (!isObject(raw)) return { kind: 'rejected', reason: 'not_object' };
  if (JSON.stringify(raw).length > limits.maxMessageBytes) return { kind: 'rejected', reason: 'message_too_large' };
  if ('eventType' in raw && 'clientId' in raw) return checkPresence(raw, limits, nowMs);

  const thing = raw.thing;
  if (typeof thing !== 'string' || !THING_NAME.test(thing)) return { kind: 'rejected', reason: 'missing_thing' };
  const ts = checkTime(raw.ts, limits, nowMs);
  if (!(ts instanceof Date)) return { kind: 'rejected', reason: ts };
  const metrics: [string, number][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (RESERVED.has(name)) continue;
    if (!METRIC_NAME.test(name)) return { kind: 'rejected', reason: 'bad_metric_name' };
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limits.maxAbsValue) return { kind: 'rejected', reason: 'bad_value' };
    metrics.push([name, value]);
  }
  if (metrics.length === 0) return { kind: 'rejected', reason: 'no_metrics' };
  if (metrics.length > limits.maxMetrics) return { kind: 'rejected', reason: 'too_many_metrics' };
  return { kind: 'telemetry', thing, ts, metrics };
}

/** AWS lifecycle event: clientId (= thing name by convention), eventType, timestamp (ms), disconnectReason. */
function checkPresence(raw: Record<string, unknown>, limits: IngestLimits, nowMs: number): CheckedMessage {
  const { clientId, eventType, disconnectReason } = raw;
  if (typeof clientId !== 'string' || !THING_NAME.test(clientId)) return { kind: 'rejected', reason: 'missing_thing' };
  if (eventType !== 'connected' && eventType !== 'disconnected') return { kind: 'rejected', reason: 'bad_presence' };
  if (disconnectReason !== undefined && disconnectReason !== null && (typeof disconnectReason !== 'string' || disconnectReason.length > 128)) {
    return { kind: 'rejected', reason: 'bad_presence' };
  }
  const at = checkTime(raw.timestamp, limits, nowMs);
  if (!(at instanceof Date)) return { kind: 'rejected', reason: at };
  return {
    kind: 'presence',
    thing: clientId,
    connected: eventType === 'connected',
    at,
    disconnectReason: eventType === 'disconnected' && typeof disconnectReason === 'string' ? disconnectReason : null,
  };
}
