import { NextResponse } from 'next/server';
import { getFleetOverview } from '@/features/overview/queries';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };

/** The organization overview for the polling UI: the session's user, under RLS; non-members get 404. */
export async function GET(_request: Request, { params }: { params: Promise<{ orgSlug: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore });
  const { orgSlug } = await params;
  const overview = await asUser(user.claims, async (db) => {
    const membership = await resolveMembership(db, orgSlug);
    return membership ? getFleetOverview(db, membership.org.id) : null;
  });
  if (!overview) return NextResponse.json({ error: 'Organization not found.' }, { status: 404, headers: noStore });
  return NextResponse.json(overview, { headers: noStore });
}
