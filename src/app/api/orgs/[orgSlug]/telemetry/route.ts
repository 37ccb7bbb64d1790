import { NextResponse, type NextRequest } from 'next/server';
import { telemetryAppDeps } from '@/features/telemetry/app-deps';
import { NO_STORE, parseTelemetryQuery, telemetryFailure } from '@/features/telemetry/http';
import { loadTelemetry } from '@/features/telemetry/service';
import { getSessionUser } from '@/lib/auth';
import { limitRoute } from '@/lib/rate-limit';
import { requestLogger } from '@/lib/request-log';

export const dynamic = 'force-dynamic';

/**
 * Chart data for TanStack Query: one device (`?device=<uuid>`) or the fleet the URL's device filter
 * selects, with the server time, bytes scanned and cache state. The session's user, under RLS.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: NO_STORE });
  const query = parseTelemetryQuery(request.nextUrl.searchParams);
  if (!query.ok) return query.response;
  const { filter } = query;
  const limited = await limitRoute('telemetry', user.id);
  if (limited) return limited;
  const { orgSlug } = await params;
  try {
    const data = await loadTelemetry(
      telemetryAppDeps(user.claims),
      { orgSlug, request: query.request, filter },
    );
    return NextResponse.json(data, { headers: { ...NO_STORE, 'server-timing': `telemetry;dur=${data.serverMs}` } });
  } catch (error) {
    const log = await requestLogger({ route: 'telemetry', userId: user.id });
    return telemetryFailure(error, log, 'telemetry request');
  }
}
