import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { loadWorkspace } from '@/features/orgs/workspace';

export const metadata: Metadata = { title: 'Integrations' };

export default async function Page({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  await loadWorkspace(orgSlug);
  return (
    <>
      <PageHeader title="Integrations" description="AWS accounts connected to this organization." />
      <EmptyState icon={<icons.integrations className="size-10" />} title="No AWS account connected">
        Connecting an AWS account lets Fleetline sync your Things, shadows and jobs. The integrations wizard arrives in a coming release.
      </EmptyState>
    </>
  );
}
