import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { jsonError, memberJson } from '@/features/ota/http';
import { listOtaJobExecutions } from '@/features/ota/queries';
import { executionsQuerySchema } from '@/features/ota/schemas';

export const dynamic = 'force-dynamic';

/** A page of a job's executions from the cache (the job route's polling keeps them fresh). */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string; otaJobId: string }> }) {
  const { orgSlug, otaJobId } = await params;
  if (!z.uuid().safeParse(otaJobId).success) return jsonError(404, 'Not found.');
  return memberJson(orgSlug, { schema: executionsQuerySchema, params: request.nextUrl.searchParams }, async ({ org }, q, db) => {
    const [job] = await db`select 1 from public.ota_jobs where id = ${otaJobId} and org_id = ${org.id}`;
    return job ? listOtaJobExecutions(db, org.id, otaJobId, q) : null;
  });
}
