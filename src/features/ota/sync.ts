import {
  DescribeJobCommand,
  paginateListJobExecutionsForJob,
  paginateListJobs,
  type IoTClient,
  type Job,
  type JobSummary,
} from '@aws-sdk/client-iot';
import type { Tx } from '@/lib/db';
import { removeUnlistedJobs, writeExecutions, writeJobDetails, writeJobSummaries, type ExecutionRow } from './cache-writer';

/**
 * OTA part of a sync (called by the sync engine; writes through the OTA cache writer): every job from ListJobs (so deleted jobs disappear), DescribeJob for jobs that are
 * active or changed since the last sync (per-status counts, rollout and abort settings), and the
 * executions of active jobs (and of jobs that just finished). Unchanged finished jobs cost nothing.
 */
const PAGE = 250;
const ACTIVE = new Set(['IN_PROGRESS', 'SCHEDULED']);

export interface OtaTarget {
  iot: IoTClient;
  signal: AbortSignal;
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  orgId: string;
  integrationId: string;
  /** DescribeJob calls per run at most (active jobs first, then the most recently updated). */
  maxDescribes: number;
}

export interface OtaResult {
  jobs: number;
  described: number;
  executions: number;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function thingNameOf(arn: string | undefined): string | null {
  const i = arn?.indexOf(':thing/') ?? -1;
  return arn && i >= 0 ? arn.slice(i + ':thing/'.length) : null;
}

export async function syncOta(t: OtaTarget): Promise<OtaResult> {
  const opts = { abortSignal: t.signal };
  const summaries: JobSummary[] = [];
  for await (const page of paginateListJobs({ client: t.iot, pageSize: PAGE }, {}, opts)) {
    summaries.push(...(page.jobs ?? []).filter((j) => j.jobId));
  }

  const cached = new Map(
    (await t.db((tx) => tx<{ job_id: string; status: string; last_updated_at_aws: Date | null; open: number }[]>`
      select job_id, status, last_updated_at_aws, queued_count + in_progress_count as open
      from public.ota_jobs where org_id = ${t.orgId} and integration_id = ${t.integrationId}`)).map((r) => [r.job_id, r]),
  );
  // A job canceled without force is no longer active, but the executions it let run keep changing
  // until they finish: follow it while the last sync saw executions queued or in progress.
  const live = (s: { jobId?: string; status?: string }) => ACTIVE.has(s.status ?? '') || (cached.get(s.jobId ?? '')?.open ?? 0) > 0;
  const stale = summaries.filter((s) => {
    const c = cached.get(s.jobId!);
    return live(s) || !c || c.status !== s.status || c.last_updated_at_aws?.getTime() !== s.lastUpdatedAt?.getTime();
  });
  stale.sort((a, b) => Number(live(b)) - Number(live(a)) || (b.lastUpdatedAt?.getTime() ?? 0) - (a.lastUpdatedAt?.getTime() ?? 0));

  const details: Job[] = [];
  for (const s of stale.slice(0, t.maxDescribes)) {
    const out = await t.iot.send(new DescribeJobCommand({ jobId: s.jobId! }), opts);
    if (out.job) details.push(out.job);
  }

  // Live jobs, plus jobs that were active at the last sync so their final execution states land once.
  const wasActive = (jobId: string | undefined) => ACTIVE.has(cached.get(jobId ?? '')?.status ?? '');
  const executions: (ExecutionRow & { job_id: string })[] = [];
  const openNow = (j: Job) => (j.jobProcessDetails?.numberOfQueuedThings ?? 0) + (j.jobProcessDetails?.numberOfInProgressThings ?? 0) > 0;
  for (const job of details.filter((j) => live(j) || wasActive(j.jobId) || openNow(j))) {
    for await (const page of paginateListJobExecutionsForJob({ client: t.iot, pageSize: PAGE }, { jobId: job.jobId! }, opts)) {
      for (const e of page.executionSummaries ?? []) {
        const thing = thingNameOf(e.thingArn);
        const x = e.jobExecutionSummary;
        if (!thing || !x?.status) continue;
        executions.push({
          job_id: job.jobId!,
          thing_name: thing,
          status: x.status,
          queued_at: iso(x.queuedAt),
          started_at: iso(x.startedAt),
          last_updated_at: iso(x.lastUpdatedAt),
          execution_number: x.executionNumber ?? null,
          retry_attempt: x.retryAttempt ?? null,
        });
      }
    }
  }

  await t.db(async (tx) => {
    await writeJobSummaries(tx, t, summaries);
    await writeJobDetails(tx, t, details.map((job) => ({ job, document: null, documentSource: null })));
    await removeUnlistedJobs(tx, t, summaries.map((s) => s.jobId!));
    await writeExecutions(tx, t, executions);
  });
  return { jobs: summaries.length, described: details.length, executions: executions.length };
}
