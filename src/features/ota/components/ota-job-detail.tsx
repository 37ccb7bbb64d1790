'use client';

import { useState } from 'react';
import { Card } from '@/components/ui/card';
import type { ExecutionStatus } from '../model';
import type { OtaJobDetailDto } from '../queries';
import { CancelJobDialog } from './cancel-job-dialog';
import { ExecutionCountsChart } from './execution-counts-chart';
import { ExecutionProgress } from './execution-progress';
import { ExecutionsTable } from './executions-table';
import { relativeTime } from './format';
import { JobConfig } from './job-config';
import { JobDocument } from './job-document';
import { JobGuard } from './job-guard';
import { JobStatusBadge } from './job-status-badge';
import { JobTimeline } from './job-timeline';
import { useOtaJob } from './use-ota';

/**
 * One job, followed live: while its executions can change, the page polls the job route, which
 * refreshes it from AWS (rate-limited on the server) and answers from the cache.
 */
export function OtaJobDetail({ orgSlug, initial, canWrite }: { orgSlug: string; initial: OtaJobDetailDto; canWrite: boolean }) {
  const { data: job, error } = useOtaJob(orgSlug, initial.id, initial);
  const [status, setStatus] = useState<ExecutionStatus | undefined>(undefined);
  const cancelable = job.status === 'IN_PROGRESS' || job.status === 'SCHEDULED';
  const forceOnly = job.status === 'CANCELED' && !job.forceCanceled && job.counts.IN_PROGRESS > 0;
  const now = job.generatedAt;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1">
          <h1 className="break-all text-2xl font-semibold tracking-tight text-ink">{job.jobId}</h1>
          <p className="flex flex-wrap items-center gap-2 text-sm text-ink-muted">
            <span data-testid="job-status">
              <JobStatusBadge status={job.status} />
            </span>
            <span>{job.integrationName}</span>
            {job.createdAt ? <span title={job.createdAt}>· created {relativeTime(job.createdAt, now)}{job.createdBy ? ` by ${job.createdBy}` : ''}</span> : null}
            {job.completedAt ? <span title={job.completedAt}>· ended {relativeTime(job.completedAt, now)}</span> : null}
          </p>
          {job.description ? <p className="text-sm text-ink">{job.description}</p> : null}
        </div>
        {canWrite && (cancelable || forceOnly) ? (
          <CancelJobDialog key={`${job.status}-${forceOnly}`} orgSlug={orgSlug} otaJobId={job.id} jobId={job.jobId} inProgress={job.counts.IN_PROGRESS} forceOnly={forceOnly} />
        ) : null}
      </div>

      <div className="space-y-2" aria-live="polite">
        {job.live ? (
          <p className="flex items-center gap-2 text-sm text-ink-muted" data-testid="live-indicator">
            <span className="relative flex size-2">
              <span className="absolute inline-flex size-full animate-ping rounded-full bg-brand-400 opacity-75 motion-reduce:animate-none" />
              <span className="relative inline-flex size-2 rounded-full bg-brand-500" />
            </span>
            Live: following AWS every few seconds{job.refreshedAt ? ` · last read ${relativeTime(job.refreshedAt, now)}` : ''}
          </p>
        ) : (
          <p className="text-sm text-ink-muted">Finished: nothing changes any more.</p>
        )}
        {job.status === 'CANCELED' && job.counts.IN_PROGRESS > 0 ? (
          <p className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
            Canceled: queued executions stopped; {job.counts.IN_PROGRESS} in progress finish on their own.
          </p>
        ) : null}
        {job.comment && job.status === 'CANCELED' ? <p className="text-sm text-ink-muted">AWS: {job.comment}</p> : null}
        {job.integrationPaused ? (
          <p className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
            The AWS account is paused: this page shows the last known state.
          </p>
        ) : null}
        {job.refreshError ? (
          <p role="alert" className="rounded-md border border-danger-200 bg-danger-50 px-3 py-2 text-sm text-danger-800 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-200">
            Could not read the job from AWS: {job.refreshError}
          </p>
        ) : null}
        {error ? (
          <p role="alert" className="text-sm text-danger-700 dark:text-danger-300">
            {error.message}
          </p>
        ) : null}
      </div>

      <Card title="Progress">
        <div className="space-y-6">
          <ExecutionProgress counts={job.counts} size="lg" />
          <ExecutionCountsChart counts={job.counts} onSelect={setStatus} />
        </div>
      </Card>

      <Card title="Executions" description="One per targeted thing.">
        <ExecutionsTable orgSlug={orgSlug} otaJobId={job.id} counts={job.counts} live={job.live} status={status} onStatusChange={setStatus} now={now} />
      </Card>

      {job.guard ? (
        <Card title="Health guard" description="Stops the rollout when updated devices alert clearly more often than devices still waiting.">
          <JobGuard guard={job.guard} />
        </Card>
      ) : null}

      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Configuration">
          <JobConfig job={job} />
        </Card>
        <Card title="Timeline">
          <JobTimeline entries={job.timeline} />
        </Card>
      </div>

      <Card title="Job document">
        <JobDocument document={job.document} documentSource={job.documentSource} />
      </Card>
    </div>
  );
}
