import type { NextRequest } from 'next/server';
import { memberJson } from '@/features/ota/http';
import { listOtaJobs } from '@/features/ota/queries';
import { otaJobListQuerySchema } from '@/features/ota/schemas';

export const dynamic = 'force-dynamic';

/** The organization's OTA jobs (newest first) from the cache, for the polling list. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  return memberJson(orgSlug, { schema: otaJobListQuerySchema, params: request.nextUrl.searchParams }, ({ org }, q, db) =>
    listOtaJobs(db, org.id, { status: q.status, cursor: q.cursor }),
  );
}
