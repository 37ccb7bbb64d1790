import {
  DescribeJobCommand,
  paginateListJobExecutionsForJob,
  paginateListJobs,
  type IoTClient,
  type Job,
  type JobSummary,
} from '@aws-sdk/client-iot';
import type { Tx } from '@/lib/db';

/**
 * OTA sync: every job from ListJobs (so deleted jobs disappear), DescribeJob for jobs that are
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
  const executions: Record<string, unknown>[] = [];
  const openNow = (j: Job) => (j.jobProcessDetails?.numberOfQueuedThings ?? 0) + (j.jobProcessDetails?.numberOfInProgressThings ?? 0) > 0;
  for (const job of details.filter((j) => live(j) || wasActive(j.jobId) || openNow(j))) {
    for await (const page of paginateListJobExecutionsForJob({ client: t.iot, pageSize: PAGE }, { jobId: job.jobId! }, opts)) {
      for (const e of page.executionSummaries ?? []) {
        const thing = thingNameOf(e.thingArn);
        const x = e.jobExecutionSummary;
        if (!thing || !x?.status) continue;
        executions.push({
          job_id: job.jobId,
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
    if (summaries.length > 0) await upsertSummaries(tx, t, summaries);
    if (details.length > 0) await updateDetails(tx, t, details);
    await tx`
      delete from public.ota_jobs
      where org_id = ${t.orgId} and integration_id = ${t.integrationId} and job_id <> all(${summaries.map((s) => s.jobId!)}::text[])`;
    if (executions.length > 0) await upsertExecutions(tx, t, executions);
  });
  return { jobs: summaries.length, described: details.length, executions: executions.length };
}

async function upsertSummaries(tx: Tx, t: OtaTarget, summaries: JobSummary[]) {
  const rows = summaries.map((s) => ({
    job_id: s.jobId,
    job_arn: s.jobArn ?? null,
    status: s.status ?? 'IN_PROGRESS',
    target_selection: s.targetSelection ?? null,
    created_at_aws: iso(s.createdAt),
    last_updated_at_aws: iso(s.lastUpdatedAt),
    completed_at_aws: iso(s.completedAt),
  }));
  await tx`
    insert into public.ota_jobs as j (org_id, integration_id, job_id, job_arn, status, target_selection, created_at_aws, last_updated_at_aws, completed_at_aws)
    select ${t.orgId}, ${t.integrationId}, r.job_id, r.job_arn, r.status, r.target_selection, r.created_at_aws, r.last_updated_at_aws, r.completed_at_aws
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(job_id text, job_arn text, status text, target_selection text,
      created_at_aws timestamptz, last_updated_at_aws timestamptz, completed_at_aws timestamptz)
    on conflict (integration_id, job_id) do update set
      job_arn = excluded.job_arn, status = excluded.status, target_selection = excluded.target_selection,
      created_at_aws = excluded.created_at_aws, last_updated_at_aws = excluded.last_updated_at_aws,
      completed_at_aws = excluded.completed_at_aws, synced_at = now()
    where (j.status, j.last_updated_at_aws, j.completed_at_aws) is distinct from (excluded.status, excluded.last_updated_at_aws, excluded.completed_at_aws)`;
}

async function updateDetails(tx: Tx, t: OtaTarget, jobs: Job[]) {
  const rows = jobs.map((j) => {
    const p = j.jobProcessDetails ?? {};
    return {
      job_id: j.jobId,
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
    };
  });
  await tx`
    update public.ota_jobs j set
      targets = r.targets, description = r.description, force_canceled = r.force_canceled, reason_code = r.reason_code,
      comment = r.comment, rollout_config = r.rollout_config, abort_config = r.abort_config, timeout_config = r.timeout_config,
      retry_config = r.retry_config, queued_count = r.queued_count, in_progress_count = r.in_progress_count,
      succeeded_count = r.succeeded_count, failed_count = r.failed_count, rejected_count = r.rejected_count,
      canceled_count = r.canceled_count, removed_count = r.removed_count, timed_out_count = r.timed_out_count, synced_at = now()
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(job_id text, targets text[], description text, force_canceled boolean,
      reason_code text, comment text, rollout_config jsonb, abort_config jsonb, timeout_config jsonb, retry_config jsonb,
      queued_count int, in_progress_count int, succeeded_count int, failed_count int, rejected_count int, canceled_count int,
      removed_count int, timed_out_count int)
    where j.org_id = ${t.orgId} and j.integration_id = ${t.integrationId} and j.job_id = r.job_id`;
}

async function upsertExecutions(tx: Tx, t: OtaTarget, rows: Record<string, unknown>[]) {
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
    where (e.status, e.last_updated_at, e.retry_attempt) is distinct from (excluded.status, excluded.last_updated_at, excluded.retry_attempt)`;
}
