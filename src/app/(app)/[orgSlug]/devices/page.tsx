import type { Metadata } from 'next';
import { SectionPlaceholder } from '@/components/section-placeholder';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'Devices' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  await loadWorkspace((await params).orgSlug);
  return (
    <SectionPlaceholder title="Devices" description="Every AWS IoT Thing of your connected accounts, searchable and filterable." icon="devices" emptyTitle="No devices yet">
      Devices appear here after the first sync of a connected AWS account. Connect one under Integrations.
    </SectionPlaceholder>
  );
}
