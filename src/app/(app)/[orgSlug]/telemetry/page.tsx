import type { Metadata } from 'next';
import { SectionPlaceholder } from '@/components/section-placeholder';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'Telemetry' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  await loadWorkspace((await params).orgSlug);
  return (
    <SectionPlaceholder title="Telemetry" description="Charts of device measurements over time." icon="telemetry" emptyTitle="No telemetry yet">
      Charts come from Amazon Timestream or from the shadow history Fleetline records once devices are syncing.
    </SectionPlaceholder>
  );
}
