import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { OtaJobList } from '@/features/ota/components/ota-job-list';
import { JOB_STATUS_LABELS, JOB_STATUSES } from '@/features/ota/model';
import { listJobIntegrations, listOtaJobs } from '@/features/ota/queries';
import { OTA_WRITE_MIN_ROLE } from '@/features/ota/schemas';
import { loadWorkspace } from '@/features/orgs/workspace';
import { cn } from '@/lib/cn';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'OTA jobs' };

const linkButton =
  'inline-flex items-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';
const FILTERS = ['IN_PROGRESS', 'COMPLETED', 'CANCELED'] as const;

export default async function OtaJobsPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string }>;
  searchParams: Promise<{ status?: string | string[]; cursor?: string | string[] }>;
}) {
  const { orgSlug } = await params;
  const query = await searchParams;
  const status = typeof query.status === 'string' && (JOB_STATUSES as readonly string[]).includes(query.status) ? query.status : undefined;
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const canWrite = hasRole(role, OTA_WRITE_MIN_ROLE);
  const [page, integrations] = await asUser(user.claims, (db) => Promise.all([listOtaJobs(db, org.id, { status, cursor }), listJobIntegrations(db, org.id)]));
  const create =
    canWrite && integrations.length > 0 ? (
      <Link href={paths.newOtaJob(org.slug)} className={linkButton}>
        Create job
      </Link>
    ) : null;
  const empty = page.items.length === 0 && !status && !cursor;

  return (
    <>
      <PageHeader
        title="OTA jobs"
        description={canWrite ? 'Firmware rollouts through AWS IoT Jobs.' : 'Firmware rollouts through AWS IoT Jobs. Only admins and owners launch or cancel them.'}
        actions={empty ? null : create}
      />
      {empty ? (
        <EmptyState icon={<icons.ota className="size-10" />} title="No OTA jobs yet" action={create}>
          {integrations.length === 0
            ? 'Connect an AWS account first: jobs run on its things and thing groups.'
            : canWrite
              ? 'Launch a firmware update for a thing group or a few things, with a careful rollout: a small canary first, abort on failures. Jobs created in the AWS console appear here too.'
              : 'Jobs launched by an admin or owner, or created in the AWS console, will be listed here with their progress.'}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <nav aria-label="Filter by status" className="flex flex-wrap gap-2 text-sm">
            {[undefined, ...FILTERS].map((s) => (
              <Link
                key={s ?? 'all'}
                href={`${paths.otaJobs(org.slug)}${s ? `?status=${s}` : ''}`}
                aria-current={s === status ? 'page' : undefined}
                className={cn(
                  'rounded-full border px-3 py-1 font-medium',
                  s === status ? 'border-brand-600 bg-brand-50 text-brand-700 dark:bg-brand-950 dark:text-brand-300' : 'border-line text-ink-muted hover:text-ink',
                )}
              >
                {s ? JOB_STATUS_LABELS[s] : 'All'}
              </Link>
            ))}
          </nav>
          <OtaJobList key={`${status ?? ''}|${cursor ?? ''}`} orgSlug={org.slug} status={status} cursor={cursor} initialData={page} now={new Date().toISOString()} />
        </div>
      )}
    </>
  );
}
