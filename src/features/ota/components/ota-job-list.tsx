'use client';

import Link from 'next/link';
import { paths } from '@/lib/paths';
import type { OtaJobSummaryDto } from '../queries';
import { ExecutionProgress } from './execution-progress';
import { relativeTime, targetsLabel } from './format';
import { JobStatusBadge } from './job-status-badge';
import { useOtaJobs } from './use-ota';

const COLUMNS = 'md:grid md:grid-cols-[minmax(0,2.2fr)_7rem_minmax(0,1.6fr)_minmax(9rem,2fr)_7rem_7rem] md:items-center md:gap-4';

/**
 * The jobs of the organization with their execution progress. Counts come from the cache (the
 * sync refreshes it every minute or so; a job's own page follows it live), re-read while any job runs.
 */
export function OtaJobList({ orgSlug, status, cursor, initialData, now }: {
  orgSlug: string;
  status?: string;
  cursor?: string;
  initialData: { items: OtaJobSummaryDto[]; nextCursor: string | null };
  now: string;
}) {
  const { data, error, dataUpdatedAt } = useOtaJobs(orgSlug, { status, cursor, initialData });
  // The server's clock until the first refetch, so server and browser render the same text.
  const generatedAt = data === initialData ? now : new Date(dataUpdatedAt).toISOString();
  return (
    <div className="rounded-lg border border-line bg-surface shadow-xs">
      {error ? (
        <p role="alert" className="border-b border-line px-5 py-2 text-sm text-danger-700 dark:text-danger-300">
          {error.message}
        </p>
      ) : null}
      <div className={`hidden border-b border-line px-5 py-2 text-xs font-medium text-ink-muted ${COLUMNS}`} aria-hidden>
        <span>Job</span>
        <span>Status</span>
        <span>Targets</span>
        <span>Progress</span>
        <span>Created</span>
        <span>Completed</span>
      </div>
      <ul aria-label="OTA jobs" className="divide-y divide-line">
        {data.items.map((job) => (
          <li key={job.id} className={`space-y-2 px-5 py-3 md:space-y-0 ${COLUMNS}`} data-testid="ota-job-row">
            <div className="min-w-0">
              <Link href={paths.otaJob(orgSlug, job.id)} className="block truncate font-medium text-brand-700 hover:underline dark:text-brand-300">
                {job.jobId}
              </Link>
              <p className="truncate text-xs text-ink-muted">{job.description ?? job.integrationName}</p>
            </div>
            <div>
              <JobStatusBadge status={job.status} />
            </div>
            <p className="truncate text-sm text-ink" title={job.targets.map((t) => t.name).join(', ')}>
              <span className="text-ink-muted md:hidden">Targets: </span>
              {targetsLabel(job.targets)}
              {job.targetSelection === 'CONTINUOUS' ? <span className="text-ink-muted"> · continuous</span> : null}
            </p>
            <ExecutionProgress counts={job.counts} />
            <p className="text-sm text-ink" title={job.createdAt ?? undefined}>
              <span className="text-ink-muted md:hidden">Created </span>
              {job.createdAt ? relativeTime(job.createdAt, generatedAt) : '—'}
            </p>
            <p className="text-sm text-ink" title={job.completedAt ?? undefined}>
              <span className="text-ink-muted md:hidden">Completed </span>
              {job.completedAt ? relativeTime(job.completedAt, generatedAt) : <span className="text-ink-muted">—</span>}
            </p>
          </li>
        ))}
      </ul>
      {data.items.length === 0 ? <p className="px-5 py-6 text-sm text-ink-muted">No jobs with this status.</p> : null}
      {data.nextCursor || cursor ? (
        <div className="flex justify-end gap-4 border-t border-line px-5 py-2 text-sm">
          {cursor ? (
            <Link href={`${paths.otaJobs(orgSlug)}${status ? `?status=${status}` : ''}`} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
              ← Newest
            </Link>
          ) : null}
          {data.nextCursor ? (
            <Link
              href={`${paths.otaJobs(orgSlug)}?${new URLSearchParams({ ...(status ? { status } : {}), cursor: data.nextCursor })}`}
              className="font-medium text-brand-700 hover:underline dark:text-brand-300"
            >
              Older jobs →
            </Link>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
