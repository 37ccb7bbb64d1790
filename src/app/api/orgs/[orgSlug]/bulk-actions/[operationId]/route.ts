import { NextResponse } from 'next/server';
import { getBulkOperation } from '@/features/bulk-actions/queries';
import { bulkOperationRefSchema } from '@/features/bulk-actions/schemas';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };

/** One bulk operation's progress and per-device report, for the polling progress bar (any member). */
export async function GET(_request: Request, { params }: { params: Promise<{ orgSlug: string; operationId: string }> }) {
  const user = await getSessionUser();
  if (!user) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore });
  const { orgSlug, operationId } = await params;
  const ref = bulkOperationRefSchema.safeParse({ operationId });
  if (!ref.success) return NextResponse.json({ error: 'Bulk operation not found.' }, { status: 404, headers: noStore });
  const report = await asUser(user.claims, async (db) => {
    const membership = await resolveMembership(db, orgSlug);
    return membership ? getBulkOperation(db, membership.org.id, ref.data.operationId) : null;
  });
  if (!report) return NextResponse.json({ error: 'Bulk operation not found.' }, { status: 404, headers: noStore });
  return NextResponse.json(report, { headers: noStore });
}
