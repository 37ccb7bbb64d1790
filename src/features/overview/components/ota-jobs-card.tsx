import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { number } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { ActiveOtaJob } from '../model';
import { OtaJobProgress } from './ota-job-progress';

/** OTA jobs that are running or scheduled, with per-status execution counts as a progress bar. */
export function OtaJobsCard({ orgSlug, active, jobs }: { orgSlug: string; active: number; jobs: ActiveOtaJob[] }) {
  return (
    <div data-testid="overview-ota">
      <Card
        className="h-full"
        title="Active OTA jobs"
        description={active === 0 ? 'Nothing rolling out right now.' : `${number.format(active)} in progress or scheduled`}
        actions={
          <Link href={paths.otaJobs(orgSlug)} className="shrink-0 text-sm text-brand-700 hover:underline dark:text-brand-300">
            All jobs
          </Link>
        }
      >
        {jobs.length === 0 ? (
          <p className="text-sm text-ink-muted">No active jobs. Firmware rollouts show their progress here while they run.</p>
        ) : (
          <ul className="space-y-4">
            {jobs.map((job) => (
              <li key={job.id} data-testid="ota-job">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <Link href={paths.otaJob(orgSlug, job.id)} className="truncate font-mono text-sm text-brand-700 hover:underline dark:text-brand-300">
                    {job.jobId}
                  </Link>
                  <Badge tone={job.status === 'IN_PROGRESS' ? 'brand' : 'neutral'}>{job.status === 'IN_PROGRESS' ? 'In progress' : 'Scheduled'}</Badge>
                </div>
                {job.description ? <p className="mt-0.5 truncate text-xs text-ink-muted">{job.description}</p> : null}
                <OtaJobProgress job={job} />
              </li>
            ))}
          </ul>
        )}
        {active > jobs.length ? (
          <p className="mt-4 text-xs text-ink-muted">
            <Link href={paths.otaJobs(orgSlug)} className="text-brand-700 hover:underline dark:text-brand-300">
              {number.format(active - jobs.length)} more active
            </Link>
          </p>
        ) : null}
      </Card>
    </div>
  );
}
