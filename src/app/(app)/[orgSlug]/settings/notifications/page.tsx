import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ChannelList } from '@/features/notifications/components/channel-list';
import { CreateChannelForm } from '@/features/notifications/components/create-channel-form';
import { listChannels, listLastDeliveries } from '@/features/notifications/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole, ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Notifications' };

export default async function NotificationsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const isAdmin = hasRole(role, 'admin');
  const { channels, last } = await asUser(user.claims, async (db) => ({
    channels: (await listChannels(db, org.id)).items,
    last: await listLastDeliveries(db, org.id),
  }));

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.settings(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Settings
        </Link>
      </p>
      <PageHeader title="Notifications" description="Channels alert rules send to: e-mail recipients or a webhook (signed JSON or Slack-compatible)." />
      <div className="space-y-6">
        {!isAdmin ? (
          <p className="text-sm text-ink-muted" data-testid="read-only-note">
            You are a {ROLE_LABELS[role].toLowerCase()} of {org.name}: channels are read-only for you. Admins and owners manage them.
          </p>
        ) : null}
        {channels.length === 0 ? (
          <EmptyState title="No notification channels yet">
            {isAdmin
              ? 'Add an e-mail or webhook channel below, then route alert rules to it.'
              : 'Once an admin or owner adds an e-mail or webhook channel, it appears here with its delivery log.'}
          </EmptyState>
        ) : (
          <ChannelList orgSlug={org.slug} items={channels} lastDeliveries={last} />
        )}
        {isAdmin ? (
          <Card title="Add a channel" description="A webhook gets its own signing secret, shown once.">
            <CreateChannelForm orgSlug={org.slug} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
