import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { listGuardableRules } from '@/features/alerts/guards';
import { OtaJobWizard } from '@/features/ota/components/ota-job-wizard';
import { listJobIntegrations, listTargetGroups } from '@/features/ota/queries';
import { OTA_WRITE_MIN_ROLE } from '@/features/ota/schemas';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Create an OTA job' };

const back = 'text-sm font-medium text-brand-700 hover:underline dark:text-brand-300';

export default async function NewOtaJobPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  if (!hasRole(role, OTA_WRITE_MIN_ROLE)) {
    return (
      <>
        <PageHeader title="Create an OTA job" />
        <EmptyState icon={<icons.ota className="size-10" />} title="Only admins and owners launch OTA jobs" action={<Link href={paths.otaJobs(org.slug)} className={back}>Back to OTA jobs</Link>}>
          You can follow every job of {org.name}; ask an admin or owner to launch one.
        </EmptyState>
      </>
    );
  }
  const [integrations, groups, guardRules] = await asUser(user.claims, (db) =>
    Promise.all([listJobIntegrations(db, org.id), listTargetGroups(db, org.id), listGuardableRules(db, org.id)]),
  );
  if (integrations.length === 0) {
    return (
      <>
        <PageHeader title="Create an OTA job" />
        <EmptyState icon={<icons.ota className="size-10" />} title="Connect an AWS account first" action={<Link href={paths.newIntegration(org.slug)} className={back}>Connect AWS account</Link>}>
          Jobs run on the things and thing groups of a connected account.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Create an OTA job"
        description={
          <>
            Five short steps; nothing reaches AWS until the last one.{' '}
            <Link href={paths.otaJobs(org.slug)} className={back}>
              Cancel
            </Link>
          </>
        }
      />
      <OtaJobWizard orgSlug={org.slug} integrations={integrations} groups={groups} guardRules={guardRules} />
    </>
  );
}
