import { NextResponse, type NextRequest } from 'next/server';
import { csvFilename, deviceCsvChunks } from '@/features/devices/csv';
import { parseDeviceListParams } from '@/features/devices/list-params';
import { producerStream, StreamCancelledError } from '@/features/devices/producer-stream';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { limitRoute } from '@/lib/rate-limit';
import { requestLogger } from '@/lib/request-log';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };

/**
 * CSV of every device matching the list's filter (not just the page shown), in the list's sort
 * order, streamed page by page under the session user's RLS. A filter that does not parse
 * is refused rather than silently exporting a different set.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore });
  const { orgSlug } = await params;
  const { filter, sort, dir, invalid } = parseDeviceListParams(request.nextUrl.searchParams);
  const refused = invalid.filter((name) => name !== 'cursor');
  if (refused.length > 0) {
    return NextResponse.json({ error: 'Invalid filter.', invalid: refused }, { status: 400, headers: noStore });
  }
  const membership = await asUser(user.claims, (db) => resolveMembership(db, orgSlug));
  if (!membership) return NextResponse.json({ error: 'Organization not found.' }, { status: 404, headers: noStore });
  const limited = await limitRoute('deviceExport', user.id);
  if (limited) return limited;

  const log = (await requestLogger({ route: 'devices.export' })).child({ userId: user.id, orgId: membership.org.id });
  const started = performance.now();
  let rows = 0;
  const stream = producerStream(
    async (push) => {
      // Each page is its own short transaction: a slow download waits in push() holding no connection.
      for await (const chunk of deviceCsvChunks((fn) => asUser(user.claims, fn), membership.org.id, { filter, sort, dir })) {
        rows += chunk.rows;
        await push(chunk.text);
      }
      log.info({ rows, ms: Math.round(performance.now() - started) }, 'device export finished');
    },
    (error) => {
      if (!(error instanceof StreamCancelledError)) log.error({ err: error }, 'device export failed');
    },
  );
  return new Response(stream, {
    headers: {
      ...noStore,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csvFilename(membership.org.slug, new Date())}"`,
      'x-content-type-options': 'nosniff',
    },
  });
}
