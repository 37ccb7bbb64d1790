import {
  DescribeJobCommand,
  GetJobDocumentCommand,
  paginateListJobExecutionsForJob,
  type IoTClient,
  type Job,
} from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import { loadIntegration } from '@/features/sync/runs';
import { describeAwsError } from '@/lib/aws/clients';
import { asService, type Tx } from '@/lib/db';
import type { IotClientFor } from './clients';

/**
 * The live refresh of one job: DescribeJob, its executions and (once) its document, written into
 * the same cache rows the sync fills. The sync runs every minute or so; a job page polls this
 * instead, and the claim on `detail_refreshed_at` makes it at most one AWS refresh per job every
 * couple of seconds, however many pages or app instances poll (Jobs APIs allow 10 TPS per account).
 */
export const MIN_REFRESH_MS = 2_000;
const PAGE = 250;
/** Big jobs wait longer between refreshes: half a second per page of executions. */
const MS_PER_PAGE = 500;
/** A refresh reads at most this many executions (the counts always come complete from DescribeJob). */
const MAX_PAGES = 40;

export interface RefreshTarget {
  id: string;
  orgId: string;
  integrationId: string;
  jobId: string;
  hasDocument: boolean;
}

export interface JobDetail {
  job: Job;
  documentSource: string | null;
  document: string | null;
  executions: ExecutionRow[];
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

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function thingNameOf(arn: string | undefined): string | null {
  const i = arn?.indexOf(':thing/') ?? -1;
  return arn && i >= 0 ? arn.slice(i + ':thing/'.length) : null;
}

export async function fetchJobDetail(iot: IoTClient, jobId: string, options: { withDocument: boolean; signal?: AbortSignal }): Promise<JobDetail> {
  const opts = options.signal ? { abortSignal: options.signal } : {};
  const described = await iot.send(new DescribeJobCommand({ jobId }), opts);
  if (!described.job) throw new Error(`DescribeJob returned no job for ${jobId}`);
  const document = options.withDocument ? ((await iot.send(new GetJobDocumentCommand({ jobId }), opts)).document ?? null) : null;
  const executions: ExecutionRow[] = [];
  let pages = 0;
  for await (const page of paginateListJobExecutionsForJob({ client: iot, pageSize: PAGE }, { jobId }, opts)) {
    for (const e of page.executionSummaries ?? []) {
      const thing = thingNameOf(e.thingArn);
      const x = e.jobExecutionSummary;
      if (!thing || !x?.status) continue;
      executions.push({
        thing_name: thing,
        status: x.status,
        queued_at: iso(x.queuedAt),
        started_at: iso(x.startedAt),
        last_updated_at: iso(x.lastUpdatedAt),
        execution_number: x.executionNumber ?? null,
        retry_attempt: x.retryAttempt ?? null,
      });
    }
    if (++pages >= MAX_PAGES) break;
  }
  return { job: described.job, documentSource: described.documentSource ?? null, document, executions };
}

/** Writes a fetched job into its cache row and upserts its executions (unchanged ones are not rewritten). */
export async function writeJobDetail(tx: Tx, target: Pick<RefreshTarget, 'id' | 'orgId'>, d: JobDetail): Promise<void> {
  const j = d.job;
  const p = j.jobProcessDetails ?? {};
  const json = (v: unknown) => (v === undefined || v === null ? null : tx.json(v as never));
  await tx`
    update public.ota_jobs set
      job_arn = coalesce(${j.jobArn ?? null}, job_arn), status = coalesce(${j.status ?? null}, status),
      target_selection = ${j.targetSelection ?? null}, targets = ${j.targets ?? []}, description = ${j.description ?? null},
      force_canceled = ${j.forceCanceled ?? null}, reason_code = ${j.reasonCode ?? null}, comment = ${j.comment ?? null},
      rollout_config = ${json(j.jobExecutionsRolloutConfig)}, abort_config = ${json(j.abortConfig)},
      timeout_config = ${json(j.timeoutConfig)}, retry_config = ${json(j.jobExecutionsRetryConfig)},
      queued_count = ${p.numberOfQueuedThings ?? 0}, in_progress_count = ${p.numberOfInProgressThings ?? 0},
      succeeded_count = ${p.numberOfSucceededThings ?? 0}, failed_count = ${p.numberOfFailedThings ?? 0},
      rejected_count = ${p.numberOfRejectedThings ?? 0}, canceled_count = ${p.numberOfCanceledThings ?? 0},
      removed_count = ${p.numberOfRemovedThings ?? 0}, timed_out_count = ${p.numberOfTimedOutThings ?? 0},
      created_at_aws = coalesce(${j.createdAt ?? null}, created_at_aws), last_updated_at_aws = coalesce(${j.lastUpdatedAt ?? null}, last_updated_at_aws),
      completed_at_aws = ${j.completedAt ?? null},
      document = coalesce(${d.document}, document), document_source = coalesce(${d.documentSource}, document_source),
      refresh_error = null, synced_at = now()
    where id = ${target.id} and org_id = ${target.orgId}
      -- An answer older than the stored one (a slower overlapping refresh) changes nothing.
      and (last_updated_at_aws is null or ${j.lastUpdatedAt ?? null}::timestamptz is null or ${j.lastUpdatedAt ?? null}::timestamptz >= last_updated_at_aws)`;
  if (d.executions.length === 0) return;
  await tx`
    insert into public.ota_job_executions as e (org_id, ota_job_id, thing_name, status, queued_at, started_at, last_updated_at, execution_number, retry_attempt)
    select ${target.orgId}, ${target.id}, r.thing_name, r.status, r.queued_at, r.started_at, r.last_updated_at, r.execution_number, r.retry_attempt
    from jsonb_to_recordset(${tx.json(d.executions as never)}::jsonb) as r(thing_name text, status text, queued_at timestamptz,
      started_at timestamptz, last_updated_at timestamptz, execution_number bigint, retry_attempt int)
    on conflict (ota_job_id, thing_name) do update set
      status = excluded.status, queued_at = excluded.queued_at, started_at = excluded.started_at,
      last_updated_at = excluded.last_updated_at, execution_number = excluded.execution_number,
      retry_attempt = excluded.retry_attempt, synced_at = now()
    where (e.status, e.last_updated_at, e.retry_attempt) is distinct from (excluded.status, excluded.last_updated_at, excluded.retry_attempt)
      and (e.last_updated_at is null or excluded.last_updated_at is null or excluded.last_updated_at >= e.last_updated_at)`;
}

/**
 * Claims the next refresh of a job when one is due: the job can still change (active, or canceled
 * with executions still queued or running, by its counts or by the cached executions, which the
 * sync refreshes only once a minute) or was never read in detail, its integration is not
 * paused, and the last claim is old enough. Returns null when another request has it or none is due.
 */
export async function claimRefresh(orgId: string, otaJobId: string, options: { force?: boolean } = {}): Promise<RefreshTarget | null> {
  const rows = await asService((tx) => tx<{ id: string; integration_id: string; job_id: string; has_document: boolean }[]>`
    update public.ota_jobs j set detail_refreshed_at = now()
    from public.integrations i
    where j.id = ${otaJobId} and j.org_id = ${orgId} and i.id = j.integration_id and i.org_id = j.org_id and i.status <> 'paused'
      and (${options.force ?? false}::boolean
        or j.detail_refreshed_at is null
        or ((j.status in ('IN_PROGRESS', 'SCHEDULED') or j.queued_count + j.in_progress_count > 0
             or exists (select 1 from public.ota_job_executions e where e.ota_job_id = j.id and e.org_id = j.org_id and e.status in ('QUEUED', 'IN_PROGRESS')))
          and j.detail_refreshed_at < now() - make_interval(secs => greatest(${MIN_REFRESH_MS / 1000}::numeric,
            ceil((j.queued_count + j.in_progress_count + j.succeeded_count + j.failed_count + j.rejected_count
                  + j.canceled_count + j.removed_count + j.timed_out_count) / ${PAGE}::numeric) * ${MS_PER_PAGE / 1000}::numeric)::float8)))
    returning j.id, j.integration_id, j.job_id, (j.document is not null or j.document_source is not null) as has_document`);
  const row = rows[0];
  return row ? { id: row.id, orgId, integrationId: row.integration_id, jobId: row.job_id, hasDocument: row.has_document } : null;
}

export type RefreshOutcome = 'refreshed' | 'not_due' | 'failed';

/** Claims and runs one refresh. AWS failures are recorded on the row (shown on the page), never thrown. */
export async function refreshOtaJob(
  deps: { iotFor: IotClientFor; log: Logger },
  orgId: string,
  otaJobId: string,
  options: { force?: boolean } = {},
): Promise<RefreshOutcome> {
  const target = await claimRefresh(orgId, otaJobId, options);
  if (!target) return 'not_due';
  const integration = await loadIntegration(asService, target.integrationId, orgId);
  if (!integration) return 'not_due';
  try {
    const detail = await fetchJobDetail(deps.iotFor(integration), target.jobId, { withDocument: !target.hasDocument, signal: AbortSignal.timeout(20_000) });
    await asService((tx) => writeJobDetail(tx, target, detail));
    return 'refreshed';
  } catch (error) {
    const aws = describeAwsError(error);
    deps.log.warn({ otaJobId, jobId: target.jobId, error: aws.name }, 'OTA job refresh failed');
    const message = aws.name === 'ResourceNotFoundException' ? 'This job no longer exists in AWS; the next sync removes it.' : `${aws.name}: ${aws.message}`;
    await asService((tx) => tx`update public.ota_jobs set refresh_error = ${message.slice(0, 1000)} where id = ${otaJobId} and org_id = ${orgId}`);
    return 'failed';
  }
}
