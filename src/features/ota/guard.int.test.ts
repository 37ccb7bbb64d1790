import { DescribeJobCommand, ListJobExecutionsForJobCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '@/features/alerts/evaluate';
import { createRuleSchema } from '@/features/alerts/schemas';
import { createRule } from '@/features/alerts/service';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { notifyAlertEvents } from '@/features/notifications/service';
import { runSync } from '@/features/sync/engine';
import { asService, closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { ORG_ROLES } from '@/lib/roles';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { clients, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, asAnon, closeAdminSql, createTestOrg, orgContext, orgScopeFor, silentLog, testKeyring, uniqueSuffix, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, newSimKey, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { checkOtaGuards, GUARD_REASON_CODE, type GuardDeps } from './guard';
import type { GuardCheck } from './guard-decision';
import { getOtaJob } from './queries';
import { createOtaJobSchema, type CreateOtaJobInput } from './schemas';
import { createOtaJob, type OtaDeps } from './service';
import { firmwareDocument } from './templates';

/**
 * The health guard end to end against the simulator (frozen clock: only explicit advances move the
 * rollout): a bad build drains the battery of every device that installs it (simulator admin API),
 * the sync caches devices and executions, alert evaluation opens "battery low" alerts, and the guard
 * stops the rollout without force. A healthy rollout under the same guard runs on.
 */
const MIN = 60_000;
const THINGS = 260;
const BAD_FIRMWARE = '9.9.9-bad';
const OFFLINE_FIRMWARE = '9.9.9-offline';
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let integration: SimIntegration;
let otaDeps: OtaDeps;
let guardDeps: GuardDeps;
let batteryRule: string;
let channelId: string;
let thingNames: string[];
const queued: string[] = [];

async function simAdmin(method: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${sim.url}/_sim${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  // Devices report every minute and no update fails, so the only thing wrong is the bad build.
  sim = await startTestSimulator({ things: THINGS, seed: 12, behaviour: { reportIntervalMs: MIN, jobs: { failureRate: 0 } } });
  org = await createTestOrg('ota-guard');
  other = await createTestOrg('ota-guard-other');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, name: 'sim' });
  const runtime = { clients: integrationClients(testKeyring(), {}), db: asService };
  otaDeps = { runtime };
  guardDeps = {
    runtime,
    db: asService,
    log: silentLog,
    notify: (db, events) => notifyAlertEvents(db, events, { enqueue: async (ids) => void queued.push(...ids) }),
    now: () => sim.control.now(),
  };
  // The simulator's admin API: devices that install the bad build lose 100 points of battery an hour;
  // those that install the other one drop offline.
  const rules = [
    { firmware: BAD_FIRMWARE, effect: { kind: 'drain', ratePerHour: 100 } },
    { firmware: OFFLINE_FIRMWARE, effect: { kind: 'offline' } },
  ];
  expect(await simAdmin('PUT', `/accounts/${DEMO_ACCOUNT_ID}/firmware-behaviour`, { rules })).toBe(200);
  await sync();
  const [channel] = await adminSql()<{ id: string }[]>`
    insert into public.notification_channels (org_id, name, kind, email_recipients) values (${org.id}, 'ops', 'email', ${['ops@example.com']}) returning id`;
  channelId = channel!.id;
  // Natural batteries never go below 8 % in the simulator: under 5 % means drained.
  batteryRule = await as(org.members.admin, async (db) =>
    (await createRule(orgContext(db, org, 'admin'), createRuleSchema.parse({ name: 'Battery low', condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 5 }, channelIds: [channelId] }))).ruleId,
  );
  thingNames = (await adminSql()<{ thing_name: string }[]>`
    select thing_name from public.devices where integration_id = ${integration.id} and removed_at is null order by thing_name`).map((r) => r.thing_name);
  expect(thingNames.length).toBe(THINGS);
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

async function sync(integrationId = integration.id) {
  const outcome = await runSync(simSyncDeps(sim), { integrationId, trigger: 'manual' });
  expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded' } });
}

/** What the worker does after a sync: evaluate the organization's rules, then check the guards. */
async function syncEvaluateGuard(target: SimIntegration = integration) {
  await sync(target.id);
  await evaluateAlerts({ db: asService, log: silentLog, notify: guardDeps.notify! }, { orgId: target.orgId, now: new Date(sim.control.now()) });
  return checkOtaGuards(guardDeps, target.orgId);
}

function jobInput(over: Partial<CreateOtaJobInput>): CreateOtaJobInput {
  return createOtaJobSchema.parse({
    integrationId: integration.id,
    targetKind: 'things',
    groups: [],
    things: [],
    targetSelection: 'SNAPSHOT',
    jobId: `guarded-${uniqueSuffix()}`,
    description: '',
    document: firmwareDocument({ firmwareVersion: BAD_FIRMWARE, firmwareUrl: 'https://firmware.example.com/fw.bin', sha256: '' }),
    rolloutType: 'constant',
    maximumPerMinute: 1,
    baseRatePerMinute: 1,
    incrementFactor: 2,
    increaseCriterion: 'succeeded',
    increaseThreshold: 5,
    abortEnabled: false,
    abortFailureType: 'ALL',
    abortThresholdPercentage: 10,
    abortMinExecutedThings: 10,
    inProgressTimeoutMinutes: null,
    retryFailed: 0,
    retryTimedOut: 0,
    guardRuleIds: [batteryRule],
    guardMinTreated: 10,
    guardMarginPercent: 10,
    guardConfidence: 0.95,
    ...over,
  });
}

async function guardRow(otaJobId: string) {
  const [row] = await adminSql()<{ tripped_at: Date | null; trip: GuardCheck | null; last_check: GuardCheck | null; trip_error: string | null }[]>`
    select tripped_at, trip, last_check, trip_error from public.ota_job_guards where ota_job_id = ${otaJobId}`;
  return row;
}

async function simExecutions(jobId: string): Promise<Map<string, string>> {
  const { iot } = clients(sim);
  const out = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListJobExecutionsForJobCommand({ jobId, maxResults: 250, nextToken }));
    for (const e of page.executionSummaries ?? []) out.set(e.thingArn!.split(':thing/')[1]!, e.jobExecutionSummary!.status!);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

const cancelCalls = () => sim.control.getCounters().calls['iot:CancelJob'] ?? 0;

describe('a health-gated rollout of a bad build', () => {
  let otaJobId: string;
  let jobId: string;

  it('stores the guard with the job and gives no verdict while few devices have the update', async () => {
    const input = jobInput({ things: thingNames.slice(0, 100) });
    jobId = input.jobId;
    ({ id: otaJobId } = await createOtaJob(orgScopeFor(org, 'admin'), input, otaDeps));
    const [stored] = await adminSql()<{ rule_ids: string[]; min_treated: number; margin_percent: string; confidence: string; created_by: string }[]>`
      select rule_ids, min_treated, margin_percent, confidence, created_by from public.ota_job_guards where ota_job_id = ${otaJobId}`;
    expect(stored).toEqual({ rule_ids: [batteryRule], min_treated: 10, margin_percent: '10.00', confidence: '0.950', created_by: org.members.admin.id });

    sim.control.advanceTime(5 * MIN);
    const result = await syncEvaluateGuard();
    expect(result).toMatchObject({ checked: 1, tripped: [], failed: 0 });
    const row = await guardRow(otaJobId);
    expect(row!.tripped_at).toBeNull();
    expect(row!.last_check!.rules).toEqual([expect.objectContaining({ ruleId: batteryRule, ruleName: 'Battery low', trip: false, reason: 'too_few_treated' })]);
    expect(row!.last_check!.rules[0]!.treated.devices).toBeLessThan(10);
  });

  it('stops the rollout once the updated devices drain: QUEUED executions CANCELED, IN_PROGRESS ones left running, once', async () => {
    // An hour of rollout at one device a minute: the first updated devices are drained by now.
    sim.control.advanceTime(60 * MIN);
    // Move on minute by minute until some execution is running, to see that the cancel leaves it alone.
    const { iot } = clients(sim);
    for (let i = 0; i < 15; i++) {
      const { job } = await iot.send(new DescribeJobCommand({ jobId }));
      if ((job!.jobProcessDetails!.numberOfInProgressThings ?? 0) > 0) break;
      sim.control.advanceTime(MIN);
    }
    const before = await simExecutions(jobId);
    const running = [...before].filter(([, s]) => s === 'IN_PROGRESS').map(([t]) => t);
    const waiting = [...before].filter(([, s]) => s === 'QUEUED').map(([t]) => t);
    expect(running.length).toBeGreaterThan(0);
    expect(waiting.length).toBeGreaterThan(10);
    const calls = cancelCalls();

    await sync();
    await evaluateAlerts({ db: asService, log: silentLog, notify: guardDeps.notify! }, { orgId: org.id, now: new Date(sim.control.now()) });
    // Two checks at once (two workers): exactly one stops the job.
    const [first, second] = await Promise.all([checkOtaGuards(guardDeps, org.id), checkOtaGuards(guardDeps, org.id)]);
    expect([...first.tripped, ...second.tripped]).toHaveLength(1);
    expect(cancelCalls()).toBe(calls + 1);

    // In AWS (the simulator): canceled without force.
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({ status: 'CANCELED', forceCanceled: false, reasonCode: GUARD_REASON_CODE });
    expect(job!.comment).toContain('Battery low');
    const after = await simExecutions(jobId);
    for (const t of waiting) expect(after.get(t)).toBe('CANCELED');
    for (const t of running) expect(after.get(t)).toBe('IN_PROGRESS');

    // The guard's verdict, with both shares and counts.
    const row = await guardRow(otaJobId);
    expect(row!.tripped_at).not.toBeNull();
    const [rule] = row!.trip!.rules;
    expect(rule).toMatchObject({ ruleId: batteryRule, ruleName: 'Battery low', trip: true, reason: 'tripped' });
    expect(rule!.treated.alerted).toBeGreaterThan(0);
    expect(rule!.waiting).toEqual({ devices: waiting.length, alerted: 0 });
    expect(rule!.treatedShare! - rule!.waitingShare!).toBeGreaterThanOrEqual(10);
    expect(rule!.z!).toBeGreaterThanOrEqual(1.6449);

    // The cache followed the cancel at once; members read the timeline entry naming the rule and the shares.
    const detail = await as(org.members.viewer, (db) => getOtaJob(db, org.id, otaJobId));
    expect(detail!.status).toBe('CANCELED');
    expect(detail!.counts.CANCELED).toBe(waiting.length);
    expect(detail!.counts.IN_PROGRESS).toBe(running.length);
    const tripped = detail!.timeline.filter((e) => e.kind === 'guard_tripped');
    expect(tripped).toHaveLength(1);
    const summary = (tripped[0]!.details as { summary: string }).summary;
    expect(summary).toContain(`Battery low: ${rule!.treated.alerted} of ${rule!.treated.devices} updated devices (${rule!.treatedShare!.toFixed(1)} %)`);
    expect(summary).toContain(`vs 0 of ${waiting.length} waiting (0.0 %)`);
    expect(detail!.guard).toMatchObject({ rules: [{ id: batteryRule, name: 'Battery low' }], trippedAt: expect.any(String), trip: { rules: [{ ruleId: batteryRule }] } });

    // Audited, and told: a firing alert of the rule about the job, delivered to the rule's channel.
    const audit = await adminSql()<{ actor_id: string | null; details: { actor: string; jobId: string; force: boolean } }[]>`
      select actor_id, details from public.audit_log where org_id = ${org.id} and action = 'ota_job.guard_tripped' and target_id = ${otaJobId}`;
    expect(audit).toEqual([{ actor_id: null, details: expect.objectContaining({ actor: 'ota_guard', jobId, force: false }) }]);
    const alerts = await adminSql()<{ id: string; state: string; notified: boolean; summary: string }[]>`
      select id, state, notified, summary from public.alerts where rule_id = ${batteryRule} and subject_key = ${`job:${otaJobId}`}`;
    expect(alerts).toEqual([{ id: expect.any(String), state: 'firing', notified: true, summary: expect.stringContaining(`Rollout ${jobId} stopped: Battery low`) }]);
    const deliveries = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where alert_id = ${alerts[0]!.id} and channel_id = ${channelId}`;
    expect(deliveries).toHaveLength(1);
    expect(queued).toContain(deliveries[0]!.id);
  });

  it('never acts twice: later evaluations leave the stopped job and the guard alert alone', async () => {
    const calls = cancelCalls();
    sim.control.advanceTime(5 * MIN);
    const result = await syncEvaluateGuard();
    expect(result.tripped).toEqual([]);
    expect(cancelCalls()).toBe(calls);
    const events = await adminSql()`select 1 from public.ota_job_events where ota_job_id = ${otaJobId} and kind = 'guard_tripped'`;
    expect(events).toHaveLength(1);
    const [alert] = await adminSql()<{ state: string }[]>`select state from public.alerts where rule_id = ${batteryRule} and subject_key = ${`job:${otaJobId}`}`;
    expect(alert!.state).toBe('firing');
  });
});

describe('a health-gated rollout of a good build', () => {
  it('runs on: nothing stands out among the updated devices', async () => {
    const input = jobInput({
      things: thingNames.slice(100, 150),
      maximumPerMinute: 2,
      document: firmwareDocument({ firmwareVersion: '9.9.10', firmwareUrl: 'https://firmware.example.com/good.bin', sha256: '' }),
    });
    const { id } = await createOtaJob(orgScopeFor(org, 'admin'), input, otaDeps);
    const calls = cancelCalls();
    sim.control.advanceTime(15 * MIN);
    const result = await syncEvaluateGuard();
    expect(result.tripped).toEqual([]);
    expect(cancelCalls()).toBe(calls);
    const row = await guardRow(id);
    expect(row!.tripped_at).toBeNull();
    const [rule] = row!.last_check!.rules;
    expect(rule!.treated.devices).toBeGreaterThanOrEqual(10);
    expect(rule!.waiting.devices).toBeGreaterThan(0);
    expect(rule).toMatchObject({ trip: false, reason: 'within_margin', treated: { alerted: 0 }, waiting: { alerted: 0 } });
    const { job } = await clients(sim).iot.send(new DescribeJobCommand({ jobId: input.jobId }));
    expect(job!.status).toBe('IN_PROGRESS');
  });
});

describe('a stop AWS refuses', () => {
  it('releases the claim and says why; the next check stops the rollout once CancelJob is allowed', async () => {
    // Its own organization and AWS key, whose policy denies iot:CancelJob for now.
    const third = await createTestOrg('ota-guard-refused');
    const key = newSimKey(sim, DEMO_ACCOUNT_ID);
    const policy = { ...key, accountId: DEMO_ACCOUNT_ID, userName: `guard-${uniqueSuffix()}`, actions: ['*'] };
    sim.control.putKey({ ...policy, deny: ['iot:CancelJob'] });
    const limited = await createSimIntegration(third, sim, { credentials: key, name: 'sim-limited' });
    await sync(limited.id);
    const offlineRule = await as(third.members.admin, async (db) =>
      (await createRule(orgContext(db, third, 'admin'), createRuleSchema.parse({ name: 'Offline', condition: { kind: 'offline', minutes: 1 } }))).ruleId,
    );
    const input = jobInput({
      integrationId: limited.id,
      things: thingNames.slice(160, 260),
      document: firmwareDocument({ firmwareVersion: OFFLINE_FIRMWARE, firmwareUrl: 'https://firmware.example.com/offline.bin', sha256: '' }),
      guardRuleIds: [offlineRule],
    });
    const { id } = await createOtaJob(orgScopeFor(third, 'admin'), input, otaDeps);
    const { iot } = clients(sim);

    sim.control.advanceTime(20 * MIN);
    const refused = await syncEvaluateGuard(limited);
    expect(refused).toMatchObject({ checked: 1, tripped: [], failed: 1 });
    const released = await guardRow(id);
    expect(released).toMatchObject({ tripped_at: null, trip: null });
    expect(released!.trip_error).toMatch(/^AccessDenied/);
    expect(released!.last_check!.rules[0]).toMatchObject({ ruleId: offlineRule, trip: true });
    expect((await iot.send(new DescribeJobCommand({ jobId: input.jobId }))).job!.status).toBe('IN_PROGRESS');
    expect(await adminSql()`select 1 from public.ota_job_events where ota_job_id = ${id} and kind = 'guard_tripped'`).toHaveLength(0);

    sim.control.putKey(policy);
    sim.control.advanceTime(MIN);
    const stopped = await syncEvaluateGuard(limited);
    expect(stopped.tripped).toEqual([expect.objectContaining({ otaJobId: id, rules: [expect.objectContaining({ ruleId: offlineRule, ruleName: 'Offline' })] })]);
    expect(await guardRow(id)).toMatchObject({ tripped_at: expect.any(Date), trip_error: null });
    expect((await iot.send(new DescribeJobCommand({ jobId: input.jobId }))).job).toMatchObject({ status: 'CANCELED', forceCanceled: false });
  });
});

describe('guards across tenants', () => {
  it('another organization cannot guard its job with this organization’s rule (refused before AWS)', async () => {
    const theirs = await createSimIntegration(other, sim, { credentials: DEMO_CREDENTIALS, name: 'sim-other' });
    await runSync(simSyncDeps(sim), { integrationId: theirs.id, trigger: 'manual' });
    const creates = sim.control.getCounters().calls['iot:CreateJob'] ?? 0;
    const error = await createOtaJob(orgScopeFor(other, 'owner'), jobInput({ integrationId: theirs.id, things: thingNames.slice(150, 152) }), otaDeps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'VALIDATION', fieldErrors: { guardRuleIds: [expect.any(String)] } });
    expect(sim.control.getCounters().calls['iot:CreateJob'] ?? 0).toBe(creates);
  });

  it.each(ORG_ROLES)('a %s reads the guards of their organization and none of another', async (role) => {
    const mine = await as(org.members[role], (db) => db<{ org_id: string }[]>`select org_id from public.ota_job_guards`);
    expect(mine.length).toBe(2);
    expect(mine.every((r) => r.org_id === org.id)).toBe(true);
    const theirs = await as(other.members[role], (db) => db`select 1 from public.ota_job_guards`);
    expect(theirs).toEqual([]);
  });

  it.each(ORG_ROLES)('a %s cannot write guards, even of their own jobs', async (role) => {
    const user = org.members[role];
    const [{ ota_job_id } = { ota_job_id: '' }] = await adminSql()<{ ota_job_id: string }[]>`select ota_job_id from public.ota_job_guards where org_id = ${org.id} limit 1`;
    await expect(as(user, (db) => db`update public.ota_job_guards set tripped_at = null where ota_job_id = ${ota_job_id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`delete from public.ota_job_guards where ota_job_id = ${ota_job_id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(user, (db) => db`insert into public.ota_job_guards (org_id, ota_job_id, rule_ids) values (${org.id}, ${ota_job_id}, ${[batteryRule]}::uuid[])`),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('an anonymous caller reads nothing', async () => {
    await expect(asAnon((db) => db`select 1 from public.ota_job_guards`)).rejects.toMatchObject({ code: '42501' });
  });
});
