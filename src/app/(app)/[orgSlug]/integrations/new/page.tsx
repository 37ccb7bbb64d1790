import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { IntegrationWizard } from '@/features/integrations/components/integration-wizard';
import { issueDraft } from '@/features/integrations/draft';
import { platformAccountId } from '@/features/integrations/platform';
import { cloudFormationTemplate, permissionPolicy, prettyJson, trustPolicy } from '@/features/integrations/policies';
import { loadWorkspace } from '@/features/orgs/workspace';
import { serverEnv } from '@/lib/env';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Connect an AWS account' };

export default async function NewIntegrationPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { org, role } = await loadWorkspace(orgSlug);
  if (!hasRole(role, 'admin')) {
    return (
      <>
        <PageHeader title="Connect an AWS account" />
        <EmptyState
          icon={<icons.integrations className="size-10" />}
          title="Only admins and owners connect AWS accounts"
          action={<Link href={paths.integrations(org.slug)} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">Back to integrations</Link>}
        >
          Ask an admin or owner of {org.name} to connect the account.
        </EmptyState>
      </>
    );
  }
  // Issued here, verified on test and save: the client cannot choose its own ids.
  const draft = issueDraft(serverEnv().FLEETLINE_VAULT_KEYS, org.id);
  const account = platformAccountId();
  const documents = {
    externalId: draft.externalId,
    platformAccountId: account,
    trustPolicy: account ? prettyJson(trustPolicy(account, draft.externalId)) : null,
    permissionPolicy: prettyJson(permissionPolicy()),
    cloudFormation: account ? prettyJson(cloudFormationTemplate(account, draft.externalId)) : null,
  };
  return (
    <>
      <PageHeader
        title="Connect an AWS account"
        description={
          <>
            Five short steps; nothing is saved until the last one.{' '}
            <Link href={paths.integrations(org.slug)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
              Cancel
            </Link>
          </>
        }
      />
      <IntegrationWizard orgSlug={org.slug} draft={{ integrationId: draft.integrationId, externalId: draft.externalId, token: draft.token }} documents={documents} />
    </>
  );
}
