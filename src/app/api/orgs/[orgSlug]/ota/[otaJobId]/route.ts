import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { otaDeps } from '@/features/ota/deps';
import { jsonError, memberJson } from '@/features/ota/http';
import { getOtaJob } from '@/features/ota/queries';
import { refreshOtaJob } from '@/features/ota/refresh';
import { requestLogger } from '@/lib/request-log';

export const dynamic = 'force-dynamic';

/**
 * One job for the polling detail page. While the job can change, a poll first refreshes it from
 * AWS when its rate-limited refresh is due (another poll may already have); then it reads the cache.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string; otaJobId: string }> }) {
  const { orgSlug, otaJobId } = await params;
  if (!z.uuid().safeParse(otaJobId).success) return jsonError(404, 'Not found.');
  const log = await requestLogger({ route: 'ota-job' });
  return memberJson(
    orgSlug,
    { schema: z.object({}), params: request.nextUrl.searchParams },
    ({ org }, _q, db) => getOtaJob(db, org.id, otaJobId),
    async ({ org }) => {
      await refreshOtaJob({ ...otaDeps(), log }, org.id, otaJobId);
    },
  );
}
