import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import type { AlertEvent } from '@/features/alerts/events';
import { createRuleSchema } from '@/features/alerts/schemas';
import { createRule, setRuleEnabled } from '@/features/alerts/service';
import { DEMO_CREDENTIALS, DEMO_REGION } from '../../scripts/sim/config';
import type { RunningSimulator } from '../../scripts/sim/server';
import { encodeJson, startTestSimulator } from '../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, silentLog, type TestOrg } from '../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../scripts/test/sync-fixtures';
import { evaluateOrgAlerts, handleAlertsTick, type AlertsWorkerDeps } from './alerts-handler';
import { handleSyncJob } from './handlers';

/**
 * Alerts end to end against the simulator: a device's shadow says it went offline (or its battery
 * dropped), the sync job writes the cache, the hook after the sync evaluates, and the periodic tick
 * fires duration rules without a new sync. Registry mode (indexing off): connectivity comes from the
 * shadow's reported `connected`, which a test writes like the device's lifecycle event would.
 */
let sim: RunningSimulator;
let org: TestOrg;
let integration: SimIntegration;
let data: IoTDataPlaneClient;
let events: AlertEvent[] = [];

const alertDeps = (overrides: Partial<AlertsWorkerDeps> = {}): AlertsWorkerDeps => ({
  db: asService,
  log: silentLog,
  now: () => sim.control.now(),
  notify: async (_db, sent) => {
    // The periodic tick evaluates every organization in the shared test database; keep this suite's.
    events.push(...sent.filter((e) => e.orgId === org.id));
    return { deliveries: sent.length };
  },
  ...overrides,
});

/** One sync job as the worker runs it, with alert evaluation after it. */
async function syncJob(deps = alertDeps()) {
  events = [];
  const result = await handleSyncJob(
    { ...simSyncDeps(sim), afterSync: (run) => evaluateOrgAlerts(deps, run.orgId) },
    { id: `job-${Date.now()}`, data: { integrationId: integration.id, trigger: 'manual' } },
  );
  expect(result).toMatchObject({ outcome: 'ran', status: 'succeeded' });
  return events;
}

const report = (thingName: string, reported: Record<string, unknown>) =>
  data.send(new UpdateThingShadowCommand({ thingName, payload: encodeJson({ state: { reported } }) }));

async function rule(input: Record<string, unknown>): Promise<string> {
  const parsed = createRuleSchema.parse({ name: `sim-${Math.random().toString(36).slice(2, 8)}`, ...input });
  return (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
}
const disable = (ruleId: string) => as(org.members.operator, (db) => setRuleEnabled(orgContext(db, org, 'operator'), { ruleId, enabled: false }));

let things: string[];
const deviceId = async (thingName: string) =>
  (await adminSql()<{ id: string }[]>`select id from public.devices where integration_id = ${integration.id} and thing_name = ${thingName}`)[0]!.id;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 20, seed: 12, indexing: 'OFF', behaviour: { deadFraction: 0, flakyFraction: 0 } });
  org = await createTestOrg('alerts-sim');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  data = new IoTDataPlaneClient({ endpoint: sim.url, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });
  expect(await syncJob()).toEqual([]);
  things = (await adminSql()<{ thing_name: string }[]>`select thing_name from public.devices where integration_id = ${integration.id} order by thing_name`).map((r) => r.thing_name);
  expect(things).toHaveLength(20);
  const [statuses] = await adminSql()<{ offline: number }[]>`select count(*) filter (where status <> 'online')::int as offline from public.devices where integration_id = ${integration.id}`;
  expect(statuses).toEqual({ offline: 0 });
});

afterAll(async () => {
  data?.destroy();
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('offline alerts', () => {
  it('open after the device has been offline N minutes (periodic tick, no new sync) and resolve after the sync that sees it back', async () => {
    const ruleId = await rule({ severity: 'critical', condition: { kind: 'offline', minutes: 5 } });
    const thing = things[3]!;
    await report(thing, { connected: false });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([]);
    const [row] = await adminSql()`select status from public.devices where integration_id = ${integration.id} and thing_name = ${thing}`;
    expect(row).toEqual({ status: 'offline' });

    sim.control.advanceTime(5 * 60_000);
    events = [];
    expect(await handleAlertsTick(alertDeps())).toMatchObject({ orgs: expect.any(Number) });
    expect(events).toEqual([expect.objectContaining({ type: 'fired', ruleId, thingName: thing, deviceId: await deviceId(thing), severity: 'critical' })]);

    // The next sync changes nothing about it: deduplicated, no second event.
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([]);

    await report(thing, { connected: true });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'resolved', ruleId, thingName: thing })]);
    await disable(ruleId);
  });

  it('a fleet-share rule fires once when enough of the fleet is offline, and resolves when it returns', async () => {
    const ruleId = await rule({ condition: { kind: 'fleet_share', match: { type: 'offline' }, measure: 'share', op: 'gte', level: 10 } });
    await report(things[0]!, { connected: false });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([]);
    await report(things[1]!, { connected: false });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'fired', ruleId, deviceId: null, value: 10 })]);
    await report(things[0]!, { connected: true });
    await report(things[1]!, { connected: true });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'resolved', ruleId })]);
    await disable(ruleId);
  });
});

describe('threshold alerts through syncs', () => {
  it('battery below 15 % for 10 minutes fires once, holds in the band, clears at 20 %', async () => {
    const ruleId = await rule({ condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 } });
    const thing = things[7]!;
    await report(thing, { battery: 11 });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([]);
    sim.control.advanceTime(10 * 60_000);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'fired', ruleId, thingName: thing, value: 11 })]);
    for (const battery of [16, 14, 19]) {
      await report(thing, { battery });
      sim.control.advanceTime(60_000);
      expect(await syncJob()).toEqual([]);
    }
    await report(thing, { battery: 22 });
    sim.control.advanceTime(60_000);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'resolved', ruleId, thingName: thing })]);
    const instances = await adminSql()`select state from public.alerts where rule_id = ${ruleId}`;
    expect(instances).toEqual([{ state: 'resolved' }]);
    await disable(ruleId);
  });
});

describe('the hook never fails a sync', () => {
  it('a failing evaluation is logged and the sync job still succeeds', async () => {
    const ruleId = await rule({ condition: { kind: 'offline', minutes: 1 } });
    await report(things[9]!, { connected: false });
    sim.control.advanceTime(5 * 60_000);
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const failing = alertDeps({ log, notify: async () => Promise.reject(new Error('notifications unavailable')) });
    expect(await syncJob(failing)).toEqual([]);
    expect(logged.some((l) => l.includes('alert evaluation failed') && l.includes('notifications unavailable'))).toBe(true);
    // The alert is recorded all the same, and the next evaluation tells its channels.
    expect(await adminSql()`select state, notified from public.alerts where rule_id = ${ruleId}`).toEqual([{ state: 'firing', notified: false }]);
    expect(await syncJob()).toEqual([expect.objectContaining({ type: 'fired', ruleId, thingName: things[9] })]);
    await report(things[9]!, { connected: true });
    await disable(ruleId);
  });
});
