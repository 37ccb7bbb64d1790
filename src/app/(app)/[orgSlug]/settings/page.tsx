import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { RenameOrgForm } from '@/features/orgs/components/rename-org-form';
import { loadWorkspace } from '@/features/orgs/workspace';
import { paths } from '@/lib/paths';
import { ROLE_LABELS, hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  return (
    <>
      <PageHeader title="Settings" description="Organization details and your account." />
      <div className="space-y-6">
        <Card title="Organization">
          {hasRole(role, 'admin') ? (
            <RenameOrgForm orgSlug={org.slug} name={org.name} />
          ) : (
            <dl className="grid gap-1 text-sm">
              <dt className="text-ink-muted">Name</dt>
              <dd className="font-medium">{org.name}</dd>
            </dl>
          )}
          <p className="mt-4 text-sm text-ink-muted">
            URL: <code className="rounded bg-surface-muted px-1 py-0.5">/{org.slug}</code>
          </p>
        </Card>
        <Card title="Notifications" description="E-mail and webhook channels that alert rules send to, with their delivery logs.">
          <Link href={paths.notifications(org.slug)} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
            Notification channels →
          </Link>
        </Card>
        <Card title="Your account">
          <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
            <dt className="text-ink-muted">Email</dt>
            <dd>{user.email}</dd>
            <dt className="text-ink-muted">Role here</dt>
            <dd>{ROLE_LABELS[role]}</dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
