import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { parseDeviceFilter } from '@/features/devices/filters';
import { telemetryCache } from '@/features/telemetry/cache';
import { TELEMETRY_PARAM_NAMES, telemetryRequestSchema } from '@/features/telemetry/schemas';
import { TelemetryUpstreamError } from '@/features/telemetry/service';
import { chartCsv, chartCsvFilename } from '@/features/telemetry-store/chart-csv';
import { getSessionUser } from '@/lib/auth';
import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { asService, asUser } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { limitRoute } from '@/lib/rate-limit';
import { requestLogger } from '@/lib/request-log';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };
const STATUS = { VALIDATION: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PRECONDITION: 409, RATE_LIMITED: 429 } as const;

/**
 * A telemetry chart's series as CSV: the chart route's query string (`?metric=&range=&device=` or a
 * device filter), answered by the same server function under the session user's RLS, then streamed.
 * Errors (validation, not found, Timestream refusing) are JSON, before any CSV byte is sent.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore });
  const search = request.nextUrl.searchParams;
  const raw = Object.fromEntries(TELEMETRY_PARAM_NAMES.flatMap((name) => (search.get(name) ? [[name, search.get(name)]] : [])));
  const parsed = telemetryRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return NextResponse.json({ error: 'Invalid query.', fieldErrors: z.flattenError(parsed.error).fieldErrors }, { status: 400, headers: noStore });
  }
  const { filter, invalid } = parseDeviceFilter(search);
  if (!parsed.data.device && invalid.length > 0) {
    const fieldErrors = Object.fromEntries(invalid.map((name) => [name, ['Invalid filter value.']]));
    return NextResponse.json({ error: 'Invalid device filter.', fieldErrors }, { status: 400, headers: noStore });
  }
  const limited = await limitRoute('telemetryExport', user.id);
  if (limited) return limited;
  const { orgSlug } = await params;
  const env = serverEnv();
  const log = (await requestLogger({ route: 'telemetry.export' })).child({ userId: user.id });
  let csv;
  try {
    csv = await chartCsv(
      {
        asUser: (fn) => asUser(user.claims, fn),
        readAsUser: (fn) => asUser(user.claims, fn),
        asService,
        keyring: env.FLEETLINE_VAULT_KEYS,
        platform: platformIdentityFromEnv(),
        cache: telemetryCache(),
        now: Date.now,
      },
      { orgSlug, request: parsed.data, filter },
    );
  } catch (error) {
    if (error instanceof AppError) {
      log.info({ code: error.code }, 'telemetry export refused');
      return NextResponse.json({ error: error.message, code: error.code, fieldErrors: error.fieldErrors }, { status: STATUS[error.code], headers: noStore });
    }
    if (error instanceof TelemetryUpstreamError) {
      log.warn({ awsError: error.awsError }, 'timestream query failed');
      return NextResponse.json({ error: error.message, code: 'UPSTREAM', awsError: error.awsError }, { status: 502, headers: noStore });
    }
    log.error({ err: error }, 'telemetry export failed');
    return NextResponse.json({ error: 'Something went wrong on our side. Please try again.', code: 'INTERNAL' }, { status: 500, headers: noStore });
  }
  const { chunks, series } = csv;
  const encoder = new TextEncoder();
  // Pull-based: the next page of raw points is read only when the reader wants more.
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        log.error({ err: error }, 'telemetry export failed while streaming');
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      ...noStore,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${chartCsvFilename(orgSlug, series, new Date())}"`,
      'x-content-type-options': 'nosniff',
      'x-telemetry-source': series.sources.map((s) => s.source + (s.resolution ? `:${s.resolution}` : '')).join(','),
      'x-telemetry-bin': series.bin,
      'x-telemetry-range': `${series.from}/${series.to}`,
      'x-telemetry-rows': csv.raw ? 'raw' : 'bins',
    },
  });
}
