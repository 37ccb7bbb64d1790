import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { BulkActionForm } from '@/features/bulk-actions/components/bulk-action-form';
import { BulkOperationList } from '@/features/bulk-actions/components/bulk-operation-list';
import { FilterSummary } from '@/features/bulk-actions/components/filter-summary';
import { listBulkOperations, previewSelection } from '@/features/bulk-actions/queries';
import { BULK_MIN_ROLE } from '@/features/bulk-actions/schemas';
import { deviceFilterQuery, parseDeviceFilter } from '@/features/devices/filters';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { number } from '@/lib/format';
import { paths } from '@/lib/paths';
import { hasRole, ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Bulk actions' };

export default async function BulkActionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgSlug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const { filter, invalid } = parseDeviceFilter(await searchParams);
  const { selection, recent } = await asUser(user.claims, async (db) => ({
    selection: await previewSelection(db, org.id, filter),
    recent: await listBulkOperations(db, org.id),
  }));
  const canWrite = hasRole(role, BULK_MIN_ROLE);
  const now = new Date().toISOString();

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.devices(org.slug, deviceFilterQuery(filter))} className="text-ink-muted hover:text-ink hover:underline">
          ← Devices
        </Link>
      </p>
      <PageHeader title="Bulk actions" description="Set an attribute or a desired-state key on every device of a filtered selection." />
      <div className="space-y-6">
        <Card
          title="Selection"
          actions={
            <Link href={paths.devices(org.slug, deviceFilterQuery(filter))} className="text-sm text-brand-700 hover:underline dark:text-brand-300">
              Change filter
            </Link>
          }
        >
          <div className="space-y-2">
            <FilterSummary filter={filter} />
            {invalid.length > 0 ? (
              <p className="text-sm text-warning-700 dark:text-warning-300">Ignored invalid filter parameters: {invalid.join(', ')}.</p>
            ) : null}
            <p className="text-sm text-ink" data-testid="selection-count">
              {number.format(selection.total)} device{selection.total === 1 ? '' : 's'}
              {selection.byIntegration.length > 0 ? ` (${selection.byIntegration.map((i) => `${number.format(i.count)} in ${i.name}`).join(', ')})` : ''}
            </p>
          </div>
        </Card>
        {canWrite ? (
          <Card title="Change" description="A dry run shows exactly what will run before anything is sent to AWS.">
            <BulkActionForm orgSlug={org.slug} filter={filter} />
          </Card>
        ) : (
          <p className="text-sm text-ink-muted" data-testid="read-only-note">
            You are a {ROLE_LABELS[role].toLowerCase()} of {org.name}: bulk actions need the operator role.
          </p>
        )}
        <Card title="Recent bulk actions">
          <BulkOperationList orgSlug={org.slug} operations={recent} now={now} />
        </Card>
      </div>
    </>
  );
}
