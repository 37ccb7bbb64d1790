import { redirect } from 'next/navigation';
import { listMyOrganizations } from '@/features/orgs/queries';
import { requireUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';

/** Sends a signed-in user to their first organization, or to create one. */
export default async function HomePage() {
  const user = await requireUser();
  const orgs = await asUser(user.claims, (db) => listMyOrganizations(db));
  redirect(orgs[0] ? paths.org(orgs[0].slug) : paths.newOrg);
}
