import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import {
  clientsWithHook,
  createSimIntegration,
  devicesOf,
  fleetDifferences,
  readFleet,
  simSyncDeps,
  waitFor,
  type SimIntegration,
} from '../../../scripts/test/sync-fixtures';
import { runSync, type RunSummary, type SyncOutcome } from './engine';

/** Removal only after a complete listing, and the lease that keeps two runs of one integration apart. */
let sim: RunningSimulator;
let org: TestOrg;

function ran(outcome: SyncOutcome): RunSummary {
  if (outcome.outcome !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.run;
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 100, seed: 3, indexing: 'REGISTRY_AND_SHADOW' });
  org = await createTestOrg('sync-removal');
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('removal', () => {
  let integration: SimIntegration;
  const deleted = ['sensor-000003', 'sensor-000050', 'sensor-000099'];

  beforeAll(async () => {
    integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const first = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(first.error).toBeNull();
    expect(first.counters.devicesUpserted).toBe(100);
  });

  it('a sync that fails half-way removes nothing and keeps every cached device', async () => {
    sim.control.removeThings(DEMO_ACCOUNT_ID, deleted);
    let searches = 0;
    const clients = clientsWithHook((command) => {
      if (command === 'SearchIndex' && ++searches === 2) sim.control.setFaults({ errorRate: 1, operations: ['SearchIndex'] });
    });
    try {
      const run = ran(
        await runSync(simSyncDeps(sim, { clients, tuning: { searchPageSize: 20, readAhead: 0, retry: { maxTransientAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } } }), {
          integrationId: integration.id,
          trigger: 'manual',
        }),
      );
      expect(run).toMatchObject({ status: 'failed', completeListing: false, failureKind: 'transient' });
      expect(run.errorCode).toMatch(/^(InternalFailureException|ServiceUnavailableException)$/);
      expect(run.error).toContain('injected by the fleet simulator');
      expect(run.counters).toMatchObject({ thingsSeen: 40, devicesRemoved: 0 });
      expect(run.apiStats.SearchIndex).toMatchObject({ calls: 2 + 3, errors: 3 });
    } finally {
      sim.control.setFaults({ errorRate: 0, operations: null });
    }
    const devices = await devicesOf(integration.id);
    expect(devices.size).toBe(100);
    expect([...devices.values()].filter((d) => d.removed_at)).toEqual([]);
    const [row] = await adminSql()`select status, last_error from public.integrations where id = ${integration.id}`;
    expect(row).toMatchObject({ status: 'error' });
    expect(row!.last_error).toContain('injected by the fleet simulator');
  });

  it('the next complete sync marks exactly the deleted things removed', async () => {
    const run = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(run).toMatchObject({ status: 'succeeded', completeListing: true });
    expect(run.counters).toMatchObject({ thingsSeen: 97, devicesRemoved: 3 });
    const devices = await devicesOf(integration.id);
    expect([...devices.values()].filter((d) => d.removed_at).map((d) => d.thing_name)).toEqual(deleted);
    expect(fleetDifferences(await readFleet(sim, DEMO_CREDENTIALS), devices)).toEqual([]);
    const [row] = await adminSql()`select status, last_error, last_sync_at from public.integrations where id = ${integration.id}`;
    expect(row).toMatchObject({ status: 'active', last_error: null });
    expect(row!.last_sync_at).toBeInstanceOf(Date);
  });

  it('a thing that comes back is no longer removed, and new things appear', async () => {
    // The simulator cannot recreate a deleted name, so a live thing plays the returning one.
    await adminSql()`update public.devices set removed_at = now() where integration_id = ${integration.id} and thing_name = 'sensor-000010'`;
    sim.control.addThings(DEMO_ACCOUNT_ID, 2);
    const run = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(run.counters).toMatchObject({ thingsSeen: 99, devicesUpserted: 3, devicesRemoved: 0 });
    const devices = await devicesOf(integration.id);
    expect(devices.get('sensor-000010')?.removed_at).toBeNull();
    expect(devices.get('sensor-000101')?.removed_at).toBeNull();
    expect(devices.get('sensor-000102')?.removed_at).toBeNull();
    expect(fleetDifferences(await readFleet(sim, DEMO_CREDENTIALS), devices)).toEqual([]);
  });
});

describe('one sync per integration at a time', () => {
  it('of runs started together, exactly one runs and the others see it busy', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' })));
    const runs = outcomes.filter((o) => o.outcome === 'ran');
    expect(runs).toHaveLength(1);
    const runId = (runs[0] as { run: RunSummary }).run.runId;
    expect(outcomes.filter((o) => o.outcome === 'busy').map((o) => (o as { runningRunId: string }).runningRunId)).toEqual([runId, runId, runId]);
    const rows = await adminSql()`select status from public.sync_runs where integration_id = ${integration.id}`;
    expect(rows).toEqual([{ status: 'succeeded' }]);
  });

  it('a running row without a heartbeat (a dead worker) is taken over', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const [dead] = await adminSql()`
      insert into public.sync_runs (org_id, integration_id, trigger, started_at, heartbeat_at)
      values (${org.id}, ${integration.id}, 'schedule', now() - interval '20 minutes', now() - interval '10 minutes') returning id`;
    const busy = await runSync(simSyncDeps(sim, { tuning: { staleLeaseSeconds: 3600 } }), { integrationId: integration.id, trigger: 'manual' });
    expect(busy).toEqual({ outcome: 'busy', integrationId: integration.id, runningRunId: dead!.id });
    const run = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));
    expect(run.status).toBe('succeeded');
    const [old] = await adminSql()`select status, error_code, finished_at from public.sync_runs where id = ${dead!.id}`;
    expect(old).toMatchObject({ status: 'failed', error_code: 'WorkerLost' });
  });

  it('a run that lost its lease stops writing at once', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    sim.control.setFaults({ latencyMs: [15, 15] });
    try {
      const pending = runSync(simSyncDeps(sim, { tuning: { searchPageSize: 5, readAhead: 0, rates: { SearchIndex: 2000 } } }), {
        integrationId: integration.id,
        trigger: 'manual',
      });
      const runId = await waitFor(async () => {
        const [r] = await adminSql()<{ id: string; pages: number }[]>`
          select id, (progress->>'pagesDone')::int as pages from public.sync_runs where integration_id = ${integration.id} and status = 'running'`;
        return r && r.pages >= 2 ? r.id : null;
      });
      // What a worker taking over a dead worker's run does.
      await adminSql()`update public.sync_runs set status = 'failed', finished_at = now(), error_code = 'WorkerLost' where id = ${runId}`;
      const run = ran(await pending);
      expect(run).toMatchObject({ runId, status: 'failed', errorCode: 'LeaseLost', completeListing: false });
      const [row] = await adminSql()<{ pages: number; error_code: string }[]>`
        select (progress->>'pagesDone')::int as pages, error_code from public.sync_runs where id = ${runId}`;
      expect(row!.error_code).toBe('WorkerLost');
      expect(row!.pages).toBeLessThan(20);
      const [count] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.devices where integration_id = ${integration.id}`;
      expect(count!.n).toBe(row!.pages * 5);
    } finally {
      sim.control.setFaults({ latencyMs: [0, 0] });
    }
  });
});
