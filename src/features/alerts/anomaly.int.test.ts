import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, silentLog, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { evaluateOrgAlerts, type AlertsWorkerDeps } from '../../worker/alerts-handler';
import { handleSyncJob } from '../../worker/handlers';
import { anomalyCandidates } from './anomaly';
import type { AlertEvent } from './events';
import { createRuleSchema } from './schemas';
import { createRule } from './service';

/**
 * Anomaly rules end to end against the simulator: devices report temperature into their shadows,
 * each sync records the versions it sees (the shadow history), and the evaluation after the sync
 * scores them against the baselines it learned. The simulator's admin API injects a spike and a
 * drift into one device each; the alert fires for that device only, never before the rule's
 * minimum history, and resolves once the value is back.
 */
const MIN = 60_000;
let sim: RunningSimulator;
let org: TestOrg;
let integration: SimIntegration;
let events: AlertEvent[] = [];
let ruleId: string;

const alertDeps: AlertsWorkerDeps = {
  db: asService,
  log: silentLog,
  now: () => sim.control.now(),
  // Evaluations here are 10 simulated minutes apart: a point that recent can fire, baselines relearn every 30 minutes.
  anomaly: anomalyCandidates({ refreshAfterMs: 30 * MIN, pointLookbackMs: 10 * MIN }),
  notify: async (_db, sent) => {
    events.push(...sent);
    return { deliveries: sent.length };
  },
};

/** Moves simulated time on, then one sync job with the evaluation after it; returns the alert events. */
async function step(minutes = 10): Promise<AlertEvent[]> {
  sim.control.advanceTime(minutes * MIN);
  events = [];
  const result = await handleSyncJob(
    { ...simSyncDeps(sim), afterSync: (run) => evaluateOrgAlerts(alertDeps, run.orgId) },
    { id: `job-${sim.control.now()}`, data: { integrationId: integration.id, trigger: 'manual' } },
  );
  expect(result).toMatchObject({ outcome: 'ran', status: 'succeeded' });
  return events;
}

async function inject(body: Record<string, unknown>) {
  const res = await fetch(`${sim.url}/_sim/accounts/${DEMO_ACCOUNT_ID}/devices/anomaly`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

const deviceId = async (thingName: string) =>
  (await adminSql()<{ id: string }[]>`select id from public.devices where integration_id = ${integration.id} and thing_name = ${thingName}`)[0]!.id;
const openAlerts = () => adminSql()<{ device_id: string; state: string; details: Record<string, unknown> }[]>`
  select device_id, state, details from public.alerts where rule_id = ${ruleId} and state <> 'resolved' order by device_id`;

let things: string[];

beforeAll(async () => {
  sim = await startTestSimulator({ things: 12, seed: 21, indexing: 'OFF', behaviour: { deadFraction: 0, flakyFraction: 0 } });
  org = await createTestOrg('anomaly-sim');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  const parsed = createRuleSchema.parse({ name: 'temperature anomaly', condition: { kind: 'anomaly', metric: 'temperature', sensitivity: 'medium', minHistoryHours: 3 } });
  ruleId = (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
  expect(await step(0)).toEqual([]);
  things = (await adminSql()<{ thing_name: string }[]>`select thing_name from public.devices where integration_id = ${integration.id} order by thing_name`).map((r) => r.thing_name);
  expect(things).toHaveLength(12);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('anomaly rules against the simulator', () => {
  it('stays silent on normal values and before the minimum history, even for a spike', async () => {
    for (let i = 0; i < 6; i++) expect(await step()).toEqual([]);
    // One hour of history: a spike now is well outside the band, but the rule wants three hours.
    await inject({ thingNames: [things[0]], metric: 'temperature', kind: 'spike', delta: 40, durationMs: 10 * MIN });
    expect(await step()).toEqual([]);
    for (let i = 0; i < 14; i++) expect(await step()).toEqual([]);
    expect(await openAlerts()).toEqual([]);
    const [learned] = await adminSql()<{ learned: number }[]>`
      select count(*)::int as learned from public.alert_anomaly_baselines where rule_id = ${ruleId} and level is not null and source = 'shadow_history'`;
    expect(learned!.learned).toBe(12);
  }, 300_000);

  it('fires for the spiking device only, and resolves once its value is back', async () => {
    const spiking = await deviceId(things[3]!);
    await inject({ thingNames: [things[3]], metric: 'temperature', kind: 'spike', delta: 40, durationMs: 10 * MIN });
    const fired = await step();
    expect(fired).toEqual([expect.objectContaining({ type: 'fired', ruleId, deviceId: spiking, thingName: things[3] })]);
    expect(await openAlerts()).toMatchObject([{ device_id: spiking, state: 'firing', details: { anomaly: 'spike', source: 'shadow_history' } }]);
    // The spike lasted one report; once the lookback has passed the newest value is normal again.
    const after = [...(await step()), ...(await step())];
    expect(after).toEqual([expect.objectContaining({ type: 'resolved', deviceId: spiking })]);
    expect(await openAlerts()).toEqual([]);
  }, 300_000);

  it('fires on a lasting drift of one device as a level shift, and clears when the drift ends', async () => {
    const drifting = await deviceId(things[7]!);
    await inject({ thingNames: [things[7]], metric: 'temperature', kind: 'drift', ratePerHour: 30, durationMs: 60 * MIN });
    const seen: AlertEvent[] = [];
    for (let i = 0; i < 6 && !seen.some((e) => e.type === 'fired'); i++) seen.push(...(await step()));
    expect(seen).toEqual([expect.objectContaining({ type: 'fired', deviceId: drifting })]);
    expect((await openAlerts()).map((a) => a.device_id)).toEqual([drifting]);
    // The drift ends after an hour and the value falls back to normal.
    const later: AlertEvent[] = [];
    for (let i = 0; i < 8 && !later.some((e) => e.type === 'resolved'); i++) later.push(...(await step()));
    expect(later).toEqual([expect.objectContaining({ type: 'resolved', deviceId: drifting })]);
  }, 300_000);
});
