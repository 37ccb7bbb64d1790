import { z } from 'zod';
import { unreadAlertCount } from '@/features/alerts/queries';
import { memberJson } from '@/features/ota/http';

export const dynamic = 'force-dynamic';

/** The bell's count for the signed-in member, under RLS (401 without a session, 404 for non-members). */
export async function GET(_request: Request, { params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  return memberJson(orgSlug, { schema: z.object({}), params: new URLSearchParams() }, async ({ org, user }, _q, db) => ({
    count: await unreadAlertCount(db, org.id, user.id),
  }));
}
