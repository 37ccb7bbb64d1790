import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { OpenAlertsCard } from '@/features/alerts/components/open-alerts-card';
import { openAlertCounts } from '@/features/alerts/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { FleetOverview } from '@/features/overview/components/fleet-overview';
import { getFleetOverview } from '@/features/overview/queries';
import { getSyncStatus } from '@/features/sync/queries';
import { syncStatusQuerySchema } from '@/features/sync/schemas';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  // One transaction; the same shapes the polling routes return, so the client starts from them without a flash.
  const [status, overview, alertCounts] = await asUser(user.claims, (db) =>
    Promise.all([getSyncStatus(db, org.id, { role, runs: syncStatusQuerySchema.parse({}).runs }), getFleetOverview(db, org.id), openAlertCounts(db, org.id)]),
  );
  const canConnect = hasRole(role, 'admin');

  if (status.integrations.length === 0) {
    return (
      <>
        <PageHeader title={org.name} description="Fleet health at a glance." />
        <EmptyState
          icon={<icons.overview className="size-10" />}
          title="Your fleet overview will live here"
          action={
            canConnect ? (
              <Link href={paths.integrations(org.slug)} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Connect an AWS account
              </Link>
            ) : null
          }
        >
          Device counts, connectivity, firmware versions and active OTA jobs appear once an AWS account is connected and synced.
          {canConnect ? null : ' Ask an admin of this organization to connect one.'}
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader title={org.name} description="Fleet health at a glance." />
      <div className="space-y-6">
        <OpenAlertsCard orgSlug={org.slug} counts={alertCounts} />
        <FleetOverview orgSlug={org.slug} initialOverview={overview} initialSync={status} canConnect={canConnect} />
      </div>
    </>
  );
}
