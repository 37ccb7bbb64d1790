import type { Metadata } from 'next';
import Link from 'next/link';
import { Logo } from '@/components/logo';
import { CreateOrgForm } from '@/features/orgs/components/create-org-form';
import { listMyOrganizations } from '@/features/orgs/queries';
import { requireUser } from '@/lib/auth';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';

export const metadata: Metadata = { title: 'New organization' };

export default async function NewOrgPage() {
  const user = await requireUser();
  const orgs = await asUser(user.claims, (db) => listMyOrganizations(db));
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <Logo className="mb-8 text-xl" />
      <div className="w-full max-w-md rounded-xl border border-line bg-surface p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Create an organization</h1>
        <p className="mb-5 mt-1 text-sm text-ink-muted">
          An organization holds your AWS connections, devices and team. You will be its owner.
        </p>
        <CreateOrgForm />
      </div>
      {orgs.length > 0 ? (
        <p className="mt-6 text-sm text-ink-muted">
          Or go back to{' '}
          <Link className="font-medium text-brand-600 hover:underline" href={paths.org(orgs[0]!.slug)}>
            {orgs[0]!.name}
          </Link>
        </p>
      ) : null}
      <p className="mt-2 text-xs text-ink-faint">Signed in as {user.email}</p>
    </main>
  );
}
