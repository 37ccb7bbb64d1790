// IoT Jobs operations (control plane, REST-JSON) on top of the engine in jobs.ts.

import type { Account } from './account';
import { AwsError, invalidRequest, notFound } from './errors';
import {
  decodeToken,
  encodeToken,
  epochSeconds,
  json,
  jsonBody,
  optionalString,
  queryBool,
  queryInt,
  queryString,
  type RequestContext,
  type Route,
} from './http';
import {
  EXECUTION_STATUSES,
  JOB_STATUSES,
  type AbortCriteria,
  type ExecutionStatus,
  type Job,
  type JobSpec,
  type RetryCriteria,
  type RolloutConfig,
} from './jobs';
import { isObject, type Json, type JsonObject } from './json';
import { requireThing } from './registry';

const JOB_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const TARGET_PATTERN = /^arn:aws:iot:([a-z0-9-]+):(\d{12}):(thing|thinggroup)\/([a-zA-Z0-9:_-]{1,128})$/;
const MAX_ACTIVE_JOBS = 1000;
const DEFAULT_PAGE = 50;

function requireJob(ctx: RequestContext): Job {
  const jobId = ctx.params.jobId!;
  const job = JOB_ID_PATTERN.test(jobId) ? ctx.account.jobs.get(jobId, ctx.now) : undefined;
  if (!job) throw notFound(`Job ${jobId} does not exist.`);
  return job;
}

function num(v: Json | undefined, name: string, min: number, max: number, integer = true): number {
  if (typeof v !== 'number' || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw invalidRequest(`${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);
  }
  return v;
}

function oneOf<T extends string>(v: Json | undefined, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw invalidRequest(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function parseRollout(v: Json | undefined): RolloutConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidRequest('jobExecutionsRolloutConfig must be an object');
  const out: RolloutConfig = {};
  if (v.maximumPerMinute !== undefined) out.maximumPerMinute = num(v.maximumPerMinute, 'maximumPerMinute', 1, 1000);
  if (v.exponentialRate !== undefined && v.exponentialRate !== null) {
    const e = v.exponentialRate;
    if (!isObject(e) || !isObject(e.rateIncreaseCriteria)) throw invalidRequest('exponentialRate needs baseRatePerMinute, incrementFactor and rateIncreaseCriteria');
    const c = e.rateIncreaseCriteria;
    const notified = c.numberOfNotifiedThings;
    const succeeded = c.numberOfSucceededThings;
    if ((notified === undefined) === (succeeded === undefined)) {
      throw invalidRequest('rateIncreaseCriteria needs exactly one of numberOfNotifiedThings and numberOfSucceededThings');
    }
    out.exponentialRate = {
      baseRatePerMinute: num(e.baseRatePerMinute, 'baseRatePerMinute', 1, 1000),
      incrementFactor: num(e.incrementFactor, 'incrementFactor', 1.1, 5, false),
      rateIncreaseCriteria:
        notified !== undefined
          ? { numberOfNotifiedThings: num(notified, 'numberOfNotifiedThings', 1, 1_000_000) }
          : { numberOfSucceededThings: num(succeeded, 'numberOfSucceededThings', 1, 1_000_000) },
    };
    if (out.maximumPerMinute === undefined) out.maximumPerMinute = 1000;
  }
  return out;
}

function parseAbort(v: Json | undefined): AbortCriteria[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || !Array.isArray(v.criteriaList) || v.criteriaList.length === 0) {
    throw invalidRequest('abortConfig.criteriaList needs at least one criteria');
  }
  return v.criteriaList.map((c) => {
    if (!isObject(c)) throw invalidRequest('abort criteria must be objects');
    return {
      failureType: oneOf(c.failureType, 'failureType', ['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'] as const),
      action: oneOf(c.action, 'action', ['CANCEL'] as const),
      thresholdPercentage: num(c.thresholdPercentage, 'thresholdPercentage', 0, 100, false),
      minNumberOfExecutedThings: num(c.minNumberOfExecutedThings, 'minNumberOfExecutedThings', 1, 1_000_000),
    };
  });
}

function parseRetry(v: Json | undefined): RetryCriteria[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || !Array.isArray(v.criteriaList) || v.criteriaList.length < 1 || v.criteriaList.length > 2) {
    throw invalidRequest('jobExecutionsRetryConfig.criteriaList needs 1 or 2 criteria');
  }
  return v.criteriaList.map((c) => {
    if (!isObject(c)) throw invalidRequest('retry criteria must be objects');
    return {
      failureType: oneOf(c.failureType, 'failureType', ['FAILED', 'TIMED_OUT', 'ALL'] as const),
      numberOfRetries: num(c.numberOfRetries, 'numberOfRetries', 0, 10),
    };
  });
}

function resolveTargets(account: Account, targets: Json | undefined): Pick<JobSpec, 'targets' | 'thingTargets' | 'groupTargets'> {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw invalidRequest("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const out = { targets: [] as string[], thingTargets: [] as number[], groupTargets: [] as string[] };
  for (const t of targets) {
    const m = typeof t === 'string' ? TARGET_PATTERN.exec(t) : null;
    if (!m) throw invalidRequest(`Invalid target ARN: ${JSON.stringify(t)}`);
    const [, region, accountId, kind, name] = m;
    if (region !== account.region || accountId !== account.accountId) {
      throw invalidRequest(`Target ${String(t)} is not in account ${account.accountId} / region ${account.region}`);
    }
    if (kind === 'thing') {
      const index = account.fleet.indexOf(name!);
      if (index < 0) throw notFound(`Thing ${name} cannot be found.`);
      out.thingTargets.push(index);
    } else {
      if (!account.groupExists(name!)) throw notFound(`Thing group ${name} cannot be found.`);
      out.groupTargets.push(name!);
    }
    out.targets.push(t as string);
  }
  return out;
}

function createJob(ctx: RequestContext) {
  const { account } = ctx;
  const jobId = ctx.params.jobId!;
  if (!JOB_ID_PATTERN.test(jobId)) throw invalidRequest(`Invalid jobId '${jobId}': 1-64 characters of [a-zA-Z0-9_-]`);
  const body = jsonBody(ctx);
  for (const unsupported of ['schedulingConfig', 'jobTemplateArn', 'destinationPackageVersions']) {
    if (body[unsupported] !== undefined && body[unsupported] !== null) {
      throw invalidRequest(`${unsupported} is not supported by the fleet simulator`);
    }
  }
  if (account.jobs.jobs.has(jobId)) throw new AwsError('ResourceAlreadyExistsException', 409, `Job with id ${jobId} already exists.`);
  const document = optionalString(body, 'document', 32_768);
  const documentSource = optionalString(body, 'documentSource', 1350);
  if ((document === undefined) === (documentSource === undefined)) {
    throw invalidRequest('Exactly one of document and documentSource must be specified.');
  }
  if (document !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      parsed = undefined;
    }
    if (!isObject(parsed)) throw invalidRequest('The job document must be a valid JSON object.');
  }
  const description = optionalString(body, 'description', 2028);
  const targetSelection =
    body.targetSelection === undefined || body.targetSelection === null
      ? 'SNAPSHOT'
      : oneOf(body.targetSelection, 'targetSelection', ['SNAPSHOT', 'CONTINUOUS'] as const);
  const targets = resolveTargets(account, body.targets);
  if (targetSelection === 'CONTINUOUS' && targets.groupTargets.length === 0) {
    throw invalidRequest('A CONTINUOUS job must target at least one thing group.');
  }
  const timeout = body.timeoutConfig;
  let inProgressTimeoutMinutes: number | undefined;
  if (timeout !== undefined && timeout !== null) {
    if (!isObject(timeout)) throw invalidRequest('timeoutConfig must be an object');
    if (timeout.inProgressTimeoutInMinutes !== undefined) {
      inProgressTimeoutMinutes = num(timeout.inProgressTimeoutInMinutes, 'inProgressTimeoutInMinutes', 1, 10_080);
    }
  }
  const spec: JobSpec = {
    jobId,
    ...targets,
    document,
    documentSource,
    description,
    targetSelection,
    rollout: parseRollout(body.jobExecutionsRolloutConfig),
    abortCriteria: parseAbort(body.abortConfig),
    inProgressTimeoutMinutes,
    retryCriteria: parseRetry(body.jobExecutionsRetryConfig),
  };
  if (account.jobs.activeCount() >= MAX_ACTIVE_JOBS) {
    throw new AwsError('LimitExceededException', 410, `The account already has ${MAX_ACTIVE_JOBS} jobs in progress.`);
  }
  const job = account.jobs.create(spec, ctx.now);
  return json({ jobArn: job.arn, jobId, ...(description !== undefined ? { description } : {}) });
}

function groupIdOf(ctx: RequestContext, job: Job): string | undefined {
  const g = job.spec.groupTargets[0];
  return g === undefined ? undefined : `${ctx.account.endpointPrefix}-${g}`;
}

function jobSummary(ctx: RequestContext, job: Job): JsonObject {
  const groupId = groupIdOf(ctx, job);
  return {
    jobArn: job.arn,
    jobId: job.spec.jobId,
    ...(groupId ? { thingGroupId: groupId } : {}),
    targetSelection: job.spec.targetSelection,
    status: job.status,
    createdAt: epochSeconds(job.createdAt),
    lastUpdatedAt: epochSeconds(job.lastUpdatedAt),
    ...(job.completedAt !== undefined ? { completedAt: epochSeconds(job.completedAt) } : {}),
    isConcurrent: false,
  };
}

function listJobs(ctx: RequestContext) {
  const status = queryString(ctx, 'status');
  if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) {
    throw invalidRequest(`Invalid status '${status}': expected one of ${JOB_STATUSES.join(', ')}`);
  }
  const selection = queryString(ctx, 'targetSelection');
  if (selection !== undefined && selection !== 'SNAPSHOT' && selection !== 'CONTINUOUS') {
    throw invalidRequest(`Invalid targetSelection '${selection}'`);
  }
  const group = queryString(ctx, 'thingGroupName', { max: 128 });
  const groupId = queryString(ctx, 'thingGroupId', { max: 128 });
  const max = queryInt(ctx, 'maxResults', 1, 250) ?? DEFAULT_PAGE;
  const fingerprint = JSON.stringify([status, selection, group, groupId]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListJobs', fingerprint);
  const jobs = ctx.account.jobs
    .list(ctx.now)
    .filter(
      (j) =>
        (status === undefined || j.status === status) &&
        (selection === undefined || j.spec.targetSelection === selection) &&
        (group === undefined || j.spec.groupTargets.includes(group)) &&
        (groupId === undefined || groupIdOf(ctx, j) === groupId),
    );
  const page = jobs.slice(position, position + max);
  const next = position + max < jobs.length ? position + max : null;
  return json({
    jobs: page.map((j) => jobSummary(ctx, j)),
    ...(next !== null ? { nextToken: encodeToken('ListJobs', next, fingerprint) } : {}),
  });
}

function describeJob(ctx: RequestContext) {
  const job = requireJob(ctx);
  const c = (s: ExecutionStatus) => job.counts[EXECUTION_STATUSES.indexOf(s)] ?? 0;
  const spec = job.spec;
  return json({
    ...(spec.documentSource ? { documentSource: spec.documentSource } : {}),
    job: {
      ...jobSummary(ctx, job),
      forceCanceled: job.forceCanceled,
      ...(job.reasonCode ? { reasonCode: job.reasonCode } : {}),
      ...(job.comment ? { comment: job.comment } : {}),
      targets: spec.targets,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.rollout ? { jobExecutionsRolloutConfig: spec.rollout } : {}),
      ...(spec.abortCriteria ? { abortConfig: { criteriaList: spec.abortCriteria } } : {}),
      ...(spec.inProgressTimeoutMinutes !== undefined ? { timeoutConfig: { inProgressTimeoutInMinutes: spec.inProgressTimeoutMinutes } } : {}),
      ...(spec.retryCriteria ? { jobExecutionsRetryConfig: { criteriaList: spec.retryCriteria } } : {}),
      jobProcessDetails: {
        processingTargets: job.processingTargets(),
        numberOfCanceledThings: c('CANCELED'),
        numberOfSucceededThings: c('SUCCEEDED'),
        numberOfFailedThings: c('FAILED'),
        numberOfRejectedThings: c('REJECTED'),
        numberOfQueuedThings: c('QUEUED'),
        numberOfInProgressThings: c('IN_PROGRESS'),
        numberOfRemovedThings: c('REMOVED'),
        numberOfTimedOutThings: c('TIMED_OUT'),
      },
    },
  });
}

function executionSummary(job: Job, exec: number): JsonObject {
  const started = job.startedAt[exec]!;
  return {
    status: job.statusOf(exec),
    queuedAt: epochSeconds(job.queuedAt[exec]!),
    ...(Number.isNaN(started) ? {} : { startedAt: epochSeconds(started) }),
    lastUpdatedAt: epochSeconds(job.updatedAt[exec]!),
    executionNumber: 1,
    retryAttempt: job.attempt[exec]!,
  };
}

function executionStatusFilter(ctx: RequestContext): ExecutionStatus | undefined {
  const status = queryString(ctx, 'status');
  if (status !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(status)) {
    throw invalidRequest(`Invalid status '${status}': expected one of ${EXECUTION_STATUSES.join(', ')}`);
  }
  return status as ExecutionStatus | undefined;
}

function listJobExecutionsForJob(ctx: RequestContext) {
  const job = requireJob(ctx);
  const status = executionStatusFilter(ctx);
  const max = queryInt(ctx, 'maxResults', 1, 250) ?? DEFAULT_PAGE;
  const fingerprint = JSON.stringify([job.spec.jobId, status]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListJobExecutionsForJob', fingerprint);
  const summaries: JsonObject[] = [];
  let e = position;
  for (; e < job.executionCount && summaries.length < max; e++) {
    if (status !== undefined && job.statusOf(e) !== status) continue;
    summaries.push({
      thingArn: ctx.account.thingArn(ctx.account.fleet.name(job.thing[e]!)),
      jobExecutionSummary: executionSummary(job, e),
    });
  }
  while (e < job.executionCount && status !== undefined && job.statusOf(e) !== status) e++;
  return json({
    executionSummaries: summaries,
    ...(e < job.executionCount ? { nextToken: encodeToken('ListJobExecutionsForJob', e, fingerprint) } : {}),
  });
}

function cancelJob(ctx: RequestContext) {
  const job = requireJob(ctx);
  const force = queryBool(ctx, 'force') ?? false;
  const body = jsonBody(ctx);
  const reasonCode = optionalString(body, 'reasonCode', 128);
  if (reasonCode !== undefined && !/^[\p{Lu}\p{Nd}_]+$/u.test(reasonCode)) {
    throw invalidRequest('reasonCode may contain only upper-case letters, digits and underscores');
  }
  const comment = optionalString(body, 'comment', 2028);
  job.cancel(ctx.now, force, reasonCode, comment);
  return json({
    jobArn: job.arn,
    jobId: job.spec.jobId,
    ...(job.spec.description !== undefined ? { description: job.spec.description } : {}),
  });
}

function getJobDocument(ctx: RequestContext) {
  const job = requireJob(ctx);
  return json({ document: job.spec.document ?? '' });
}

function describeJobExecution(ctx: RequestContext) {
  const job = requireJob(ctx);
  const thingName = ctx.params.thingName!;
  const index = requireThing(ctx.account, thingName);
  const exec = job.executionIndexOf(index);
  if (exec < 0) throw notFound(`Job execution of ${job.spec.jobId} on ${thingName} does not exist.`);
  const s = executionSummary(job, exec);
  return json({
    execution: {
      jobId: job.spec.jobId,
      status: s.status,
      forceCanceled: job.forceCanceled && s.status === 'CANCELED',
      thingArn: ctx.account.thingArn(thingName),
      queuedAt: s.queuedAt,
      ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
      lastUpdatedAt: s.lastUpdatedAt,
      executionNumber: 1,
      versionNumber: 1 + (job.attempt[exec] ?? 0),
    },
  });
}

function listJobExecutionsForThing(ctx: RequestContext) {
  const thingName = ctx.params.thingName!;
  const index = requireThing(ctx.account, thingName);
  const status = executionStatusFilter(ctx);
  const max = queryInt(ctx, 'maxResults', 1, 250) ?? DEFAULT_PAGE;
  const fingerprint = JSON.stringify([thingName, status]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListJobExecutionsForThing', fingerprint);
  const rows: JsonObject[] = [];
  for (const job of ctx.account.jobs.list(ctx.now)) {
    const exec = job.executionIndexOf(index);
    if (exec < 0 || (status !== undefined && job.statusOf(exec) !== status)) continue;
    rows.push({ jobId: job.spec.jobId, jobExecutionSummary: executionSummary(job, exec) });
  }
  const page = rows.slice(position, position + max);
  const next = position + max < rows.length ? position + max : null;
  return json({
    executionSummaries: page,
    ...(next !== null ? { nextToken: encodeToken('ListJobExecutionsForThing', next, fingerprint) } : {}),
  });
}

export const jobRoutes: Route[] = [
  { method: 'PUT', path: '/jobs/{jobId}', operation: 'CreateJob', action: 'iot:CreateJob', handler: createJob },
  { method: 'GET', path: '/jobs', operation: 'ListJobs', action: 'iot:ListJobs', handler: listJobs },
  { method: 'GET', path: '/jobs/{jobId}', operation: 'DescribeJob', action: 'iot:DescribeJob', handler: describeJob },
  {
    method: 'GET',
    path: '/jobs/{jobId}/things',
    operation: 'ListJobExecutionsForJob',
    action: 'iot:ListJobExecutionsForJob',
    handler: listJobExecutionsForJob,
  },
  { method: 'PUT', path: '/jobs/{jobId}/cancel', operation: 'CancelJob', action: 'iot:CancelJob', handler: cancelJob },
  { method: 'GET', path: '/jobs/{jobId}/job-document', operation: 'GetJobDocument', action: 'iot:GetJobDocument', handler: getJobDocument },
  {
    method: 'GET',
    path: '/things/{thingName}/jobs/{jobId}',
    operation: 'DescribeJobExecution',
    action: 'iot:DescribeJobExecution',
    handler: describeJobExecution,
  },
  {
    method: 'GET',
    path: '/things/{thingName}/jobs',
    operation: 'ListJobExecutionsForThing',
    action: 'iot:ListJobExecutionsForThing',
    handler: listJobExecutionsForThing,
  },
];
