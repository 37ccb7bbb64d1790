import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'Devices' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  await loadWorkspace(orgSlug);
  return (
    <>
      <PageHeader title="Devices" description="Every AWS IoT Thing of your connected accounts, searchable and filterable." />
      <EmptyState icon={<icons.devices className="size-10" />} title="No devices yet">
        Devices appear here after the first sync of a connected AWS account. Connect one under Integrations.
      </EmptyState>
    </>
  );
}
