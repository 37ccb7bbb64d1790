import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { RuleForm } from '@/features/alerts/components/rule-form';
import { ALERTS_WRITE_ROLE } from '@/features/alerts/schemas';
import { listChannels } from '@/features/notifications/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'New alert rule' };

export default async function NewAlertRulePage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  // Viewers read rules only; the action refuses them as well.
  if (!hasRole(role, ALERTS_WRITE_ROLE)) notFound();
  const channels = await asUser(user.claims, (db) => listChannels(db, org.id));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.alertRules(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Alert rules
        </Link>
      </p>
      <PageHeader title="New alert rule" description="Choose what to watch, on which devices, and whom to tell." />
      <RuleForm orgSlug={org.slug} channels={channels.items} />
    </>
  );
}
