import type { Metadata } from 'next';
import { SectionPlaceholder } from '@/components/section-placeholder';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'OTA jobs' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  await loadWorkspace((await params).orgSlug);
  return (
    <SectionPlaceholder title="OTA jobs" description="Firmware rollouts through AWS IoT Jobs." icon="ota" emptyTitle="No OTA jobs yet">
      Jobs launched from Fleetline or found in your AWS accounts will be listed here with their progress.
    </SectionPlaceholder>
  );
}
