import type { NextRequest } from 'next/server';
import { memberJson } from '@/features/ota/http';
import { searchTargetThings } from '@/features/ota/queries';
import { targetSearchQuerySchema } from '@/features/ota/schemas';

export const dynamic = 'force-dynamic';

/** Things of one integration matching a search (the device list's `q`), for the wizard's target picker. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  return memberJson(orgSlug, { schema: targetSearchQuerySchema, params: request.nextUrl.searchParams }, ({ org }, q, db) =>
    searchTargetThings(db, org.id, q.integrationId, q.q || undefined),
  );
}
