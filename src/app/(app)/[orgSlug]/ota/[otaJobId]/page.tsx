import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { OtaJobDetail } from '@/features/ota/components/ota-job-detail';
import { getOtaJob } from '@/features/ota/queries';
import { OTA_WRITE_MIN_ROLE } from '@/features/ota/schemas';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'OTA job' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function OtaJobPage({ params }: { params: Promise<{ orgSlug: string; otaJobId: string }> }) {
  const { orgSlug, otaJobId } = await params;
  if (!UUID.test(otaJobId)) notFound();
  const { user, org, role } = await loadWorkspace(orgSlug);
  const job = await asUser(user.claims, (db) => getOtaJob(db, org.id, otaJobId));
  if (!job) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.otaJobs(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← OTA jobs
        </Link>
      </p>
      <OtaJobDetail orgSlug={org.slug} initial={job} canWrite={hasRole(role, OTA_WRITE_MIN_ROLE)} />
    </>
  );
}
