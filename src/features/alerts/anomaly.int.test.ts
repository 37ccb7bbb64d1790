import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { telemetryValue } from '../../../scripts/sim/telemetry';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, silentLog, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { runSync } from '@/features/sync/engine';
import { anomalyCandidates } from './anomaly';
import { evaluateAlerts, type EvaluateDeps } from './evaluate';
import type { AlertEvent } from './events';
import { createRuleSchema } from './schemas';
import { createRule } from './service';

/**
 * Anomaly rules end to end against the simulator: devices report temperature into their shadows,
 * each sync records the versions it sees (the shadow history), and the evaluation after the sync
 * scores them against the baselines it learned. The four days before the test are written into the
 * shadow history from the simulator's own telemetry model (what syncs every 10 minutes would have
 * recorded), so the daily cycle is learned without replaying four days of syncs. The admin API
 * injects a spike and a drift into one device each; the alert fires for that device only, not for a
 * rule that wants more history than there is, and resolves once the value is back.
 */
const MIN = 60_000;
let sim: RunningSimulator;
let org: TestOrg;
let integration: SimIntegration;
let events: AlertEvent[] = [];
let ruleId: string;
let patientRuleId: string;
const HISTORY_DAYS = 4;

const alertDeps: EvaluateDeps = {
  db: asService,
  log: silentLog,
  // Evaluations here are 10 simulated minutes apart: a point that recent can fire, baselines relearn every 30 minutes.
  anomaly: anomalyCandidates({ refreshAfterMs: 30 * MIN, pointLookbackMs: 10 * MIN }),
  notify: async (_db, sent) => {
    events.push(...sent);
    return { deliveries: sent.length };
  },
};

/** Moves simulated time on, then one sync and the evaluation after it (as the worker runs them); returns the alert events. */
async function step(minutes = 10): Promise<AlertEvent[]> {
  sim.control.advanceTime(minutes * MIN);
  events = [];
  const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
  expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded' } });
  const returned = await evaluateAlerts(alertDeps, { orgId: org.id, now: new Date(sim.control.now()) });
  expect(events).toEqual(returned);
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
  select device_id, state, details from public.alerts where rule_id in (${ruleId}, ${patientRuleId}) and state <> 'resolved' order by device_id`;

let things: string[];

beforeAll(async () => {
  sim = await startTestSimulator({ things: 12, seed: 21, indexing: 'OFF', behaviour: { deadFraction: 0, flakyFraction: 0 } });
  org = await createTestOrg('anomaly-sim');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  const create = async (name: string, minHistoryHours: number) => {
    const parsed = createRuleSchema.parse({ name, condition: { kind: 'anomaly', metric: 'temperature', sensitivity: 'medium', minHistoryHours } });
    return (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
  };
  // The first sync creates the devices; their history is then written below it, before any evaluation sees it.
  patientRuleId = await create('temperature anomaly, after a week', 7 * 24);
  await adminSql()`update public.alert_rules set enabled = false where id = ${patientRuleId}`;
  expect(await step(0)).toEqual([]);
  const devices = await adminSql()<{ id: string; thing_name: string }[]>`select id, thing_name from public.devices where integration_id = ${integration.id} order by thing_name`;
  things = devices.map((d) => d.thing_name);
  expect(things).toHaveLength(12);
  const start = sim.control.now();
  const rows = devices.flatMap((d) =>
    Array.from({ length: (HISTORY_DAYS * 24 * 60) / 10 }, (_, i) => {
      const at = start - HISTORY_DAYS * 86_400_000 + i * 10 * MIN;
      // Versions below the simulator's own (which start at 1), one per recorded report.
      return { org_id: org.id, device_id: d.id, shadow_version: -100_000 + i, reported: { temperature: telemetryValue(d.thing_name, 'temperature', at) }, reported_at: new Date(at) };
    }),
  );
  for (let i = 0; i < rows.length; i += 2000) {
    await adminSql()`insert into public.device_shadow_history ${adminSql()(rows.slice(i, i + 2000) as never, 'org_id', 'device_id', 'shadow_version', 'reported', 'reported_at')}`;
  }
  ruleId = await create('temperature anomaly', 48);
  await adminSql()`update public.alert_rules set enabled = true where id = ${patientRuleId}`;
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('anomaly rules against the simulator', () => {
  it('learns every device from its shadow history, daily cycle included, and stays silent on normal values', async () => {
    for (let i = 0; i < 6; i++) expect(await step()).toEqual([]);
    expect(await openAlerts()).toEqual([]);
    const [learned] = await adminSql()<{ learned: number; seasonal: number }[]>`
      select count(*) filter (where level is not null)::int as learned, count(*) filter (where daily_shape is not null)::int as seasonal
      from public.alert_anomaly_baselines where rule_id = ${ruleId} and source = 'shadow_history'`;
    expect(learned).toEqual({ learned: 12, seasonal: 12 });
  }, 300_000);

  it('fires for the spiking device only, and resolves once its value is back', async () => {
    const spiking = await deviceId(things[3]!);
    // A sync sees only the newest report, so the spike lasts until the next sync (15 minutes, three reports).
    await inject({ thingNames: [things[3]], metric: 'temperature', kind: 'spike', delta: 40, durationMs: 15 * MIN });
    const fired = await step();
    // Only the rule whose minimum history the device has: the other wants a week, the device has four days.
    expect(fired).toEqual([expect.objectContaining({ type: 'fired', ruleId, deviceId: spiking, thingName: things[3] })]);
    expect(await openAlerts()).toMatchObject([{ device_id: spiking, state: 'firing', details: { anomaly: 'spike', source: 'shadow_history' } }]);
    // Once the spike is over (and out of the lookback) the newest value is normal again.
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
    // Its first reports leave the band as single points; once the recent median has moved it is a level shift.
    for (let i = 0; i < 3; i++) expect(await step()).toEqual([]);
    expect(await openAlerts()).toMatchObject([{ device_id: drifting, state: 'firing', details: { anomaly: 'level_shift' } }]);
    // The drift ends after an hour and the value falls back to normal.
    const later: AlertEvent[] = [];
    for (let i = 0; i < 12 && !later.some((e) => e.type === 'resolved'); i++) later.push(...(await step()));
    expect(later).toEqual([expect.objectContaining({ type: 'resolved', deviceId: drifting })]);
  }, 300_000);
});
