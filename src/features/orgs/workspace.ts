import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { resolveMembership } from '@/lib/actions';
import { requireUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { listMyOrganizations } from './queries';

/** Resolves the workspace for /[orgSlug] once per request; non-members get a 404. */
export const loadWorkspace = cache(async (slug: string) => {
  const user = await requireUser();
  const result = await asUser(user.claims, async (db) => {
    const membership = await resolveMembership(db, slug);
    return membership ? { ...membership, orgs: await listMyOrganizations(db) } : null;
  });
  if (!result) notFound();
  return { user, ...result };
});
