import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'OTA jobs' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  await loadWorkspace(orgSlug);
  return (
    <>
      <PageHeader title="OTA jobs" description="Firmware rollouts through AWS IoT Jobs." />
      <EmptyState icon={<icons.ota className="size-10" />} title="No OTA jobs yet">
        Jobs launched from Fleetline or found in your AWS accounts will be listed here with their progress.
      </EmptyState>
    </>
  );
}
