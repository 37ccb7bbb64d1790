import { NextResponse } from 'next/server';
import { appAwsDeps } from '@/features/commands/deps';
import { getDeviceLive } from '@/features/commands/queries';
import { refreshDevice, type RefreshResult } from '@/features/commands/refresh';
import { COMMAND_MIN_ROLE, deviceRefSchema } from '@/features/commands/schemas';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { hasRole } from '@/lib/roles';

export const dynamic = 'force-dynamic';

const noStore = { 'cache-control': 'no-store' };
type Params = { params: Promise<{ orgSlug: string; deviceId: string }> };

/** Who is asking and for which device, under RLS; null when the device is not theirs to see. */
async function locate(orgSlug: string, deviceId: string) {
  const user = await getSessionUser();
  if (!user) return { error: NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: noStore }) };
  const ref = deviceRefSchema.safeParse({ deviceId });
  if (!ref.success) return { error: NextResponse.json({ error: 'Device not found.' }, { status: 404, headers: noStore }) };
  const found = await asUser(user.claims, async (db) => {
    const membership = await resolveMembership(db, orgSlug);
    if (!membership) return null;
    const rows = await db`select 1 from public.devices where id = ${ref.data.deviceId} and org_id = ${membership.org.id}`;
    return rows.length ? membership : null;
  });
  if (!found) return { error: NextResponse.json({ error: 'Device not found.' }, { status: 404, headers: noStore }) };
  return { user, membership: found, deviceId: ref.data.deviceId };
}

async function respond(located: Exclude<Awaited<ReturnType<typeof locate>>, { error: NextResponse }>, refresh: RefreshResult | null) {
  const live = await asUser(located.user.claims, (db) => getDeviceLive(db, located.membership.org.id, located.deviceId));
  if (!live) return NextResponse.json({ error: 'Device not found.' }, { status: 404, headers: noStore });
  return NextResponse.json({ ...live, refresh }, { headers: noStore });
}

/** The device's cached shadows and commands (every member). */
export async function GET(_request: Request, { params }: Params) {
  const { orgSlug, deviceId } = await params;
  const located = await locate(orgSlug, deviceId);
  if ('error' in located) return located.error;
  return respond(located, null);
}

/** Refreshes the device from AWS first (operators and up; throttled per device), then answers as GET. */
export async function POST(_request: Request, { params }: Params) {
  const { orgSlug, deviceId } = await params;
  const located = await locate(orgSlug, deviceId);
  if ('error' in located) return located.error;
  if (!hasRole(located.membership.role, COMMAND_MIN_ROLE)) {
    return NextResponse.json({ error: 'Refreshing from AWS needs the operator role.' }, { status: 403, headers: noStore });
  }
  return respond(located, await refreshDevice(appAwsDeps(), { orgId: located.membership.org.id, deviceId: located.deviceId }));
}
