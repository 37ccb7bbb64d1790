import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION, SECOND_ACCOUNT_ID, SECOND_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, devicesOf, fleetDifferences, readFleet, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { runSync, type RunSummary, type SyncDeps, type SyncOutcome } from './engine';
import { testKeyring } from '../../../scripts/test/fixtures';

/**
 * The engine against the real simulator and the real SDK. Two accounts hold the same fleet (same
 * seed, size and frozen clock): account 1 indexes registry, shadow, connectivity and the `config`
 * named shadow (fleet_index mode), account 2 indexes nothing (registry mode).
 */
const THINGS = 120;
const SEED = 11;
let sim: RunningSimulator;
let org: TestOrg;
let indexed: SimIntegration;
let plain: SimIntegration;

function ran(outcome: SyncOutcome): RunSummary {
  if (outcome.outcome !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.run;
}

beforeAll(async () => {
  sim = await startTestSimulator({
    accounts: [
      {
        accountId: DEMO_ACCOUNT_ID,
        region: DEMO_REGION,
        things: THINGS,
        seed: SEED,
        indexing: { thingIndexingMode: 'REGISTRY_AND_SHADOW', thingConnectivityIndexingMode: 'STATUS', namedShadowIndexingMode: 'ON', namedShadowNames: ['config'] },
      },
      { accountId: SECOND_ACCOUNT_ID, region: DEMO_REGION, things: THINGS, seed: SEED, indexing: { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'OFF' } },
    ],
  });
  org = await createTestOrg('sync-engine');
  indexed = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, name: 'indexed' });
  plain = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS, name: 'plain' });
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('both modes', () => {
  it('produce identical registries for the same fleet, equal to what AWS reports', async () => {
    const a = ran(await runSync(simSyncDeps(sim), { integrationId: indexed.id, trigger: 'manual' }));
    const b = ran(await runSync(simSyncDeps(sim), { integrationId: plain.id, trigger: 'manual' }));
    expect(a).toMatchObject({ status: 'succeeded', mode: 'fleet_index', completeListing: true, error: null });
    expect(b).toMatchObject({ status: 'succeeded', mode: 'registry', completeListing: true, error: null });
    expect(a.counters).toMatchObject({ thingsSeen: THINGS, devicesUpserted: THINGS, devicesRemoved: 0, shadowErrors: 0 });
    expect(b.counters).toMatchObject({ thingsSeen: THINGS, devicesUpserted: THINGS, devicesRemoved: 0, shadowErrors: 0 });

    const fleet = await readFleet(sim, DEMO_CREDENTIALS);
    expect(fleet.size).toBe(THINGS);
    const devicesA = await devicesOf(indexed.id);
    const devicesB = await devicesOf(plain.id);
    expect(fleetDifferences(fleet, devicesA)).toEqual([]);
    expect(fleetDifferences(fleet, devicesB)).toEqual([]);

    // Everything but what only one mode can know: registry_version (ListThings only) and the disconnect reason (index only).
    const comparable = (m: Map<string, Record<string, unknown>>) =>
      [...m.values()].map(({ registry_version: _v, disconnect_reason: _r, ...rest }) => rest);
    expect(comparable(devicesB as never)).toEqual(comparable(devicesA as never));
    const statuses = new Set([...devicesA.values()].map((d) => d.status));
    expect(statuses).toEqual(new Set(['online', 'offline']));
    expect([...devicesA.values()].every((d) => d.named_shadows && 'config' in d.named_shadows)).toBe(true);

    // One SearchIndex page per 100 things against one GetThingShadow per thing.
    expect(a.apiStats.SearchIndex?.calls).toBe(Math.ceil(THINGS / 100));
    expect(a.apiStats.GetThingShadow).toBeUndefined();
    expect(b.apiStats.GetThingShadow?.calls).toBe(THINGS * 2);
    expect(b.apiStats.ListThings?.calls).toBe(1);

    const catalog = async (id: string) =>
      adminSql()`select name, parent_name from public.thing_groups where integration_id = ${id} order by name`;
    expect(await catalog(plain.id)).toEqual(await catalog(indexed.id));
    const types = await adminSql()`select name from public.thing_types where integration_id = ${indexed.id} order by name`;
    expect(types.map((t) => t.name)).toEqual(['env-sensor', 'gateway', 'tracker']);
  });

  it('a second sync of an unchanged fleet writes no device rows', async () => {
    for (const integration of [indexed, plain]) {
      const run = ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'schedule' }));
      expect(run.status).toBe('succeeded');
      expect(run.counters).toMatchObject({ thingsSeen: THINGS, devicesUpserted: 0, devicesUnchanged: THINGS, shadowHistoryRows: 0 });
    }
  });
});

describe('paging', () => {
  // Quotas are not the subject here: lift the pacing so 120 one-thing pages take no 12 s.
  const rates = { SearchIndex: 2000, ListThings: 2000 };
  it.each([1, 7, 40, 100, 250])('fleet_index reads every page to the end with pages of %i', async (size) => {
    const run = ran(await runSync(simSyncDeps(sim, { tuning: { searchPageSize: size, rates } }), { integrationId: indexed.id, trigger: 'manual' }));
    const pages = Math.ceil(THINGS / Math.min(size, 100));
    expect(run).toMatchObject({ status: 'succeeded', completeListing: true });
    expect(run.counters).toMatchObject({ thingsSeen: THINGS, devicesUnchanged: THINGS, devicesRemoved: 0 });
    expect(run.apiStats.SearchIndex?.calls).toBe(pages);
    const [row] = await adminSql()`select progress from public.sync_runs where id = ${run.runId}`;
    expect(row!.progress).toMatchObject({ pagesDone: pages, thingsSoFar: THINGS, expectedThings: THINGS });
  });

  it.each([1, 7, 120, 250])('registry reads every page to the end with pages of %i', async (size) => {
    const run = ran(await runSync(simSyncDeps(sim, { tuning: { listPageSize: size, rates } }), { integrationId: plain.id, trigger: 'manual' }));
    expect(run).toMatchObject({ status: 'succeeded', completeListing: true });
    expect(run.counters).toMatchObject({ thingsSeen: THINGS, devicesUnchanged: THINGS, devicesRemoved: 0 });
    expect(run.apiStats.ListThings?.calls).toBe(Math.ceil(THINGS / size));
  });
});

/**
 * Clients whose ListThingsInThingGroup calls wait until every shadow of the fleet has been read (or
 * fail with `deny`), so registry mode's pages are written before the memberships arrive.
 */
function lateMemberships(shadowReads: number, deny?: Error): SyncDeps['clients'] {
  const base = integrationClients(testKeyring(), {});
  return (integration) => {
    const clients = base(integration);
    let reads = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    type Mw = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>;
    const hold: Mw = (next, context) => async (args) => {
      if (context.commandName === 'ListThingsInThingGroupCommand') {
        await gate;
        if (deny) throw deny;
      }
      return next(args);
    };
    const count: Mw = (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'GetThingShadowCommand' && ++reads === shadowReads) open();
      return out;
    };
    (clients.iot.middlewareStack as { add: (...a: never[]) => void }).add(hold as never, { step: 'initialize', name: 'testHold' } as never);
    (clients.iotData.middlewareStack as { add: (...a: never[]) => void }).add(count as never, { step: 'deserialize', name: 'testCount' } as never);
    return clients;
  };
}

describe('registry mode with memberships that arrive after the things', () => {
  // Every thing has its classic and its `config` shadow.
  const reads = THINGS * 2;

  it('writes the pages first and their groups afterwards, then rewrites nothing', async () => {
    const late = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS, name: 'late-groups' });
    const first = ran(await runSync(simSyncDeps(sim, { clients: lateMemberships(reads) }), { integrationId: late.id, trigger: 'manual' }));
    expect(first).toMatchObject({ status: 'succeeded', mode: 'registry', completeListing: true });
    // Every simulated thing sits in a site group, so every row was written again for its groups.
    expect(first.counters).toMatchObject({ thingsSeen: THINGS, devicesUpserted: THINGS, devicesUnchanged: 0, devicesRegrouped: THINGS });
    expect(fleetDifferences(await readFleet(sim, SECOND_CREDENTIALS), await devicesOf(late.id))).toEqual([]);

    const again = ran(await runSync(simSyncDeps(sim, { clients: lateMemberships(reads) }), { integrationId: late.id, trigger: 'manual' }));
    expect(again.counters).toMatchObject({ thingsSeen: THINGS, devicesUpserted: 0, devicesUnchanged: THINGS, devicesRegrouped: 0 });
  });

  it('fails the run, and removes nothing, when the memberships cannot be listed', async () => {
    const denied = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS, name: 'denied-groups' });
    ran(await runSync(simSyncDeps(sim), { integrationId: denied.id, trigger: 'manual' }));
    await adminSql()`update public.devices set groups = '{stale}' where integration_id = ${denied.id} and thing_name = 'sensor-000001'`;
    const error = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    const run = ran(await runSync(simSyncDeps(sim, { clients: lateMemberships(reads, error) }), { integrationId: denied.id, trigger: 'manual' }));
    expect(run).toMatchObject({ status: 'failed', completeListing: false, errorCode: 'AccessDeniedException' });
    expect(run.counters.devicesRemoved).toBe(0);
    const devices = await devicesOf(denied.id);
    expect([...devices.values()].filter((d) => d.removed_at)).toEqual([]);
    // The unknown memberships left the row's groups as they were.
    expect(devices.get('sensor-000001')?.groups).toEqual(['stale']);
  });
});

