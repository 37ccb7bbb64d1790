import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '@/features/sync/engine';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { loadIntegration } from '@/features/integrations/runtime/integration';
import { asService, closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import type { OrgRole } from '@/lib/roles';
import { DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgScopeFor, silentLog, testKeyring, uniqueSuffix, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { writeExecutions, writeJobSummaries } from './cache-writer';
import { withIot } from './clients';
import { ABORT_DEFAULTS, ROLLOUT_DEFAULTS, TIMEOUT_DEFAULTS } from './model';
import { getOtaJob, listOtaJobExecutions, listOtaJobs, listThingExecutions } from './queries';
import { claimRefresh, fetchJobDetail, refreshOtaJob, writeJobDetail } from './refresh';
import { createOtaJobSchema, type CreateOtaJobInput } from './schemas';
import { cancelOtaJob, createOtaJob, type OtaDeps } from './service';
import { firmwareDocument } from './templates';

/**
 * Launching, following and canceling OTA jobs against the real simulator (frozen clock, so only
 * explicit advances move the rollout) and a real database, through the same service the actions use.
 */
const THINGS = 60;
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let integration: SimIntegration;
let deps: OtaDeps;

beforeAll(async () => {
  sim = await startTestSimulator({ things: THINGS, seed: 5 });
  org = await createTestOrg('ota-service');
  other = await createTestOrg('ota-other');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, name: 'sim' });
  const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
  expect(outcome.outcome).toBe('ran');
  deps = { runtime: { clients: integrationClients(testKeyring(), {}), db: asService } };
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

function jobInput(over: Partial<CreateOtaJobInput> = {}): CreateOtaJobInput {
  return createOtaJobSchema.parse({
    integrationId: integration.id,
    targetKind: 'groups',
    groups: ['region-eu'],
    things: [],
    targetSelection: 'SNAPSHOT',
    jobId: `fw-${uniqueSuffix()}`,
    description: 'Firmware 2.1.0',
    document: firmwareDocument({ firmwareVersion: '2.1.0', firmwareUrl: 'https://firmware.example.com/2.1.0.bin', sha256: '' }),
    ...ROLLOUT_DEFAULTS,
    ...ABORT_DEFAULTS,
    ...TIMEOUT_DEFAULTS,
    ...over,
  });
}

function create(role: OrgRole, input: CreateOtaJobInput, inOrg: TestOrg = org) {
  return createOtaJob(orgScopeFor(inOrg, role), input, deps);
}

function cancel(role: OrgRole, otaJobId: string, force: boolean, inOrg: TestOrg = org) {
  return cancelOtaJob(orgScopeFor(inOrg, role), { otaJobId, force, reasonCode: 'TEST_CANCEL', comment: 'stop it' }, deps);
}

async function refused(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

const jobCalls = () => {
  const c = sim.control.getCounters().calls;
  return (c['iot:CreateJob'] ?? 0) + (c['iot:CancelJob'] ?? 0);
};

/** Lets the next poll refresh now instead of waiting out the rate limit (real seconds). */
async function makeDue(otaJobId: string) {
  await adminSql()`update public.ota_jobs set detail_refreshed_at = now() - interval '1 hour' where id = ${otaJobId}`;
}

async function row(otaJobId: string) {
  const [r] = await adminSql()<{ status: string; queued_count: number; in_progress_count: number; succeeded_count: number; failed_count: number; canceled_count: number; created_by: string | null; document: string | null; rollout_config: unknown; abort_config: unknown; timeout_config: unknown; retry_config: unknown; force_canceled: boolean | null }[]>`
    select status, queued_count, in_progress_count, succeeded_count, failed_count, canceled_count, created_by, document,
           rollout_config, abort_config, timeout_config, retry_config, force_canceled
    from public.ota_jobs where id = ${otaJobId}`;
  return r!;
}

async function executions(otaJobId: string) {
  return new Map(
    (await adminSql()<{ thing_name: string; status: string }[]>`select thing_name, status from public.ota_job_executions where ota_job_id = ${otaJobId}`).map((e) => [e.thing_name, e.status]),
  );
}

async function groupMembers(groups: string[]) {
  return (await adminSql()<{ thing_name: string }[]>`
    select thing_name from public.devices where integration_id = ${integration.id} and removed_at is null and groups && ${groups}::text[] order by thing_name`).map((r) => r.thing_name);
}

describe('creating a job', () => {
  it('launches it in AWS for a thing group with an exponential rollout, caches it with one execution per member, and audits it', async () => {
    const input = jobInput();
    const { id } = await create('admin', input);
    const cached = await row(id);
    expect(cached).toMatchObject({
      status: 'IN_PROGRESS',
      created_by: org.members.admin.id,
      rollout_config: { maximumPerMinute: 100, exponentialRate: { baseRatePerMinute: 5, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 5 } } },
      abort_config: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 10 }] },
      timeout_config: { inProgressTimeoutInMinutes: 60 },
      retry_config: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }, { failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
    });
    expect(JSON.parse(cached.document!)).toMatchObject({ firmwareVersion: '2.1.0', firmwareUrl: 'https://firmware.example.com/2.1.0.bin' });
    const members = await groupMembers(['site-berlin', 'site-paris']);
    expect(members.length).toBeGreaterThan(5);
    const execs = await executions(id);
    expect([...execs.keys()].sort()).toEqual(members);
    expect(cached.queued_count).toBe(members.length);

    const [audit] = await adminSql()<{ action: string; actor_id: string; details: Record<string, unknown> }[]>`
      select action, actor_id, details from public.audit_log where org_id = ${org.id} and target_id = ${id}`;
    expect(audit).toMatchObject({ action: 'ota_job.created', actor_id: org.members.admin.id, details: { jobId: input.jobId, targets: ['region-eu'], targetKind: 'groups' } });
    const detail = await as(org.members.viewer, (db) => getOtaJob(db, org.id, id));
    expect(detail?.timeline.map((t) => t.kind)).toContain('created');
    expect(detail?.createdBy).toBe(org.members.admin.email);
    expect(detail?.targets).toEqual([{ kind: 'group', name: 'region-eu' }]);
  });

  it('keeps its row, creator and document when the next sync lists it', async () => {
    const { id } = await create('admin', jobInput());
    const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
    expect(outcome.outcome).toBe('ran');
    const [after] = await adminSql()<{ id: string; created_by: string; document: string | null }[]>`
      select id, created_by, document from public.ota_jobs where integration_id = ${integration.id} and id = ${id}`;
    expect(after).toMatchObject({ id, created_by: org.members.admin.id });
    expect(after?.document).toContain('2.1.0');
  });

  it('targets things picked by name with a constant rollout', async () => {
    const things = (await groupMembers(['site-austin'])).slice(0, 3);
    const { id } = await create('owner', jobInput({ targetKind: 'things', things, groups: [], rolloutType: 'constant', maximumPerMinute: 20, abortEnabled: false, inProgressTimeoutMinutes: null, retryFailed: 0, retryTimedOut: 0 }));
    const cached = await row(id);
    expect(cached.rollout_config).toEqual({ maximumPerMinute: 20 });
    expect(cached.abort_config).toBeNull();
    expect(cached.timeout_config).toBeNull();
    expect(cached.retry_config).toBeNull();
    expect([...(await executions(id)).keys()].sort()).toEqual(things);
    const list = await as(org.members.operator, (db) => listOtaJobs(db, org.id));
    expect(list.items.find((j) => j.id === id)?.targets).toEqual(things.map((name) => ({ kind: 'thing', name })));
  });

  it('refuses unknown targets, a taken job id, operators, viewers and other tenants before any AWS call', async () => {
    const before = jobCalls();
    const unknownGroup = await refused(create('admin', jobInput({ groups: ['no-such-group'] })));
    expect(unknownGroup.code).toBe('VALIDATION');
    expect(unknownGroup.fieldErrors?.groups?.[0]).toMatch(/no-such-group/);
    const unknownThing = await refused(create('admin', jobInput({ targetKind: 'things', groups: [], things: ['sensor-999999'] })));
    expect(unknownThing.fieldErrors?.things?.[0]).toMatch(/sensor-999999/);

    const { id } = await create('admin', jobInput({ jobId: `taken-${uniqueSuffix()}` }));
    const [{ job_id: taken } = { job_id: '' }] = await adminSql()<{ job_id: string }[]>`select job_id from public.ota_jobs where id = ${id}`;
    const afterOne = jobCalls();
    expect(afterOne).toBe(before + 1);
    const conflict = await refused(create('admin', jobInput({ jobId: taken })));
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.fieldErrors?.jobId).toBeDefined();

    for (const role of ['operator', 'viewer'] as const) {
      expect((await refused(create(role, jobInput()))).code).toBe('FORBIDDEN');
      expect((await refused(cancel(role, id, false))).code).toBe('FORBIDDEN');
    }
    // Another organization's admin can neither use this integration nor see or cancel this job.
    expect((await refused(create('admin', jobInput(), other))).code).toBe('NOT_FOUND');
    expect((await refused(cancel('admin', id, true, other))).code).toBe('NOT_FOUND');
    expect(await as(other.members.admin, (db) => getOtaJob(db, org.id, id))).toBeNull();
    expect(await as(other.members.admin, (db) => getOtaJob(db, other.id, id))).toBeNull();
    expect(await claimRefresh(other.id, id, { force: true })).toBeNull();
    expect(jobCalls()).toBe(afterOne);
    expect((await row(id)).status).toBe('IN_PROGRESS');
  });

  it('refuses a paused integration', async () => {
    await adminSql()`update public.integrations set status = 'paused', paused_reason = 'credentials refused' where id = ${integration.id}`;
    try {
      const before = jobCalls();
      const error = await refused(create('admin', jobInput()));
      expect(error.code).toBe('PRECONDITION');
      expect(error.message).toMatch(/paused: credentials refused/);
      expect(jobCalls()).toBe(before);
    } finally {
      await adminSql()`update public.integrations set status = 'active', paused_reason = null where id = ${integration.id}`;
    }
  });
});

describe('following and canceling a job', () => {
  it('shows progress on refresh, then cancels QUEUED executions while IN_PROGRESS ones finish', async () => {
    const { id } = await create('admin', jobInput({ abortEnabled: false, retryFailed: 0, retryTimedOut: 0 }));
    const total = (await executions(id)).size;
    // Rate-limited: the creation just refreshed it, so an immediate poll reads the cache.
    expect(await refreshOtaJob({ ...deps, log: silentLog }, org.id, id)).toBe('not_due');

    sim.control.advanceTime(75_000);
    await makeDue(id);
    expect(await refreshOtaJob({ ...deps, log: silentLog }, org.id, id)).toBe('refreshed');
    const progressed = await row(id);
    expect(progressed.in_progress_count).toBeGreaterThan(0);
    expect(progressed.queued_count).toBeGreaterThan(0);
    const atCancel = await executions(id);
    const running = [...atCancel].filter(([, s]) => s === 'IN_PROGRESS').map(([t]) => t);
    const queued = [...atCancel].filter(([, s]) => s === 'QUEUED').map(([t]) => t);

    await cancel('admin', id, false);
    const canceled = await row(id);
    expect(canceled).toMatchObject({ status: 'CANCELED', force_canceled: false, canceled_count: queued.length, in_progress_count: running.length });
    const afterCancel = await executions(id);
    for (const t of queued) expect(afterCancel.get(t)).toBe('CANCELED');
    for (const t of running) expect(afterCancel.get(t)).toBe('IN_PROGRESS');
    const onDevice = await as(org.members.viewer, (db) => listThingExecutions(db, org.id, integration.id, running[0]!));
    expect(onDevice[0]).toMatchObject({ otaJobId: id, jobStatus: 'CANCELED', status: 'IN_PROGRESS' });
    expect(new Set(onDevice.map((e) => e.otaJobId)).size).toBe(onDevice.length);
    expect(await as(other.members.owner, (db) => listThingExecutions(db, org.id, integration.id, running[0]!))).toEqual([]);
    const live = await as(org.members.viewer, (db) => getOtaJob(db, org.id, id));
    expect(live).toMatchObject({ status: 'CANCELED', live: true });
    expect(live?.timeline.find((t) => t.kind === 'cancel_requested')).toMatchObject({ actor: org.members.admin.email, details: { force: false, comment: 'stop it' } });
    expect(live?.timeline.find((t) => t.kind === 'status_changed')).toMatchObject({ fromStatus: 'IN_PROGRESS', toStatus: 'CANCELED' });

    // Still followed while executions run: the running ones reach a result of their own.
    sim.control.advanceTime(10 * 60_000);
    await makeDue(id);
    expect(await refreshOtaJob({ ...deps, log: silentLog }, org.id, id)).toBe('refreshed');
    const finished = await executions(id);
    for (const t of running) expect(['SUCCEEDED', 'FAILED']).toContain(finished.get(t));
    for (const t of queued) expect(finished.get(t)).toBe('CANCELED');
    const done = await row(id);
    expect(done.in_progress_count + done.queued_count).toBe(0);
    expect(done.succeeded_count + done.failed_count + done.canceled_count).toBe(total);
    // Nothing can change any more, so polls stop calling AWS.
    await makeDue(id);
    expect(await refreshOtaJob({ ...deps, log: silentLog }, org.id, id)).toBe('not_due');
    // A sync that re-read the counts but not the executions leaves a stale row: the job is followed until it settles.
    const stale = running[0]!;
    await adminSql()`update public.ota_job_executions set status = 'IN_PROGRESS' where ota_job_id = ${id} and thing_name = ${stale}`;
    expect((await as(org.members.viewer, (db) => getOtaJob(db, org.id, id)))?.live).toBe(true);
    await makeDue(id);
    expect(await refreshOtaJob({ ...deps, log: silentLog }, org.id, id)).toBe('refreshed');
    expect((await executions(id)).get(stale)).toBe(finished.get(stale));
    expect((await as(org.members.viewer, (db) => getOtaJob(db, org.id, id)))?.live).toBe(false);
    const page = await as(org.members.viewer, (db) => listOtaJobExecutions(db, org.id, id, { status: 'CANCELED' }));
    expect(page.total).toBe(queued.length);
    expect(page.items.every((e) => e.status === 'CANCELED')).toBe(true);

    const audits = await adminSql()<{ action: string; details: Record<string, unknown> }[]>`
      select action, details from public.audit_log where org_id = ${org.id} and target_id = ${id} order by id`;
    expect(audits.map((a) => a.action)).toEqual(['ota_job.created', 'ota_job.canceled']);
    expect(audits[1]!.details).toMatchObject({ force: false, reasonCode: 'TEST_CANCEL' });
    // Canceling again without force is refused; with force nothing is left running, AWS says so too.
    expect((await refused(cancel('admin', id, false))).code).toBe('PRECONDITION');
  });

  it('force also cancels IN_PROGRESS executions; an older answer landing late changes nothing', async () => {
    const input = jobInput({ abortEnabled: false, retryFailed: 0, retryTimedOut: 0 });
    const { id } = await create('admin', input);
    const stored = (await loadIntegration(asService, integration.id, org.id))!;
    const early = await withIot(deps.runtime, stored, 10_000, (iot, signal) => fetchJobDetail(iot, input.jobId, { withDocument: false, signal }));
    sim.control.advanceTime(75_000);
    await makeDue(id);
    await refreshOtaJob({ ...deps, log: silentLog }, org.id, id);
    expect((await row(id)).in_progress_count).toBeGreaterThan(0);
    await cancel('owner', id, true);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'CANCELED', force_canceled: true, in_progress_count: 0, queued_count: 0 });
    const execs = await executions(id);
    const cacheTarget = { orgId: org.id, integrationId: integration.id };
    await asService((tx) => writeJobDetail(tx, cacheTarget, early));
    expect(await row(id)).toEqual(r);
    expect(await executions(id)).toEqual(execs);
    // The sync writes through the same writer: its older listing and older executions change nothing either.
    await asService(async (tx) => {
      await writeJobSummaries(tx, cacheTarget, [{ jobId: early.job.jobId, jobArn: early.job.jobArn, status: early.job.status, lastUpdatedAt: early.job.lastUpdatedAt, createdAt: early.job.createdAt }]);
      await writeExecutions(tx, cacheTarget, early.executions.map((e) => ({ ...e, job_id: input.jobId })));
    });
    expect(await row(id)).toEqual(r);
    expect(await executions(id)).toEqual(execs);
  });
});
