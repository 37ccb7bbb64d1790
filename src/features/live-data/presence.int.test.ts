import { IoTClient, UpdateThingCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { runSync } from '@/features/sync/engine';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, devicesOf, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { ingestLimits } from './config';
import { ingest } from './ingest';
import { INGEST_SECRET_HEADER } from './secret';
import { enableLiveDataForTest } from './test-support';

/**
 * Presence events against the sync (fleet_index mode on the simulator): a disconnect flips the
 * device at once, and a sync that reads the index's older "connected" answer does not flip it back,
 * whether it skips the row (unchanged fingerprint) or rewrites it (another field changed).
 */
let sim: RunningSimulator;
let integration: SimIntegration;
let secret: string;
let iot: IoTClient;

const sync = async () => {
  const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
  expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded', mode: 'fleet_index' } });
};

function presence(event: { clientId: string; eventType: 'connected' | 'disconnected'; timestamp: number; disconnectReason?: string }) {
  const body = JSON.stringify({ ...event, sessionIdentifier: 'a4666d2a-7aea-4b2c-9a5c-1f7f0f0f0f0f', principalIdentifier: 'cert', versionNumber: 3 });
  return ingest(
    { db: asService, writePoints: async () => ({ written: 0 }), limits: ingestLimits({}), now: () => sim.control.now() },
    { integrationId: integration.id, headers: new Headers({ [INGEST_SECRET_HEADER]: secret }), readBody: async () => body },
  );
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 20, seed: 13, indexing: 'REGISTRY_AND_SHADOW' });
  const org = await createTestOrg('presence');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  secret = await enableLiveDataForTest(integration);
  iot = new IoTClient({ endpoint: sim.url, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });
  await sync();
});

afterAll(async () => {
  iot?.destroy();
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('presence', () => {
  it('a disconnect flips the device offline at once, and the next syncs with older index data keep it offline', async () => {
    const online = [...(await devicesOf(integration.id)).values()].find(
      (d) => d.connected === true && d.connectivity_changed_at !== null && d.connectivity_changed_at.getTime() < sim.control.now(),
    );
    expect(online, 'a device the index reports connected').toBeDefined();
    const name = online!.thing_name;
    const at = sim.control.now();

    const started = performance.now();
    const res = await presence({ clientId: name, eventType: 'disconnected', timestamp: at, disconnectReason: 'CONNECTION_LOST' });
    expect(res).toEqual({ status: 200, body: { accepted: 1, points: 0, presence: 1, rejected: {} } });
    expect(performance.now() - started).toBeLessThan(2000);
    const after = (await devicesOf(integration.id)).get(name)!;
    expect(after).toMatchObject({ connected: false, status: 'offline', disconnect_reason: 'CONNECTION_LOST' });
    expect(after.connectivity_changed_at!.getTime()).toBe(at);

    // Same index answer: the fingerprint matches and the row is not rewritten.
    await sync();
    expect((await devicesOf(integration.id)).get(name)).toMatchObject({ connected: false, status: 'offline' });

    // A changed registry field makes the sync rewrite the row; connectivity still stays with the newer event.
    await iot.send(new UpdateThingCommand({ thingName: name, attributePayload: { attributes: { room: 'presence-test' }, merge: true } }));
    await sync();
    const rewritten = (await devicesOf(integration.id)).get(name)!;
    expect(rewritten.attributes.room).toBe('presence-test');
    expect(rewritten).toMatchObject({ connected: false, status: 'offline', disconnect_reason: 'CONNECTION_LOST' });
  });

  it('ignores an event older than the one applied, and a newer index answer wins over an older event', async () => {
    const [device] = await adminSql()<{ thing_name: string; presence_at: Date }[]>`
      select thing_name, presence_at from public.devices where integration_id = ${integration.id} and presence_at is not null limit 1`;
    const name = device!.thing_name;
    const older = await presence({ clientId: name, eventType: 'connected', timestamp: device!.presence_at.getTime() - 1000 });
    expect(older.body).toMatchObject({ accepted: 1, presence: 0 });
    expect((await devicesOf(integration.id)).get(name)).toMatchObject({ connected: false, status: 'offline' });

    // The device drops and reconnects in AWS later on: the index's connectivity time is now the newer one.
    sim.control.advanceTime(60_000);
    sim.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { thingNames: [name] });
    sim.control.advanceTime(1_000);
    expect(sim.control.bringDevicesOnline(DEMO_ACCOUNT_ID, { thingNames: [name] }).thingNames).toEqual([name]);
    await sync();
    expect((await devicesOf(integration.id)).get(name)).toMatchObject({ connected: true, status: 'online', disconnect_reason: null });
  });

  it('counts an event for a thing the integration does not have, and changes no device', async () => {
    const res = await presence({ clientId: 'not-a-device', eventType: 'disconnected', timestamp: sim.control.now() });
    expect(res.body).toMatchObject({ accepted: 0, rejected: { unknown_device: 1 } });
  });
});
