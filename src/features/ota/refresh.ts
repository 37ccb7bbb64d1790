import {
  DescribeJobCommand,
  GetJobDocumentCommand,
  paginateListJobExecutionsForJob,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import { loadIntegration } from '@/features/integrations/runtime/integration';
import { describeAwsError } from '@/lib/aws/clients';
import { asService, type Tx } from '@/lib/db';
import { withIot, type OtaRuntime } from './clients';
import { writeExecutions, writeJobDetails, type ExecutionRow, type JobDetail } from './cache-writer';

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

export interface FetchedJob extends JobDetail {
  executions: ExecutionRow[];
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function thingNameOf(arn: string | undefined): string | null {
  const i = arn?.indexOf(':thing/') ?? -1;
  return arn && i >= 0 ? arn.slice(i + ':thing/'.length) : null;
}

export async function fetchJobDetail(iot: IoTClient, jobId: string, options: { withDocument: boolean; signal?: AbortSignal }): Promise<FetchedJob> {
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

/** Writes a fetched job and its executions through the OTA cache writer (older answers change nothing). */
export async function writeJobDetail(tx: Tx, target: Pick<RefreshTarget, 'orgId' | 'integrationId'>, d: FetchedJob): Promise<void> {
  const t = { orgId: target.orgId, integrationId: target.integrationId };
  await writeJobDetails(tx, t, [d]);
  await writeExecutions(tx, t, d.executions.map((e) => ({ ...e, job_id: d.job.jobId! })));
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
  deps: { runtime: OtaRuntime; log: Logger },
  orgId: string,
  otaJobId: string,
  options: { force?: boolean } = {},
): Promise<RefreshOutcome> {
  const target = await claimRefresh(orgId, otaJobId, options);
  if (!target) return 'not_due';
  const integration = await loadIntegration(asService, target.integrationId, orgId);
  if (!integration) return 'not_due';
  try {
    const detail = await withIot(deps.runtime, integration, 20_000, (iot, signal) => fetchJobDetail(iot, target.jobId, { withDocument: !target.hasDocument, signal }));
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
