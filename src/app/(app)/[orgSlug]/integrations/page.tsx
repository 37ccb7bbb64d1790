import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { IntegrationList } from '@/features/integrations/components/integration-list';
import { listIntegrations } from '@/features/integrations/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Integrations' };

const linkButton = 'inline-flex items-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';

export default async function IntegrationsPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string }>;
  searchParams: Promise<{ cursor?: string | string[] }>;
}) {
  const { orgSlug } = await params;
  const { cursor } = await searchParams;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const isAdmin = hasRole(role, 'admin');
  const page = await asUser(user.claims, (db) => listIntegrations(db, org.id, { limit: 100, cursor: typeof cursor === 'string' ? cursor : undefined }));
  const connect = isAdmin ? (
    <Link href={paths.newIntegration(org.slug)} className={linkButton}>
      Connect AWS account
    </Link>
  ) : null;

  return (
    <>
      <PageHeader
        title="Integrations"
        description={isAdmin ? 'AWS accounts this organization syncs its fleet from.' : 'AWS accounts this organization syncs its fleet from. Only admins and owners can change them.'}
        actions={page.items.length > 0 ? connect : null}
      />
      {page.items.length === 0 ? (
        <EmptyState icon={<icons.integrations className="size-10" />} title="No AWS account connected" action={connect}>
          {isAdmin
            ? 'Connect an AWS account to sync your Things, shadows and jobs. Fleetline assumes an IAM role you create (recommended) or uses an access key, encrypted before it is stored.'
            : 'Once an admin or owner of this organization connects an AWS account, its devices, shadows and jobs appear here. Ask one of them to connect it.'}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <IntegrationList orgSlug={org.slug} items={page.items} />
          {page.nextCursor ? (
            <div className="flex justify-end">
              <Link href={`${paths.integrations(org.slug)}?cursor=${encodeURIComponent(page.nextCursor)}`} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
                Next page →
              </Link>
            </div>
          ) : null}
        </div>
      )}
    </>
  );
}
