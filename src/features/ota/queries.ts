import { deviceFilterWhere } from '@/features/devices/filters';
import type { Tx } from '@/lib/db';
import { getJobGuard, type OtaJobGuardDto } from './guard-queries';
import { ACTIVE_JOB_STATUSES, EXECUTION_STATUSES, type ExecutionCounts, type ExecutionStatus } from './model';
import type { ExecutionsQuery } from './schemas';

/** Reads for the OTA pages: plain JSON-safe DTOs with explicit columns, under the caller's RLS. */

export interface JobTarget {
  kind: 'thing' | 'group';
  name: string;
}

export interface OtaJobSummaryDto {
  id: string;
  jobId: string;
  integrationId: string;
  integrationName: string;
  status: string;
  targetSelection: string | null;
  targets: JobTarget[];
  description: string | null;
  counts: ExecutionCounts;
  createdAt: string | null;
  completedAt: string | null;
  lastUpdatedAt: string | null;
  syncedAt: string;
  /** Executions can still change (the job is active, or canceled with some still running). */
  live: boolean;
}

export interface TimelineEntry {
  kind: 'created' | 'first_started' | 'cancel_requested' | 'guard_tripped' | 'status_changed' | 'completed' | 'last_finished';
  at: string;
  actor: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  details: Record<string, unknown>;
}

export interface OtaJobDetailDto extends OtaJobSummaryDto {
  jobArn: string | null;
  document: string | null;
  documentSource: string | null;
  rolloutConfig: RolloutConfig | null;
  abortConfig: { criteriaList?: AbortCriteria[] } | null;
  timeoutConfig: { inProgressTimeoutInMinutes?: number } | null;
  retryConfig: { criteriaList?: { failureType: string; numberOfRetries: number }[] } | null;
  forceCanceled: boolean | null;
  reasonCode: string | null;
  comment: string | null;
  createdBy: string | null;
  refreshedAt: string | null;
  refreshError: string | null;
  integrationPaused: boolean;
  timeline: TimelineEntry[];
  /** The health guard chosen at launch, or null for an unguarded job. */
  guard: OtaJobGuardDto | null;
  generatedAt: string;
}

export interface RolloutConfig {
  maximumPerMinute?: number;
  exponentialRate?: {
    baseRatePerMinute: number;
    incrementFactor: number;
    rateIncreaseCriteria: { numberOfNotifiedThings?: number; numberOfSucceededThings?: number };
  };
}

export interface AbortCriteria {
  failureType: string;
  action: string;
  thresholdPercentage: number;
  minNumberOfExecutedThings: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `arn:aws:iot:<region>:<account>:thing/<name>` or `…:thinggroup/<name>`. */
export function parseTarget(arn: string): JobTarget {
  const m = /:(thing|thinggroup)\/(.+)$/.exec(arn);
  if (!m) return { kind: 'thing', name: arn };
  return { kind: m[1] === 'thinggroup' ? 'group' : 'thing', name: m[2]! };
}

interface SummaryRow {
  id: string;
  job_id: string;
  integration_id: string;
  integration_name: string;
  status: string;
  target_selection: string | null;
  targets: string[];
  description: string | null;
  queued_count: number;
  in_progress_count: number;
  succeeded_count: number;
  failed_count: number;
  timed_out_count: number;
  rejected_count: number;
  removed_count: number;
  canceled_count: number;
  created_at_aws: Date | null;
  completed_at_aws: Date | null;
  last_updated_at_aws: Date | null;
  synced_at: Date;
  sort_at: Date;
}

function countsOf(r: SummaryRow): ExecutionCounts {
  return {
    QUEUED: r.queued_count,
    IN_PROGRESS: r.in_progress_count,
    SUCCEEDED: r.succeeded_count,
    FAILED: r.failed_count,
    TIMED_OUT: r.timed_out_count,
    REJECTED: r.rejected_count,
    REMOVED: r.removed_count,
    CANCELED: r.canceled_count,
  };
}

export function isLive(status: string, counts: Pick<ExecutionCounts, 'QUEUED' | 'IN_PROGRESS'>): boolean {
  return ACTIVE_JOB_STATUSES.includes(status) || counts.QUEUED + counts.IN_PROGRESS > 0;
}

function toSummary(r: SummaryRow): OtaJobSummaryDto {
  const counts = countsOf(r);
  return {
    id: r.id,
    jobId: r.job_id,
    integrationId: r.integration_id,
    integrationName: r.integration_name,
    status: r.status,
    targetSelection: r.target_selection,
    targets: r.targets.map(parseTarget),
    description: r.description,
    counts,
    createdAt: iso(r.created_at_aws),
    completedAt: iso(r.completed_at_aws),
    lastUpdatedAt: iso(r.last_updated_at_aws),
    syncedAt: r.synced_at.toISOString(),
    live: isLive(r.status, counts),
  };
}

function summaryColumns(db: Tx) {
  return db`
    j.id, j.job_id, j.integration_id, i.name as integration_name, j.status, j.target_selection, j.targets, j.description,
    j.queued_count, j.in_progress_count, j.succeeded_count, j.failed_count, j.timed_out_count, j.rejected_count,
    j.removed_count, j.canceled_count, j.created_at_aws, j.completed_at_aws, j.last_updated_at_aws, j.synced_at,
    coalesce(j.created_at_aws, j.first_seen_at) as sort_at`;
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { at, id };
}

/** Newest first, keyset-paginated; `status` filters by AWS job status. */
export async function listOtaJobs(
  db: Tx,
  orgId: string,
  options: { status?: string; cursor?: string; limit?: number } = {},
): Promise<{ items: OtaJobSummaryDto[]; nextCursor: string | null }> {
  const limit = options.limit ?? 25;
  const after = decodeCursor(options.cursor);
  const rows = await db<SummaryRow[]>`
    select ${summaryColumns(db)}
    from public.ota_jobs j join public.integrations i on i.id = j.integration_id and i.org_id = j.org_id
    where j.org_id = ${orgId}
      ${options.status ? db`and j.status = ${options.status}` : db``}
      ${after ? db`and (coalesce(j.created_at_aws, j.first_seen_at), j.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : db``}
    order by coalesce(j.created_at_aws, j.first_seen_at) desc, j.id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toSummary), nextCursor: rows.length > limit && last ? encodeCursor(last.sort_at, last.id) : null };
}

interface DetailRow extends SummaryRow {
  job_arn: string | null;
  document: string | null;
  document_source: string | null;
  rollout_config: RolloutConfig | null;
  abort_config: OtaJobDetailDto['abortConfig'];
  timeout_config: OtaJobDetailDto['timeoutConfig'];
  retry_config: OtaJobDetailDto['retryConfig'];
  force_canceled: boolean | null;
  reason_code: string | null;
  comment: string | null;
  created_by: string | null;
  detail_refreshed_at: Date | null;
  refresh_error: string | null;
  integration_status: string;
  first_started_at: Date | null;
  last_finished_at: Date | null;
  pending_executions: boolean;
}

export async function getOtaJob(db: Tx, orgId: string, otaJobId: string): Promise<OtaJobDetailDto | null> {
  const [row] = await db<DetailRow[]>`
    select ${summaryColumns(db)}, j.job_arn, j.document, j.document_source, j.rollout_config, j.abort_config, j.timeout_config,
           j.retry_config, j.force_canceled, j.reason_code, j.comment, j.created_by, j.detail_refreshed_at, j.refresh_error,
           i.status::text as integration_status,
           (select min(e.started_at) from public.ota_job_executions e where e.org_id = j.org_id and e.ota_job_id = j.id) as first_started_at,
           (select max(e.last_updated_at) from public.ota_job_executions e
             where e.org_id = j.org_id and e.ota_job_id = j.id and e.status not in ('QUEUED', 'IN_PROGRESS')) as last_finished_at,
           exists (select 1 from public.ota_job_executions e
             where e.org_id = j.org_id and e.ota_job_id = j.id and e.status in ('QUEUED', 'IN_PROGRESS')) as pending_executions
    from public.ota_jobs j join public.integrations i on i.id = j.integration_id and i.org_id = j.org_id
    where j.org_id = ${orgId} and j.id = ${otaJobId}`;
  if (!row) return null;
  const members = new Map(
    (await db<{ user_id: string; email: string }[]>`select user_id, email from public.list_org_members(${orgId})`).map((m) => [m.user_id, m.email]),
  );
  const who = (id: string | null) => (id ? (members.get(id) ?? 'a former member') : null);
  const events = await db<{ kind: 'created' | 'cancel_requested' | 'guard_tripped' | 'status_changed'; from_status: string | null; to_status: string | null; actor_id: string | null; details: Record<string, unknown>; occurred_at: Date }[]>`
    select kind, from_status, to_status, actor_id, details, occurred_at
    from public.ota_job_events where org_id = ${orgId} and ota_job_id = ${otaJobId}
    order by occurred_at, id`;
  // Cached executions still queued or running keep the page following the job until they settle.
  const summary = { ...toSummary(row), live: toSummary(row).live || row.pending_executions };
  const timeline: TimelineEntry[] = [];
  const entry = (e: Omit<TimelineEntry, 'actor' | 'fromStatus' | 'toStatus' | 'details'> & Partial<TimelineEntry>): TimelineEntry => ({
    actor: null,
    fromStatus: null,
    toStatus: null,
    details: {},
    ...e,
  });
  const created = events.find((e) => e.kind === 'created');
  if (row.created_at_aws) {
    timeline.push(entry({ kind: 'created', at: row.created_at_aws.toISOString(), actor: who(row.created_by ?? created?.actor_id ?? null), details: { viaFleetline: Boolean(row.created_by ?? created) } }));
  }
  if (row.first_started_at) timeline.push(entry({ kind: 'first_started', at: row.first_started_at.toISOString() }));
  for (const e of events) {
    if (e.kind === 'created') continue;
    timeline.push(entry({ kind: e.kind, at: e.occurred_at.toISOString(), actor: who(e.actor_id), fromStatus: e.from_status, toStatus: e.to_status, details: e.details }));
  }
  const finalStatus = row.status === 'COMPLETED' || row.status === 'CANCELED' ? row.status : null;
  if (finalStatus && row.completed_at_aws && !events.some((e) => e.kind === 'status_changed' && e.to_status === finalStatus)) {
    timeline.push(entry({ kind: 'completed', at: row.completed_at_aws.toISOString(), toStatus: finalStatus, details: row.comment ? { comment: row.comment } : {} }));
  }
  if (!summary.live && row.last_finished_at) timeline.push(entry({ kind: 'last_finished', at: row.last_finished_at.toISOString() }));
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  return {
    ...summary,
    jobArn: row.job_arn,
    document: row.document,
    documentSource: row.document_source,
    rolloutConfig: row.rollout_config,
    abortConfig: row.abort_config,
    timeoutConfig: row.timeout_config,
    retryConfig: row.retry_config,
    forceCanceled: row.force_canceled,
    reasonCode: row.reason_code,
    comment: row.comment,
    createdBy: who(row.created_by),
    refreshedAt: iso(row.detail_refreshed_at),
    refreshError: row.refresh_error,
    integrationPaused: row.integration_status === 'paused',
    timeline,
    guard: await getJobGuard(db, orgId, otaJobId),
    generatedAt: new Date().toISOString(),
  };
}

export interface ExecutionDto {
  thingName: string;
  deviceId: string | null;
  status: ExecutionStatus;
  queuedAt: string | null;
  startedAt: string | null;
  lastUpdatedAt: string | null;
  retryAttempt: number | null;
}

export interface ExecutionPage {
  items: ExecutionDto[];
  nextCursor: string | null;
  /** Executions matching the filter (all pages). */
  total: number;
}

const PAGE = 50;

/** One page of a job's executions by thing name, filtered by status and a thing-name search. */
export async function listOtaJobExecutions(db: Tx, orgId: string, otaJobId: string, query: ExecutionsQuery): Promise<ExecutionPage> {
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = db`
    e.org_id = ${orgId} and e.ota_job_id = ${otaJobId}
    ${query.status ? db`and e.status = ${query.status}` : db``}
    ${pattern ? db`and e.thing_name ilike ${pattern}` : db``}`;
  const rows = await db<{ thing_name: string; device_id: string | null; status: ExecutionStatus; queued_at: Date | null; started_at: Date | null; last_updated_at: Date | null; retry_attempt: number | null }[]>`
    select e.thing_name, d.id as device_id, e.status, e.queued_at, e.started_at, e.last_updated_at, e.retry_attempt
    from public.ota_job_executions e
    join public.ota_jobs j on j.id = e.ota_job_id and j.org_id = e.org_id
    left join public.devices d on d.org_id = e.org_id and d.integration_id = j.integration_id and d.thing_name = e.thing_name
    where ${where} ${query.cursor ? db`and e.thing_name > ${query.cursor}` : db``}
    order by e.thing_name
    limit ${PAGE + 1}`;
  const [{ total } = { total: 0 }] = await db<{ total: number }[]>`select count(*)::int as total from public.ota_job_executions e where ${where}`;
  const page = rows.slice(0, PAGE);
  return {
    items: page.map((r) => ({
      thingName: r.thing_name,
      deviceId: r.device_id,
      status: EXECUTION_STATUSES.includes(r.status) ? r.status : 'QUEUED',
      queuedAt: iso(r.queued_at),
      startedAt: iso(r.started_at),
      lastUpdatedAt: iso(r.last_updated_at),
      retryAttempt: r.retry_attempt,
    })),
    nextCursor: rows.length > PAGE ? page[page.length - 1]!.thing_name : null,
    total,
  };
}

export interface JobIntegrationDto {
  id: string;
  name: string;
  region: string;
  paused: boolean;
}

export async function listJobIntegrations(db: Tx, orgId: string): Promise<JobIntegrationDto[]> {
  const rows = await db<{ id: string; name: string; region: string; status: string }[]>`
    select id, name, region, status::text from public.integrations where org_id = ${orgId} order by name`;
  return rows.map((r) => ({ id: r.id, name: r.name, region: r.region, paused: r.status === 'paused' }));
}

export interface TargetGroupDto {
  integrationId: string;
  name: string;
  parentName: string | null;
  description: string | null;
  /** Live devices in the group or any of its descendants (AWS targets a group recursively). */
  things: number;
}

export async function listTargetGroups(db: Tx, orgId: string): Promise<TargetGroupDto[]> {
  return db<TargetGroupDto[]>`
    with recursive tree as (
      select g.integration_id, g.name, g.name as root from public.thing_groups g where g.org_id = ${orgId}
      union all
      select c.integration_id, c.name, t.root
      from public.thing_groups c join tree t on c.integration_id = t.integration_id and c.parent_name = t.name
      where c.org_id = ${orgId}
    ),
    counts as (
      select t.integration_id, t.root, count(distinct d.id)::int as things
      from public.devices d
      cross join lateral unnest(d.groups) as dg(name)
      join tree t on t.integration_id = d.integration_id and t.name = dg.name
      where d.org_id = ${orgId} and d.removed_at is null
      group by t.integration_id, t.root
    )
    select g.integration_id as "integrationId", g.name, g.parent_name as "parentName", g.description, coalesce(c.things, 0) as things
    from public.thing_groups g
    left join counts c on c.integration_id = g.integration_id and c.root = g.name
    where g.org_id = ${orgId}
    order by g.integration_id, g.name`;
}

export interface TargetThingDto {
  thingName: string;
  displayName: string | null;
  status: string;
  firmwareVersion: string | null;
  groups: string[];
}

/** Things of one integration matching the device search (the device list's `q`), for picking targets. */
export async function searchTargetThings(
  db: Tx,
  orgId: string,
  integrationId: string,
  q: string | undefined,
  limit = 50,
): Promise<{ items: TargetThingDto[]; total: number }> {
  const where = deviceFilterWhere(db, orgId, { integration: integrationId, ...(q ? { q } : {}) });
  const items = await db<TargetThingDto[]>`
    select d.thing_name as "thingName", d.display_name as "displayName", d.status::text as status,
           d.firmware_version as "firmwareVersion", d.groups
    from public.devices d where ${where}
    order by d.thing_name limit ${limit}`;
  const [{ total } = { total: 0 }] = await db<{ total: number }[]>`select count(*)::int as total from public.devices d where ${where}`;
  return { items, total };
}

export interface ThingExecutionDto {
  otaJobId: string;
  jobId: string;
  jobStatus: string;
  status: ExecutionStatus;
  lastUpdatedAt: string | null;
}

/** A device's executions across jobs, newest job first (for the device page). */
export async function listThingExecutions(db: Tx, orgId: string, integrationId: string, thingName: string, limit = 20): Promise<ThingExecutionDto[]> {
  const rows = await db<{ ota_job_id: string; job_id: string; job_status: string; status: ExecutionStatus; last_updated_at: Date | null }[]>`
    select e.ota_job_id, j.job_id, j.status as job_status, e.status, e.last_updated_at
    from public.ota_job_executions e join public.ota_jobs j on j.id = e.ota_job_id and j.org_id = e.org_id
    where e.org_id = ${orgId} and j.integration_id = ${integrationId} and e.thing_name = ${thingName}
    order by coalesce(j.created_at_aws, j.first_seen_at) desc, j.first_seen_at desc, j.id desc
    limit ${limit}`;
  return rows.map((r) => ({ otaJobId: r.ota_job_id, jobId: r.job_id, jobStatus: r.job_status, status: r.status, lastUpdatedAt: iso(r.last_updated_at) }));
}
