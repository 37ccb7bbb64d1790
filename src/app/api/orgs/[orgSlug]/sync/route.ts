import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { getSyncStatus } from '@/features/sync/queries';
import { syncStatusQuerySchema } from '@/features/sync/schemas';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };

/** Sync status of an organization's integrations for the polling UI: the session's user, under RLS. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore });
  const query = syncStatusQuerySchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!query.success) {
    return NextResponse.json({ error: 'Invalid query.', fieldErrors: z.flattenError(query.error).fieldErrors }, { status: 400, headers: noStore });
  }
  const { orgSlug } = await params;
  const status = await asUser(user.claims, async (db) => {
    const membership = await resolveMembership(db, orgSlug);
    if (!membership) return null;
    return getSyncStatus(db, membership.org.id, { role: membership.role, integrationId: query.data.integrationId, runs: query.data.runs });
  });
  if (!status) return NextResponse.json({ error: 'Organization not found.' }, { status: 404, headers: noStore });
  return NextResponse.json(status, { headers: noStore });
}
