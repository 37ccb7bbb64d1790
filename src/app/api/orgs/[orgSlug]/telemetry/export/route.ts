import { NextResponse, type NextRequest } from 'next/server';
import { telemetryAppDeps } from '@/features/telemetry/app-deps';
import { NO_STORE, parseTelemetryQuery, telemetryFailure } from '@/features/telemetry/http';
import { chartCsv, chartCsvFilename } from '@/features/telemetry-store/chart-csv';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { limitRoute } from '@/lib/rate-limit';
import { requestLogger } from '@/lib/request-log';

export const dynamic = 'force-dynamic';

/**
 * A telemetry chart's series as CSV: the chart route's query string (`?metric=&range=&device=` or a
 * device filter), answered by the same server function under the session user's RLS, then streamed.
 * Errors (validation, not found, Timestream refusing) are JSON, before any CSV byte is sent.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: NO_STORE });
  const query = parseTelemetryQuery(request.nextUrl.searchParams);
  if (!query.ok) return query.response;
  const { filter } = query;
  const limited = await limitRoute('telemetryExport', user.id);
  if (limited) return limited;
  const { orgSlug } = await params;
  const log = (await requestLogger({ route: 'telemetry.export' })).child({ userId: user.id });
  let csv;
  try {
    csv = await chartCsv(
      { ...telemetryAppDeps(user.claims), readAsUser: (fn) => asUser(user.claims, fn) },
      { orgSlug, request: query.request, filter },
    );
  } catch (error) {
    return telemetryFailure(error, log, 'telemetry export');
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
      ...NO_STORE,
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
