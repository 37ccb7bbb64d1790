import type { Logger } from 'pino';
import { z } from 'zod';
import { parseDeviceFilter, type DeviceFilter } from '@/features/devices/filters';
import { AppError } from '@/lib/errors';
import { TELEMETRY_PARAM_NAMES, telemetryRequestSchema, type TelemetryRequest } from './schemas';
import { TelemetryUpstreamError } from './service';

/**
 * What the chart route and its CSV export share: one reading of the query string (the chart's
 * parameters and the device filter) and one mapping of failures to JSON answers. Web-standard
 * Response only, so nothing here depends on Next.
 */
export const NO_STORE = { 'cache-control': 'no-store' } as const;
const STATUS = { VALIDATION: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PRECONDITION: 409, RATE_LIMITED: 429 } as const;

export type TelemetryQuery = { ok: true; request: TelemetryRequest; filter: DeviceFilter } | { ok: false; response: Response };

export function parseTelemetryQuery(search: URLSearchParams): TelemetryQuery {
  const raw = Object.fromEntries(TELEMETRY_PARAM_NAMES.flatMap((name) => (search.get(name) ? [[name, search.get(name)]] : [])));
  const parsed = telemetryRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, response: Response.json({ error: 'Invalid query.', fieldErrors: z.flattenError(parsed.error).fieldErrors }, { status: 400, headers: NO_STORE }) };
  }
  const { filter, invalid } = parseDeviceFilter(search);
  if (!parsed.data.device && invalid.length > 0) {
    const fieldErrors = Object.fromEntries(invalid.map((name) => [name, ['Invalid filter value.']]));
    return { ok: false, response: Response.json({ error: 'Invalid device filter.', fieldErrors }, { status: 400, headers: NO_STORE }) };
  }
  return { ok: true, request: parsed.data, filter };
}

/** A refused or failed telemetry request as JSON: expected refusals with their code, Timestream as 502, the rest 500. */
export function telemetryFailure(error: unknown, log: Logger, what: string): Response {
  if (error instanceof AppError) {
    log.info({ code: error.code }, `${what} refused`);
    return Response.json({ error: error.message, code: error.code, fieldErrors: error.fieldErrors }, { status: STATUS[error.code], headers: NO_STORE });
  }
  if (error instanceof TelemetryUpstreamError) {
    log.warn({ awsError: error.awsError }, 'timestream query failed');
    return Response.json({ error: error.message, code: 'UPSTREAM', awsError: error.awsError }, { status: 502, headers: NO_STORE });
  }
  log.error({ err: error }, `${what} failed`);
  return Response.json({ error: 'Something went wrong on our side. Please try again.', code: 'INTERNAL' }, { status: 500, headers: NO_STORE });
}
