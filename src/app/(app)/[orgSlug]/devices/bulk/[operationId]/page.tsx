import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { BulkOperationProgress } from '@/features/bulk-actions/components/bulk-operation-progress';
import { getBulkOperation } from '@/features/bulk-actions/queries';
import { BULK_MIN_ROLE } from '@/features/bulk-actions/schemas';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Bulk action' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function BulkOperationPage({ params }: { params: Promise<{ orgSlug: string; operationId: string }> }) {
  const { orgSlug, operationId } = await params;
  if (!UUID.test(operationId)) notFound();
  const { user, org, role } = await loadWorkspace(orgSlug);
  const report = await asUser(user.claims, (db) => getBulkOperation(db, org.id, operationId));
  if (!report) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.bulkActions(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Bulk actions
        </Link>
      </p>
      <PageHeader title="Bulk action" description={`${report.total.toLocaleString('en')} devices`} />
      <BulkOperationProgress orgSlug={org.slug} initialData={report} canCancel={hasRole(role, BULK_MIN_ROLE)} />
    </>
  );
}
