import { CancelJobCommand, CreateJobCommand, DescribeThingCommand, DescribeThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot';
import { findGuardableRules } from '@/features/alerts/guards';
import { loadIntegration, type IntegrationForSync } from '@/features/integrations/runtime/integration';
import { recordAudit } from '@/lib/audit';
import { describeAwsError } from '@/lib/aws/clients';
import type { OrgContext, OrgScope } from '@/lib/context';
import { asService } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { hasRole } from '@/lib/roles';
import { writeCreatedJob } from './cache-writer';
import { withIot, type OtaRuntime } from './clients';
import { saveJobGuard } from './guard';
import { ACTIVE_JOB_STATUSES } from './model';
import { fetchJobDetail, refreshOtaJob, writeJobDetail } from './refresh';
import { createJobRequest, OTA_WRITE_MIN_ROLE, type CancelOtaJobInput, type CreateOtaJobInput } from './schemas';

/**
 * Launching and canceling OTA jobs (owners and admins; checked by the action wrapper, here and by
 * AWS permissions). Everything Fleetline can check is checked before the first AWS call, so a bad
 * input changes nothing anywhere; the cache row is written right after AWS accepted the job. The
 * checks commit before the first AWS call and the writes are short transactions after it.
 */
export interface OtaDeps {
  runtime: OtaRuntime;
}

/** How long a create (target lookups included) or a cancel may wait for AWS, throttling included. */
const OTA_WRITE_DEADLINE_MS = 30_000;

function requireAdmin(ctx: Pick<OrgContext, 'role'>): void {
  if (!hasRole(ctx.role, OTA_WRITE_MIN_ROLE)) {
    throw new AppError('FORBIDDEN', `Only admins and owners launch or cancel OTA jobs; you are ${ctx.role}.`);
  }
}

/** The integration, visible to the caller under RLS, with what building its clients needs. */
async function usableIntegration(ctx: OrgContext, integrationId: string): Promise<IntegrationForSync> {
  const [visible] = await ctx.db<{ id: string }[]>`select id from public.integrations where id = ${integrationId} and org_id = ${ctx.org.id}`;
  const integration = visible ? await loadIntegration(asService, integrationId, ctx.org.id) : null;
  if (!integration) throw new AppError('NOT_FOUND', 'That AWS account is not connected to this organization.', { integrationId: ['Choose one of the connected AWS accounts.'] });
  if (integration.status === 'paused') {
    throw new AppError('PRECONDITION', `${integration.name} is paused${integration.paused_reason ? `: ${integration.paused_reason}` : '.'} Resume it first.`);
  }
  return integration;
}

/** AWS errors a user can act on, in their words; anything else stays a bug (INTERNAL). */
function awsRefusal(error: unknown, action: 'create' | 'cancel', jobId: string): AppError | null {
  const aws = describeAwsError(error);
  switch (aws.name) {
    case 'ResourceAlreadyExistsException':
      return new AppError('CONFLICT', `A job named ${jobId} already exists in this AWS account.`, { jobId: ['This id is taken in AWS (job ids stay taken after a job is deleted for a while). Choose another.'] });
    case 'ResourceNotFoundException':
      return action === 'create'
        ? new AppError('PRECONDITION', `AWS does not know one of the targets (${aws.message}). Sync the integration and choose the targets again.`)
        : new AppError('NOT_FOUND', `The job ${jobId} no longer exists in AWS.`);
    case 'InvalidRequestException':
      return new AppError('PRECONDITION', `AWS refused the request: ${aws.message}`);
    case 'LimitExceededException':
      return new AppError('PRECONDITION', `AWS refused the job: the account has reached a limit (${aws.message}).`);
    case 'AccessDeniedException':
    case 'UnauthorizedException':
      return new AppError('PRECONDITION', `The integration's AWS permissions do not allow iot:${action === 'create' ? 'CreateJob' : 'CancelJob'} (${aws.message}).`);
    case 'ThrottlingException':
      return new AppError('RATE_LIMITED', 'AWS is throttling job requests right now. Try again in a few seconds.');
    default:
      return null;
  }
}

async function missingNames(ctx: OrgContext, table: 'groups' | 'things', integrationId: string, names: string[]): Promise<string[]> {
  const found =
    table === 'groups'
      ? await ctx.db<{ name: string }[]>`
          select name from public.thing_groups where org_id = ${ctx.org.id} and integration_id = ${integrationId} and name = any(${names}::text[])`
      : await ctx.db<{ name: string }[]>`
          select thing_name as name from public.devices
          where org_id = ${ctx.org.id} and integration_id = ${integrationId} and removed_at is null and thing_name = any(${names}::text[])`;
  const known = new Set(found.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

/** ARN prefix (`arn:<partition>:iot:<region>:<account>`) from the first target, which AWS also confirms exists. */
async function targetArns(iot: IoTClient, input: CreateOtaJobInput): Promise<string[]> {
  const groups = input.targetKind === 'groups';
  const names = groups ? input.groups : input.things;
  const arn = groups
    ? (await iot.send(new DescribeThingGroupCommand({ thingGroupName: names[0]! }))).thingGroupArn
    : (await iot.send(new DescribeThingCommand({ thingName: names[0]! }))).thingArn;
  const marker = groups ? ':thinggroup/' : ':thing/';
  const at = arn?.lastIndexOf(marker) ?? -1;
  if (!arn || at < 0) throw new Error(`unexpected ARN for ${names[0]}: ${String(arn)}`);
  const prefix = arn.slice(0, at + marker.length);
  return names.map((n) => `${prefix}${n}`);
}

/** Everything checkable before AWS: the integration, the targets and the job id (one short transaction). */
async function checkNewJob(ctx: OrgContext, input: CreateOtaJobInput): Promise<IntegrationForSync> {
  const integration = await usableIntegration(ctx, input.integrationId);
  const kind = input.targetKind;
  const names = kind === 'groups' ? input.groups : input.things;
  const missing = await missingNames(ctx, kind, integration.id, names);
  if (missing.length > 0) {
    const what = kind === 'groups' ? 'thing group' : 'thing';
    throw new AppError('VALIDATION', 'Some targets are not in this AWS account.', {
      [kind]: [`Unknown ${what}${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}. Pick targets from the list.`],
    });
  }
  const [taken] = await ctx.db`select 1 from public.ota_jobs where org_id = ${ctx.org.id} and integration_id = ${integration.id} and job_id = ${input.jobId}`;
  if (taken) throw new AppError('CONFLICT', `A job named ${input.jobId} already exists.`, { jobId: ['This id is already used by a job in this AWS account. Choose another.'] });
  // Guard rules must be the organization's own device rules (no FK across features).
  const guardRules = await findGuardableRules(ctx.db, ctx.org.id, input.guardRuleIds);
  if (guardRules.length !== new Set(input.guardRuleIds).size) {
    throw new AppError('VALIDATION', 'Some guard rules are not alert rules of this organization that watch devices.', { guardRuleIds: ['Choose rules from the list.'] });
  }
  return integration;
}

export async function createOtaJob(ctx: OrgScope, input: CreateOtaJobInput, deps: OtaDeps): Promise<{ id: string }> {
  requireAdmin(ctx);
  const integration = await ctx.withDb((tx) => checkNewJob(tx, input));
  const kind = input.targetKind;
  const names = kind === 'groups' ? input.groups : input.things;

  let created: { jobArn?: string };
  try {
    created = await withIot(deps.runtime, integration, OTA_WRITE_DEADLINE_MS, async (iot, signal) =>
      iot.send(new CreateJobCommand(createJobRequest(input, await targetArns(iot, input))), { abortSignal: signal }),
    );
  } catch (error) {
    const refusal = awsRefusal(error, 'create', input.jobId);
    if (refusal) throw refusal;
    throw error;
  }

  const cacheTarget = { orgId: ctx.org.id, integrationId: integration.id };
  const id = await asService((tx) =>
    writeCreatedJob(tx, cacheTarget, { jobId: input.jobId, jobArn: created.jobArn ?? null, targetSelection: input.targetSelection, createdBy: ctx.user.id, document: input.document }),
  );
  const guarded = await asService((tx) => saveJobGuard(tx, { orgId: ctx.org.id, otaJobId: id, createdBy: ctx.user.id, input }));
  await ctx.withDb((tx) =>
    recordAudit(tx, 'ota_job.created', { type: 'ota_job', id }, {
      jobId: input.jobId,
      integrationId: integration.id,
      targetKind: kind,
      targets: names.slice(0, 20),
      targetCount: names.length,
      targetSelection: input.targetSelection,
      rollout: input.rolloutType,
      abort: input.abortEnabled,
      guard: guarded
        ? { ruleIds: input.guardRuleIds, minTreated: input.guardMinTreated, marginPercent: input.guardMarginPercent, confidence: input.guardConfidence }
        : null,
    }),
  );
  await asService((tx) => tx`
    insert into public.ota_job_events (org_id, ota_job_id, kind, to_status, actor_id, details)
    values (${ctx.org.id}, ${id}, 'created', 'IN_PROGRESS', ${ctx.user.id}, ${tx.json({ targetKind: kind, targetCount: names.length, guarded })})`);
  // The first detail now, so the job page opens with its executions; the page's polling retries on failure.
  try {
    const detail = await withIot(deps.runtime, integration, OTA_WRITE_DEADLINE_MS, (iot, signal) => fetchJobDetail(iot, input.jobId, { withDocument: false, signal }));
    await asService(async (tx) => {
      await writeJobDetail(tx, cacheTarget, detail);
      await tx`update public.ota_jobs set detail_refreshed_at = now() where id = ${id} and org_id = ${ctx.org.id}`;
    });
  } catch (error) {
    ctx.log.warn({ otaJobId: id, error: describeAwsError(error).name }, 'first refresh of a new OTA job failed');
  }
  ctx.log.info({ otaJobId: id, jobId: input.jobId, targets: names.length }, 'OTA job created');
  return { id };
}

/** The job can be canceled, and its integration is usable (one short transaction, before AWS). */
async function checkCancel(ctx: OrgContext, input: CancelOtaJobInput) {
  const [job] = await ctx.db<{ id: string; job_id: string; integration_id: string; status: string; force_canceled: boolean | null; in_progress_count: number }[]>`
    select id, job_id, integration_id, status, force_canceled, in_progress_count
    from public.ota_jobs where id = ${input.otaJobId} and org_id = ${ctx.org.id}`;
  if (!job) throw new AppError('NOT_FOUND', 'Job not found.');
  const active = ACTIVE_JOB_STATUSES.includes(job.status);
  // A job canceled without force can still be force-canceled, to stop what is running.
  const forceAfterCancel = job.status === 'CANCELED' && input.force && !job.force_canceled;
  if (!active && !forceAfterCancel) {
    throw new AppError(
      'PRECONDITION',
      job.status === 'CANCELED'
        ? input.force
          ? 'This job was already force-canceled.'
          : 'This job is already canceled. Cancel with force to also stop executions still in progress.'
        : `This job is ${job.status.toLowerCase().replace(/_/g, ' ')} and can no longer be canceled.`,
    );
  }
  return { job, integration: await usableIntegration(ctx, job.integration_id) };
}

export async function cancelOtaJob(ctx: OrgScope, input: CancelOtaJobInput, deps: OtaDeps): Promise<{ status: string }> {
  requireAdmin(ctx);
  const { job, integration } = await ctx.withDb((tx) => checkCancel(tx, input));
  try {
    await withIot(deps.runtime, integration, OTA_WRITE_DEADLINE_MS, (iot, signal) =>
      iot.send(
        new CancelJobCommand({
          jobId: job.job_id,
          force: input.force,
          ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
          ...(input.comment ? { comment: input.comment } : {}),
        }),
        { abortSignal: signal },
      ),
    );
  } catch (error) {
    const refusal = awsRefusal(error, 'cancel', job.job_id);
    if (refusal) throw refusal;
    throw error;
  }
  await ctx.withDb((tx) =>
    recordAudit(tx, 'ota_job.canceled', { type: 'ota_job', id: job.id }, {
      jobId: job.job_id,
      force: input.force,
      reasonCode: input.reasonCode || null,
      comment: input.comment || null,
    }),
  );
  await asService((tx) => tx`
    insert into public.ota_job_events (org_id, ota_job_id, kind, from_status, to_status, actor_id, details)
    values (${ctx.org.id}, ${job.id}, 'cancel_requested', ${job.status}, 'CANCELED', ${ctx.user.id},
            ${tx.json({ force: input.force, reasonCode: input.reasonCode || null, comment: input.comment || null })})`);
  const outcome = await refreshOtaJob({ runtime: deps.runtime, log: ctx.log }, ctx.org.id, job.id, { force: true });
  ctx.log.info({ otaJobId: job.id, force: input.force, refreshed: outcome }, 'OTA job canceled');
  return { status: 'CANCELED' };
}
