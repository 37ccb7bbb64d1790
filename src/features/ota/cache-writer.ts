import type { Job, JobSummary } from '@aws-sdk/client-iot';
import type { Tx } from '@/lib/db';

/**
 * The one writer of the OTA cache (ota_jobs, ota_job_executions), used by the sync, the live
 * refresh and job creation alike. An answer older than the stored row never overwrites it: jobs
 * compare AWS's lastUpdatedAt, executions their execution number and then lastUpdatedAt.
 */
export interface OtaCacheTarget {
  orgId: string;
  integrationId: string;
}

export interface ExecutionRow {
  thing_name: string;
  status: string;
  queued_at: string | null;
  started_at: string | null;
  last_updated_at: string | null;
  execution_number: number | null;
  retry_attempt: number | null;
}

export interface JobDetail {
  job: Job;
  documentSource: string | null;
  document: string | null;
}

const iso = (d: Date | undefined | null) => (d ? d.toISOString() : null);

/** The listing: new jobs inserted, listed ones moved forward (status and times) when the answer is not older. */
export async function writeJobSummaries(tx: Tx, t: OtaCacheTarget, summaries: JobSummary[]): Promise<void> {
  const rows = summaries
    .filter((s) => s.jobId)
    .map((s) => ({
      job_id: s.jobId,
      job_arn: s.jobArn ?? null,
      status: s.status ?? 'IN_PROGRESS',
      target_selection: s.targetSelection ?? null,
      created_at_aws: iso(s.createdAt),
      last_updated_at_aws: iso(s.lastUpdatedAt),
      completed_at_aws: iso(s.completedAt),
    }));
  if (rows.length === 0) return;
  await tx`
    insert into public.ota_jobs as j (org_id, integration_id, job_id, job_arn, status, target_selection, created_at_aws, last_updated_at_aws, completed_at_aws)
    select ${t.orgId}, ${t.integrationId}, r.job_id, r.job_arn, r.status, r.target_selection, r.created_at_aws, r.last_updated_at_aws, r.completed_at_aws
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(job_id text, job_arn text, status text, target_selection text,
      created_at_aws timestamptz, last_updated_at_aws timestamptz, completed_at_aws timestamptz)
    on conflict (integration_id, job_id) do update set
      job_arn = coalesce(excluded.job_arn, j.job_arn), status = excluded.status, target_selection = coalesce(excluded.target_selection, j.target_selection),
      created_at_aws = coalesce(excluded.created_at_aws, j.created_at_aws), last_updated_at_aws = coalesce(excluded.last_updated_at_aws, j.last_updated_at_aws),
      completed_at_aws = excluded.completed_at_aws, synced_at = now()
    where (j.status, j.last_updated_at_aws, j.completed_at_aws) is distinct from (excluded.status, excluded.last_updated_at_aws, excluded.completed_at_aws)
      and (j.last_updated_at_aws is null or excluded.last_updated_at_aws is null or excluded.last_updated_at_aws >= j.last_updated_at_aws)`;
}

/** DescribeJob answers (and a document read once), into existing rows; an older answer changes nothing. */
export async function writeJobDetails(tx: Tx, t: OtaCacheTarget, details: JobDetail[]): Promise<void> {
  const rows = details
    .filter((d) => d.job.jobId)
    .map(({ job: j, document, documentSource }) => {
      const p = j.jobProcessDetails ?? {};
      return {
        job_id: j.jobId,
        job_arn: j.jobArn ?? null,
        status: j.status ?? null,
        target_selection: j.targetSelection ?? null,
        targets: j.targets ?? [],
        description: j.description ?? null,
        force_canceled: j.forceCanceled ?? null,
        reason_code: j.reasonCode ?? null,
        comment: j.comment ?? null,
        rollout_config: j.jobExecutionsRolloutConfig ?? null,
        abort_config: j.abortConfig ?? null,
        timeout_config: j.timeoutConfig ?? null,
        retry_config: j.jobExecutionsRetryConfig ?? null,
        queued_count: p.numberOfQueuedThings ?? 0,
        in_progress_count: p.numberOfInProgressThings ?? 0,
        succeeded_count: p.numberOfSucceededThings ?? 0,
        failed_count: p.numberOfFailedThings ?? 0,
        rejected_count: p.numberOfRejectedThings ?? 0,
        canceled_count: p.numberOfCanceledThings ?? 0,
        removed_count: p.numberOfRemovedThings ?? 0,
        timed_out_count: p.numberOfTimedOutThings ?? 0,
        created_at_aws: iso(j.createdAt),
        last_updated_at_aws: iso(j.lastUpdatedAt),
        completed_at_aws: iso(j.completedAt),
        document,
        document_source: documentSource,
      };
    });
  if (rows.length === 0) return;
  await tx`
    update public.ota_jobs j set
      job_arn = coalesce(r.job_arn, j.job_arn), status = coalesce(r.status, j.status), target_selection = coalesce(r.target_selection, j.target_selection),
      targets = r.targets, description = r.description, force_canceled = r.force_canceled, reason_code = r.reason_code,
      comment = r.comment, rollout_config = r.rollout_config, abort_config = r.abort_config, timeout_config = r.timeout_config,
      retry_config = r.retry_config, queued_count = r.queued_count, in_progress_count = r.in_progress_count,
      succeeded_count = r.succeeded_count, failed_count = r.failed_count, rejected_count = r.rejected_count,
      canceled_count = r.canceled_count, removed_count = r.removed_count, timed_out_count = r.timed_out_count,
      created_at_aws = coalesce(r.created_at_aws, j.created_at_aws), last_updated_at_aws = coalesce(r.last_updated_at_aws, j.last_updated_at_aws),
      completed_at_aws = r.completed_at_aws,
      document = coalesce(r.document, j.document), document_source = coalesce(r.document_source, j.document_source),
      refresh_error = null, synced_at = now()
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(job_id text, job_arn text, status text, target_selection text, targets text[],
      description text, force_canceled boolean, reason_code text, comment text, rollout_config jsonb, abort_config jsonb,
      timeout_config jsonb, retry_config jsonb, queued_count int, in_progress_count int, succeeded_count int, failed_count int,
      rejected_count int, canceled_count int, removed_count int, timed_out_count int, created_at_aws timestamptz,
      last_updated_at_aws timestamptz, completed_at_aws timestamptz, document text, document_source text)
    where j.org_id = ${t.orgId} and j.integration_id = ${t.integrationId} and j.job_id = r.job_id
      -- An answer older than the stored one (a slower overlapping sync or refresh) changes nothing.
      and (j.last_updated_at_aws is null or r.last_updated_at_aws is null or r.last_updated_at_aws >= j.last_updated_at_aws)`;
}

/** Executions of the given jobs (by job id); unchanged ones are not rewritten, older answers are ignored. */
export async function writeExecutions(tx: Tx, t: OtaCacheTarget, rows: (ExecutionRow & { job_id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into public.ota_job_executions as e (org_id, ota_job_id, thing_name, status, queued_at, started_at, last_updated_at, execution_number, retry_attempt)
    select ${t.orgId}, j.id, r.thing_name, r.status, r.queued_at, r.started_at, r.last_updated_at, r.execution_number, r.retry_attempt
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(job_id text, thing_name text, status text, queued_at timestamptz,
      started_at timestamptz, last_updated_at timestamptz, execution_number bigint, retry_attempt int)
    join public.ota_jobs j on j.org_id = ${t.orgId} and j.integration_id = ${t.integrationId} and j.job_id = r.job_id
    on conflict (ota_job_id, thing_name) do update set
      status = excluded.status, queued_at = excluded.queued_at, started_at = excluded.started_at,
      last_updated_at = excluded.last_updated_at, execution_number = excluded.execution_number,
      retry_attempt = excluded.retry_attempt, synced_at = now()
    where (e.status, e.last_updated_at, e.retry_attempt) is distinct from (excluded.status, excluded.last_updated_at, excluded.retry_attempt)
      and (e.execution_number is null or excluded.execution_number is null or excluded.execution_number >= e.execution_number)
      and (e.last_updated_at is null or excluded.last_updated_at is null or excluded.execution_number is distinct from e.execution_number
           or excluded.last_updated_at >= e.last_updated_at)`;
}

/** After a complete listing: jobs AWS no longer lists (a trigger keeps ones created after the listing began). */
export async function removeUnlistedJobs(tx: Tx, t: OtaCacheTarget, listedJobIds: string[]): Promise<void> {
  await tx`
    delete from public.ota_jobs
    where org_id = ${t.orgId} and integration_id = ${t.integrationId} and job_id <> all(${listedJobIds}::text[])`;
}

/** The row of a job Fleetline just created in AWS (its details follow from the first refresh). */
export async function writeCreatedJob(
  tx: Tx,
  t: OtaCacheTarget,
  job: { jobId: string; jobArn: string | null; targetSelection: string; createdBy: string; document: string },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.ota_jobs as j (org_id, integration_id, job_id, job_arn, status, target_selection, created_by, document)
    values (${t.orgId}, ${t.integrationId}, ${job.jobId}, ${job.jobArn}, 'IN_PROGRESS', ${job.targetSelection}, ${job.createdBy}, ${job.document})
    on conflict (integration_id, job_id) do update set created_by = coalesce(j.created_by, excluded.created_by), document = coalesce(j.document, excluded.document)
    returning id`;
  return row!.id;
}
