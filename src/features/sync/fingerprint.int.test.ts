import { UpdateThingCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, asService } from '@/lib/db';
import type { AwsDeps } from '@/features/commands/aws';
import { updateAttributeSchema } from '@/features/device-detail/schemas';
import { updateDeviceAttribute } from '@/features/device-detail/service';
import type { BulkDeps } from '@/features/bulk-actions/runner';
import { startBulkSchema } from '@/features/bulk-actions/schemas';
import { startBulkOperation, type BulkQueue } from '@/features/bulk-actions/service';
import { runBulkOperation } from '@/features/bulk-actions/runner';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION, SECOND_ACCOUNT_ID, SECOND_CREDENTIALS, type SimCredentials } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { clients, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, orgScopeFor, silentLog, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, devicesOf, fleetDifferences, readFleet, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { runSync, type RunSummary } from './engine';
import { CommandTracker } from './commands';
import type { ObservedThing } from './model';
import { DeviceWriter, loadDeviceCache, writeAttributeEdit } from './writer';

/**
 * Rows changed by a user action (attribute edit, bulk attribute set) are corrected by the next sync
 * whenever AWS differs, in both sync modes: the action invalidates the row's fingerprint, so AWS
 * changing back to the previously synced answer is still written.
 */
let sim: RunningSimulator;
let org: TestOrg;
const integrations: Record<'fleet_index' | 'registry', SimIntegration> = {} as never;
const credentialsOf = { fleet_index: DEMO_CREDENTIALS, registry: SECOND_CREDENTIALS } as const;
let deps: AwsDeps;

async function sync(integration: SimIntegration): Promise<RunSummary> {
  const outcome = await runSync(simSyncDeps(sim, { tuning: { namedShadows: false } }), { integrationId: integration.id, trigger: 'manual' });
  if (outcome.outcome !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.run;
}

interface Row {
  id: string;
  thing_name: string;
  attributes: Record<string, string>;
  registry_version: string | null;
}

async function pick(integration: SimIntegration, offset: number): Promise<Row> {
  const rows = await adminSql()<Row[]>`
    select id, thing_name, attributes, registry_version from public.devices where integration_id = ${integration.id} order by thing_name offset ${offset} limit 1`;
  return rows[0]!;
}

/** Changes a thing in AWS behind Fleetline's back, as another tool would. */
async function updateInAws(credentials: SimCredentials, thingName: string, attributes: Record<string, string>) {
  const { iot } = clients(sim, { credentials });
  try {
    await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes, merge: true } }));
  } finally {
    iot.destroy();
  }
}

async function expectCacheMatchesAws(mode: 'fleet_index' | 'registry') {
  expect(fleetDifferences(await readFleet(sim, credentialsOf[mode]), await devicesOf(integrations[mode].id))).toEqual([]);
}

beforeAll(async () => {
  sim = await startTestSimulator({
    accounts: [
      { accountId: DEMO_ACCOUNT_ID, region: DEMO_REGION, things: 12, seed: 5 },
      { accountId: SECOND_ACCOUNT_ID, region: DEMO_REGION, things: 12, seed: 6, indexing: { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'OFF' } },
    ],
  });
  org = await createTestOrg('fingerprint');
  integrations.fleet_index = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  integrations.registry = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS });
  for (const mode of ['fleet_index', 'registry'] as const) {
    expect(await sync(integrations[mode])).toMatchObject({ status: 'succeeded', mode });
  }
  deps = { clients: integrationClients(testKeyring(), {}) };
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe.each(['fleet_index', 'registry'] as const)('in %s mode', (mode) => {
  it('an attribute edited in Fleetline and changed back in AWS is corrected by the next sync', async () => {
    const device = await pick(integrations[mode], 0);
    const expectedVersion = device.registry_version === null ? null : Number(device.registry_version);
    const input = updateAttributeSchema.parse({ op: 'set', deviceId: device.id, name: 'room', value: 'lab-9', expectedVersion });
    const result = await updateDeviceAttribute(orgScopeFor(org, 'operator'), input, deps);
    expect(result.attributes.room).toBe('lab-9');
    expect((await pick(integrations[mode], 0)).attributes.room).toBe('lab-9');

    // Someone removes it again directly in AWS: AWS holds exactly the attributes of the last sync.
    await updateInAws(credentialsOf[mode], device.thing_name, { room: '' });
    const run = await sync(integrations[mode]);
    expect(run.status).toBe('succeeded');
    expect((await pick(integrations[mode], 0)).attributes).toEqual(device.attributes);
    await expectCacheMatchesAws(mode);

    // The corrected row carries a real fingerprint again: the sync after it rewrites nothing.
    expect((await sync(integrations[mode])).counters.devicesUpserted).toBe(0);
  });

  it('a bulk attribute set changed back in AWS for one device is corrected by the next sync', async () => {
    const device = await pick(integrations[mode], 1);
    const site = device.attributes.site!;
    const filter = { integration: integrations[mode].id, attr: [{ key: 'site', value: site }] };
    const [{ n }] = (await adminSql()`
      select count(*)::int as n from public.devices where integration_id = ${integrations[mode].id} and attributes->>'site' = ${site}`) as unknown as [{ n: number }];
    const queue: BulkQueue = { enqueue: async () => 'job' };
    const started = await as(org.members.operator, (db) =>
      startBulkOperation(orgContext(db, org, 'operator'), startBulkSchema.parse({ filter, kind: 'set_attribute', key: 'room', value: 'hall', expectedCount: n }), queue),
    );
    const bulkDeps: BulkDeps = { db: asService, clients: integrationClients(testKeyring(), {}), log: silentLog, workerId: 'test-worker', tuning: { retry: { baseDelayMs: 5, maxDelayMs: 50 } } };
    expect(await runBulkOperation(bulkDeps, started.operationId)).toMatchObject({ outcome: 'ran', status: 'completed', succeeded: n });
    expect((await pick(integrations[mode], 1)).attributes.room).toBe('hall');

    await updateInAws(credentialsOf[mode], device.thing_name, { room: '' });
    expect((await sync(integrations[mode])).status).toBe('succeeded');
    expect((await pick(integrations[mode], 1)).attributes).toEqual(device.attributes);
    await expectCacheMatchesAws(mode);
  });
});

describe('stale answers', () => {
  it('leaves a row that already shows a later registry version than the edit answered', async () => {
    const device = await pick(integrations.registry, 2);
    const shown = Number(device.registry_version);
    const edit = { kind: 'replace', attributes: { ...device.attributes, room: 'old-answer' } } as const;
    const written = await asService((tx) => writeAttributeEdit(tx, { orgId: org.id, deviceIds: [device.id] }, edit, shown - 1));
    expect(written).toBe(0);
    expect(await pick(integrations.registry, 2)).toEqual(device);
    expect(await asService((tx) => writeAttributeEdit(tx, { orgId: org.id, deviceIds: [device.id] }, edit, shown))).toBe(1);
    expect((await pick(integrations.registry, 2)).attributes.room).toBe('old-answer');
  });

  it('an answer read before another writer wrote a newer shadow or registry version leaves that row alone', async () => {
    const target = { db: asService, orgId: org.id, integrationId: integrations.registry.id };
    const [row] = await adminSql()<{ id: string; thing_name: string; shadow: NonNullable<ObservedThing['shadow']>; shadow_version: string; registry_version: string; attributes: Record<string, string>; thing_type: string | null; groups: string[] }[]>`
      select id, thing_name, shadow, shadow_version, registry_version, attributes, thing_type, groups
      from public.devices where integration_id = ${target.integrationId} order by thing_name offset 3 limit 1`;
    const v = Number(row!.shadow_version);
    const r = Number(row!.registry_version);
    const answer = (shadowVersion: number, registryVersion: number, battery: number): ObservedThing => ({
      thingName: row!.thing_name,
      thingType: row!.thing_type,
      attributes: row!.attributes,
      groups: row!.groups,
      registryVersion,
      shadow: { ...row!.shadow, reported: { ...(row!.shadow.reported ?? {}), battery }, version: shadowVersion },
      namedShadows: null,
      connectivity: null,
    });
    const writer = async (since: Date) => new DeviceWriter(target, await loadDeviceCache(target), new CommandTracker([]), since);
    const current = async () =>
      (await adminSql()<{ shadow_version: string; registry_version: string; battery: number; room: string | null }[]>`
        select shadow_version, registry_version, battery, attributes->>'room' as room from public.devices where id = ${row!.id}`)[0]!;

    // A sync reads this device's shadow (version v + 1); a refresh reads and writes version v + 2 first.
    const sync = await writer(new Date());
    await (await writer(new Date())).writePage([answer(v + 2, r, 22)], sim.control.now(), async () => {});
    await sync.writePage([answer(v + 1, r, 11)], sim.control.now(), async () => {});
    expect(await current()).toMatchObject({ shadow_version: String(v + 2), battery: 22 });

    // An edit answered registry version r + 1 while a sync held an answer of version r.
    const sync2 = await writer(new Date());
    await asService((tx) => writeAttributeEdit(tx, { orgId: org.id, deviceIds: [row!.id] }, { kind: 'merge', key: 'room', value: 'edited' }, r + 1));
    await sync2.writePage([answer(v + 3, r, 33)], sim.control.now(), async () => {});
    expect(await current()).toMatchObject({ shadow_version: String(v + 2), registry_version: String(r + 1), room: 'edited' });

    // An answer read after those writes wins even with lower versions (a shadow deleted and recreated restarts at 0).
    await (await writer(new Date())).writePage([answer(1, 1, 44)], sim.control.now(), async () => {});
    expect(await current()).toMatchObject({ shadow_version: '1', registry_version: '1', battery: 44, room: row!.attributes.room ?? null });
  });
});
