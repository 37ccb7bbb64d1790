import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg } from '../../../scripts/test/fixtures';
import { CommandTracker } from './commands';
import type { ObservedThing } from './model';
import { DeviceWriter, loadDeviceCache, writePresence, type WriterTarget } from './writer';

/**
 * The devices cache's rule for presence (live data) against sync answers: the newer connectivity
 * time wins, field by field of the connectivity group; staleness still comes from the sync.
 */
const T0 = Date.UTC(2026, 11, 8, 9, 0, 0);
let target: WriterTarget;

function answer(name: string, connectivity: { connected: boolean; timestampMs: number }, reportedAtMs: number): ObservedThing {
  return {
    thingName: name,
    thingType: null,
    attributes: {},
    groups: [],
    registryVersion: 1,
    shadow: { reported: { battery: 80, reportIntervalSec: 60 }, desired: null, delta: null, metadata: { reported: { battery: { timestamp: reportedAtMs / 1000 } } }, version: 1 },
    namedShadows: null,
    connectivity: { ...connectivity, disconnectReason: connectivity.connected ? null : 'CONNECTION_LOST' },
  };
}

async function syncPage(things: ObservedThing[], nowMs: number) {
  const writer = new DeviceWriter(target, await loadDeviceCache(target), new CommandTracker([]));
  await writer.writePage(things, nowMs, async () => {});
}

async function device(name: string) {
  const [row] = await adminSql()<{ connected: boolean; status: string; disconnect_reason: string | null; connectivity_changed_at: Date; presence_at: Date | null }[]>`
    select connected, status, disconnect_reason, connectivity_changed_at, presence_at from public.devices
    where integration_id = ${target.integrationId} and thing_name = ${name}`;
  return row!;
}

beforeAll(async () => {
  const org = await createTestOrg('writer-presence');
  const integration = await createTestIntegration(org);
  target = { db: asService, orgId: org.id, integrationId: integration.id };
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('presence against sync answers', () => {
  it('a newer disconnect survives a rewrite from an older index answer; a newer index answer wins', async () => {
    await syncPage([answer('p-1', { connected: true, timestampMs: T0 }, T0 + 30_000)], T0 + 40_000);
    expect(await device('p-1')).toMatchObject({ connected: true, status: 'online' });

    const changed = await asService((tx) => writePresence(tx, target, [
      { thingName: 'p-1', connected: true, at: new Date(T0 + 50_000), disconnectReason: null },
      { thingName: 'p-1', connected: false, at: new Date(T0 + 60_000), disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' },
    ]));
    expect(changed).toBe(1);
    expect(await device('p-1')).toMatchObject({ connected: false, status: 'offline', disconnect_reason: 'MQTT_KEEP_ALIVE_TIMEOUT', presence_at: new Date(T0 + 60_000) });

    // A new shadow report (fingerprint changes, the row is rewritten) with the index's older connectivity.
    await syncPage([answer('p-1', { connected: true, timestampMs: T0 }, T0 + 90_000)], T0 + 95_000);
    expect(await device('p-1')).toMatchObject({ connected: false, status: 'offline', disconnect_reason: 'MQTT_KEEP_ALIVE_TIMEOUT' });

    // An event older than the index's connectivity time is not applied.
    await syncPage([answer('p-1', { connected: true, timestampMs: T0 + 120_000 }, T0 + 120_000)], T0 + 125_000);
    expect(await device('p-1')).toMatchObject({ connected: true, status: 'online', disconnect_reason: null });
    expect(await asService((tx) => writePresence(tx, target, [{ thingName: 'p-1', connected: false, at: new Date(T0 + 100_000), disconnectReason: 'X' }]))).toBe(0);
  });

  it('a newer connect keeps the device connected, but a sync still marks it stale when it goes silent', async () => {
    await syncPage([answer('p-2', { connected: false, timestampMs: T0 }, T0)], T0 + 10_000);
    expect(await device('p-2')).toMatchObject({ connected: false, status: 'offline' });
    await asService((tx) => writePresence(tx, target, [{ thingName: 'p-2', connected: true, at: new Date(T0 + 20_000), disconnectReason: null }]));
    expect(await device('p-2')).toMatchObject({ connected: true, status: 'online', disconnect_reason: null });

    // The index still says disconnected (older): the connect stands.
    await syncPage([answer('p-2', { connected: false, timestampMs: T0 }, T0 + 25_000)], T0 + 30_000);
    expect(await device('p-2')).toMatchObject({ connected: true, status: 'online' });

    // The index catches up with the connect, then the device is silent for more than two intervals.
    await syncPage([answer('p-2', { connected: true, timestampMs: T0 + 15_000 }, T0 + 25_000)], T0 + 10 * 60_000);
    expect(await device('p-2')).toMatchObject({ connected: true, status: 'stale' });
  });
});
