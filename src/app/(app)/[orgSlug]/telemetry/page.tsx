import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'Telemetry' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  await loadWorkspace(orgSlug);
  return (
    <>
      <PageHeader title="Telemetry" description="Charts of device measurements over time." />
      <EmptyState icon={<icons.telemetry className="size-10" />} title="No telemetry yet">
        Charts come from Amazon Timestream or from the shadow history Fleetline records once devices are syncing.
      </EmptyState>
    </>
  );
}
