import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION, SECOND_ACCOUNT_ID, SECOND_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, devicesOf, fleetDifferences, newSimKey, readFleet, simSyncDeps } from '../../../scripts/test/sync-fixtures';
import { runSync, type RunSummary, type SyncOutcome } from './engine';

/** Faults, throttling and credentials: the registry converges, and what cannot be fixed by retrying is said plainly. */
let sim: RunningSimulator;
let org: TestOrg;

function ran(outcome: SyncOutcome): RunSummary {
  if (outcome.outcome !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.run;
}

beforeAll(async () => {
  sim = await startTestSimulator({
    accounts: [
      { accountId: DEMO_ACCOUNT_ID, region: DEMO_REGION, things: 150, seed: 5 },
      { accountId: SECOND_ACCOUNT_ID, region: DEMO_REGION, things: 150, seed: 6, indexing: { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'OFF' } },
    ],
  });
  org = await createTestOrg('sync-resilience');
});

afterEach(() => {
  sim.control.setFaults({ errorRate: 0, resetRate: 0, operations: null, things: null });
  sim.control.setQuotas({ enabled: false, factor: 1, rates: {} });
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('under injected 5xx, dropped connections and throttling', () => {
  // The simulator grants a fifth of AWS's rates (and 1/s of SearchIndex, 100/s of GetThingShadow, so both
  // modes are throttled whatever the timing) while the sync budgets for all of them.
  const hostile = () => {
    sim.control.setFaults({ errorRate: 0.15, resetRate: 0.05, seed: 99 });
    sim.control.setQuotas({ enabled: true, factor: 0.2, rates: { SearchIndex: 5, DescribeThingGroup: 50, GetThingShadow: 500 } });
  };

  it.each([
    ['registry', SECOND_CREDENTIALS],
    ['fleet_index', DEMO_CREDENTIALS],
  ] as const)('in %s mode the registry converges to the exact fleet', async (mode, credentials) => {
    const integration = await createSimIntegration(org, sim, { credentials, budget: 1 });
    hostile();
    const before = sim.control.getCounters();
    const run = ran(await runSync(simSyncDeps(sim, { tuning: { searchPageSize: 30 } }), { integrationId: integration.id, trigger: 'manual' }));
    const after = sim.control.getCounters();
    sim.control.setFaults({ errorRate: 0, resetRate: 0 });
    sim.control.setQuotas({ enabled: false });

    expect(run).toMatchObject({ status: 'succeeded', mode, completeListing: true, error: null });
    // The warnings name what a thing's reads could not get past, should one ever give up.
    expect(run.counters, JSON.stringify(run.warnings)).toMatchObject({ thingsSeen: 150, devicesUpserted: 150, shadowErrors: 0 });
    expect(fleetDifferences(await readFleet(sim, credentials), await devicesOf(integration.id))).toEqual([]);

    // Faults and throttles happened, were counted, and were retried.
    expect(after.faults.errors + after.faults.resets).toBeGreaterThan(before.faults.errors + before.faults.resets);
    const stats = Object.values(run.apiStats);
    expect(stats.reduce((n, s) => n + s.errors, 0)).toBeGreaterThan(0);
    expect(run.throttled).toBeGreaterThan(0);
    expect(run.retries).toBeGreaterThanOrEqual(run.throttled);
    expect(run.apiCalls).toBe(stats.reduce((n, s) => n + s.calls, 0));
    const [row] = await adminSql()<{ api_calls: number; throttled: number; api_stats: Record<string, { throttled: number }> }[]>`
      select api_calls, throttled, api_stats from public.sync_runs where id = ${run.runId}`;
    expect(row).toMatchObject({ api_calls: run.apiCalls, throttled: run.throttled });
    expect(Object.values(row!.api_stats).reduce((n, s) => n + s.throttled, 0)).toBe(run.throttled);
  });
});

describe('one thing whose shadow cannot be read (registry mode)', () => {
  it('keeps that device and its cached shadow, counts it in shadow_errors, and finishes the run', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS });
    const deps = simSyncDeps(sim, { tuning: { listPageSize: 12 } });
    expect(ran(await runSync(deps, { integrationId: integration.id, trigger: 'manual' })).status).toBe('succeeded');
    const before = await devicesOf(integration.id);
    sim.control.advanceTime(30 * 60_000); // online devices report new shadow versions

    // Every attempt at this thing's shadows fails (after the client's retries); the listing stays intact.
    const victim = 'sensor-000057';
    sim.control.setFaults({ errorRate: 1, operations: ['GetThingShadow', 'ListNamedShadowsForThing'], things: [victim] });
    const run = ran(await runSync(deps, { integrationId: integration.id, trigger: 'manual' }));
    sim.control.setFaults({ errorRate: 0, operations: null, things: null });

    expect(run).toMatchObject({ status: 'succeeded', mode: 'registry', completeListing: true, error: null });
    expect(run.counters).toMatchObject({ thingsSeen: 150, devicesRemoved: 0, shadowErrors: 1 });
    expect(run.warnings.join(' ')).toMatch(new RegExp(`GetThingShadow failed for ${victim}`));
    const [row] = await adminSql()<{ status: string; shadow_errors: number; devices_removed: number }[]>`
      select status, shadow_errors, devices_removed from public.sync_runs where id = ${run.runId}`;
    expect(row).toEqual({ status: 'succeeded', shadow_errors: 1, devices_removed: 0 });

    const after = await devicesOf(integration.id);
    expect([...after.values()].filter((d) => d.removed_at)).toEqual([]);
    const kept = after.get(victim)!;
    expect({ shadow: kept.shadow, shadow_version: kept.shadow_version }).toEqual({ shadow: before.get(victim)!.shadow, shadow_version: before.get(victim)!.shadow_version });
    const fleet = await readFleet(sim, SECOND_CREDENTIALS);
    expect(fleet.get(victim)!.shadowVersion).not.toBe(Number(kept.shadow_version)); // AWS moved on: the row is really stale
    const others = (m: Map<string, unknown>) => new Map([...m].filter(([name]) => name !== victim));
    expect(fleetDifferences(others(fleet) as typeof fleet, others(after) as typeof after)).toEqual([]);
    expect([...after.values()].filter((d) => d.shadow_version !== before.get(d.thing_name)!.shadow_version).length).toBeGreaterThan(10);

    // Once the shadow can be read again, the next run catches up.
    expect(ran(await runSync(deps, { integrationId: integration.id, trigger: 'manual' })).counters.shadowErrors).toBe(0);
    expect(fleetDifferences(fleet, await devicesOf(integration.id))).toEqual([]);
  });
});

describe('revoked credentials', () => {
  it('fail the run with a clear reason, keep every cached device, and pause the integration when they keep failing', async () => {
    const key = newSimKey(sim, DEMO_ACCOUNT_ID);
    const integration = await createSimIntegration(org, sim, { credentials: key });
    const first = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(first).toMatchObject({ status: 'succeeded' });
    expect(first.counters.devicesUpserted).toBe(150);

    expect(sim.control.iam.deleteKey(key.accessKeyId)).toBe(true);
    const failed = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' }));
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'UnrecognizedClientException', failureKind: 'credentials', paused: false, completeListing: false });
    expect(failed.error).toBe('AWS rejected the credentials: UnrecognizedClientException: The security token included in the request is invalid.');
    expect(failed.error).not.toContain(key.secretAccessKey);
    expect(failed.counters.devicesRemoved).toBe(0);
    const devices = await devicesOf(integration.id);
    expect(devices.size).toBe(150);
    expect([...devices.values()].some((d) => d.removed_at)).toBe(false);
    let [row] = await adminSql()`select status, paused_reason, last_error from public.integrations where id = ${integration.id}`;
    expect(row).toMatchObject({ status: 'error', paused_reason: null, last_error: failed.error });

    const second = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' }));
    expect(second.paused).toBe(false);
    const third = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' }));
    expect(third.paused).toBe(true);
    [row] = await adminSql()`select status, paused_reason from public.integrations where id = ${integration.id}`;
    expect(row!.status).toBe('paused');
    expect(row!.paused_reason).toContain('3 syncs in a row failed on the AWS credentials');
    expect(row!.paused_reason).toContain('UnrecognizedClientException');

    const skipped = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' });
    expect(skipped).toEqual({ outcome: 'skipped', integrationId: integration.id, reason: 'paused', detail: row!.paused_reason });
    expect((await devicesOf(integration.id)).size).toBe(150);
  });

  it('a success in between resets the count', async () => {
    const key = newSimKey(sim, DEMO_ACCOUNT_ID);
    const integration = await createSimIntegration(org, sim, { credentials: key });
    sim.control.iam.deleteKey(key.accessKeyId);
    for (let i = 0; i < 2; i++) ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' }));
    sim.control.putKey({ ...key, accountId: DEMO_ACCOUNT_ID, userName: 'restored', actions: ['*'] });
    expect(ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' })).status).toBe('succeeded');
    sim.control.iam.deleteKey(key.accessKeyId);
    for (let i = 0; i < 2; i++) expect(ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' })).paused).toBe(false);
    const [row] = await adminSql()`select status from public.integrations where id = ${integration.id}`;
    expect(row!.status).toBe('error');
  });

  it('credentials that cannot be decrypted fail the run without calling AWS', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const other = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    // A token copied from another row is bound to that row (AAD) and does not decrypt here.
    await adminSql()`update public.integrations set credentials = (select credentials from public.integrations where id = ${other.id}) where id = ${integration.id}`;
    const run = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CredentialsUnreadable', failureKind: 'credentials', apiCalls: 0 });
    expect(run.error).toContain('could not be decrypted');
  });
});
