import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { resolveMembership } from '@/lib/actions';
import { getSessionUser } from '@/lib/auth';
import type { OrgRef, SessionUser } from '@/lib/context';
import { asUser, type Tx } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';

/** JSON route plumbing for the OTA pages' polling: session user, membership under RLS, no caching. */
export const noStore = { 'cache-control': 'no-store' };

export function jsonError(status: number, error: string, fieldErrors?: Record<string, string[] | undefined>) {
  return NextResponse.json({ error, ...(fieldErrors ? { fieldErrors } : {}) }, { status, headers: noStore });
}

export type MemberScope = { user: SessionUser; org: OrgRef; role: OrgRole };

/**
 * Runs `fn` as the signed-in member of the organization (401 without a session, 404 for
 * non-members, 400 for a bad query) and answers its result as JSON (404 when it returns null).
 */
export async function memberJson<Q extends z.ZodType, T>(
  orgSlug: string,
  query: { schema: Q; params: URLSearchParams },
  fn: (scope: MemberScope, q: z.infer<Q>, db: Tx) => Promise<T | null>,
  before?: (scope: MemberScope) => Promise<void>,
) {
  const user = await getSessionUser();
  if (!user) return jsonError(401, 'Sign in first.');
  const parsed = query.schema.safeParse(Object.fromEntries(query.params));
  if (!parsed.success) return jsonError(400, 'Invalid query.', z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  const membership = await asUser(user.claims, (db) => resolveMembership(db, orgSlug));
  if (!membership) return jsonError(404, 'Organization not found.');
  const scope = { user, org: membership.org, role: membership.role };
  if (before) await before(scope);
  const result = await asUser(user.claims, (db) => fn(scope, parsed.data, db));
  if (result === null) return jsonError(404, 'Not found.');
  return NextResponse.json(result, { headers: noStore });
}
