import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { asService, asUser, closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import type { DeviceFilter } from '@/features/devices/filters';
import { TelemetryCache } from '@/features/telemetry/cache';
import { BIN_MS, resolveRange, type RangePreset } from '@/features/telemetry/range';
import type { TelemetryPoint as ChartPoint, TelemetryRequest } from '@/features/telemetry/schemas';
import { loadTelemetry, type TelemetryDeps } from '@/features/telemetry/service';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { expectSamePoints } from '../../../scripts/test/telemetry-fixtures';
import { writeTelemetryPoints, type TelemetryPoint } from './service';
import { enableLiveDataForTest } from '@/features/live-data/test-support';
import { fleetlineStoreSource, storeResolution } from './store-source';

/**
 * The Fleetline store as a chart source, through the route's server function: it is chosen for an
 * integration whose live-data switch is on, reads raw points / 5-minute / hourly rollups by range,
 * and its device and fleet series equal aggregates computed in JS from the points written.
 */
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const STEP = 97_000; // an odd step, so points fall at every offset within buckets

let org: TestOrg;
let other: TestOrg;
let storeIntegration: string;
let historyIntegration: string;
let now: number;
const devices: { id: string; thingName: string; group: string }[] = [];
const written: TelemetryPoint[] = [];

function deps(user: SessionUser): TelemetryDeps {
  return { asUser: (fn) => asUser(user.claims, fn), asService, keyring: testKeyring(), platform: {}, cache: new TelemetryCache(), now: () => now };
}

/** What a chart must show, from the written points (no SQL). */
function expected(deviceIds: readonly string[], metric: string, fromMs: number, toMs: number, binMs: number): ChartPoint[] {
  const bins = new Map<number, { sum: number; count: number; min: number; max: number }>();
  for (const p of written) {
    const t = p.ts.getTime();
    if (!deviceIds.includes(p.deviceId) || p.metric !== metric || t < fromMs || t >= toMs) continue;
    const bin = Math.floor(t / binMs) * binMs;
    const a = bins.get(bin) ?? { sum: 0, count: 0, min: Infinity, max: -Infinity };
    a.sum += p.value;
    a.count += 1;
    a.min = Math.min(a.min, p.value);
    a.max = Math.max(a.max, p.value);
    bins.set(bin, a);
  }
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([t, a]) => ({ t, avg: a.sum / a.count, min: a.min, max: a.max, count: a.count }));
}

beforeAll(async () => {
  now = Date.now();
  org = await createTestOrg('store-src');
  other = await createTestOrg('store-src-other');
  storeIntegration = (await createTestIntegration(org, { name: 'Live fleet' })).id;
  historyIntegration = (await createTestIntegration(org, { name: 'Synced only' })).id;
  await enableLiveDataForTest({ id: storeIntegration, orgId: org.id });
  for (const [i, group] of ['east', 'east', 'west'].entries()) {
    const [row] = await adminSql()<{ id: string }[]>`
      insert into public.devices (org_id, integration_id, thing_name, groups, sync_hash)
      values (${org.id}, ${storeIntegration}, ${`live-${i}`}, ${[group]}, 'x') returning id`;
    devices.push({ id: row!.id, thingName: `live-${i}`, group });
  }
  await adminSql()`insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${historyIntegration}, 'synced-0', 'x')`;
  // 31 days of temperature per device, written in batches as the ingest would.
  const start = now - 31 * DAY;
  for (const [d, device] of devices.entries()) {
    const points: TelemetryPoint[] = [];
    for (let t = start + d * 13_000; t < now; t += STEP) {
      const value = Math.round((20 + 8 * Math.sin(t / 3_600_000 + d) + d) * 1000) / 1000;
      points.push({ orgId: org.id, integrationId: storeIntegration, deviceId: device.id, metric: 'temperature', ts: new Date(t), value });
    }
    for (let i = 0; i < points.length; i += 10_000) await asService((db) => writeTelemetryPoints(db, points.slice(i, i + 10_000)));
    written.push(...points);
  }
}, 120_000);

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const req = (r: Partial<TelemetryRequest>): TelemetryRequest => ({ metric: 'temperature', range: '24h', ...r });

describe('Fleetline store source', () => {
  it.each([
    ['1h', '1m', 'raw'],
    ['24h', '5m', '5m'],
    ['7d', '15m', '5m'],
    ['30d', '1h', '1h'],
  ] as const)('a device over %s: %s bins from %s, equal to the points written', async (range, bin, resolution) => {
    const device = devices[1]!;
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range, device: device.id }), filter: {} });
    const r = resolveRange({ range: range as RangePreset }, now);
    expect(out.bin).toBe(bin);
    expect(out.sources).toEqual([expect.objectContaining({ integrationId: storeIntegration, source: 'fleetline_store', resolution, bytesScanned: null })]);
    expect(out.points.length).toBeGreaterThan(10);
    expectSamePoints(out.points, expected([device.id], 'temperature', r.fromMs, r.toMs, BIN_MS[r.bin]));
  });

  it.each([
    ['7d', { integration: 'store' }, ['east', 'west']],
    ['30d', { group: 'east' }, ['east']],
    ['1h', { group: 'west' }, ['west']],
  ] as const)('a fleet over %s (filter %o): avg = Σsum / Σcount across devices, min/max band', async (range, rawFilter, groups) => {
    const filter: DeviceFilter = 'integration' in rawFilter ? { integration: storeIntegration } : rawFilter;
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range }), filter });
    const selected = devices.filter((d) => (groups as readonly string[]).includes(d.group)).map((d) => d.id);
    const r = resolveRange({ range }, now);
    expect(out.devices).toBe(selected.length);
    expect(out.sources.map((s) => s.source)).toEqual(['fleetline_store']);
    // The whole integration reads its fleet rollups; a filtered fleet, the devices' rollups.
    expect(out.sources[0]!.resolution).toBe(storeResolution(r.bin, groups.length === 2));
    expectSamePoints(out.points, expected(selected, 'temperature', r.fromMs, r.toMs, BIN_MS[r.bin]));
  });

  it('follows the live-data switch: off, the integration charts from its own source again though the store holds its data', async () => {
    const device = devices[0]!;
    const read = () => loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '1h', device: device.id }), filter: {} });
    await enableLiveDataForTest({ id: storeIntegration, orgId: org.id }, { enabled: false });
    try {
      expect((await read()).sources).toEqual([expect.objectContaining({ source: 'shadow_history' })]);
      expect((await read()).sources[0]!.resolution).toBeUndefined();
    } finally {
      await enableLiveDataForTest({ id: storeIntegration, orgId: org.id });
    }
    expect((await read()).sources).toEqual([expect.objectContaining({ source: 'fleetline_store', resolution: 'raw' })]);
    // On with nothing stored yet: still the store (an empty chart that fills as points arrive).
    await enableLiveDataForTest({ id: historyIntegration, orgId: org.id });
    try {
      const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '1h' }), filter: { integration: historyIntegration } });
      expect(out.sources).toEqual([expect.objectContaining({ integrationId: historyIntegration, source: 'fleetline_store', resolution: 'raw' })]);
      expect(out.points).toEqual([]);
    } finally {
      await enableLiveDataForTest({ id: historyIntegration, orgId: org.id }, { enabled: false });
    }
  });

  it('leaves integrations without live data on their own source, and an explicit 1 h bin over 24 h uses hourly rollups', async () => {
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '24h' }), filter: {} });
    expect(out.sources.map((s) => [s.integrationName, s.source, s.resolution ?? null]).sort()).toEqual([
      ['Live fleet', 'fleetline_store', 'fleet_5m'],
      ['Synced only', 'shadow_history', null],
    ]);
    const hourly = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '24h', bin: '1h', device: devices[0]!.id }), filter: {} });
    const r = resolveRange({ range: '24h', bin: '1h' }, now);
    expect(hourly.sources[0]!.resolution).toBe('1h');
    expectSamePoints(hourly.points, expected([devices[0]!.id], 'temperature', r.fromMs, r.toMs, BIN_MS['1h']));
  });

  it('shows another organization’s members nothing, even asked directly with this organization’s ids', async () => {
    const refused = await loadTelemetry(deps(other.members.owner), { orgSlug: org.slug, request: req({ device: devices[0]!.id }), filter: {} }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('NOT_FOUND');
    const source = fleetlineStoreSource({ db: (fn) => asUser(other.members.owner.claims, fn), orgId: org.id });
    const r = resolveRange({ range: '24h' }, now);
    const request = { metric: 'temperature', fromMs: r.fromMs, toMs: r.toMs, bin: r.bin, selection: { all: false, devices } };
    expect((await source.series(request)).buckets).toEqual([]);
    const mine = fleetlineStoreSource({ db: (fn) => asUser(org.members.viewer.claims, fn), orgId: org.id });
    expect((await mine.series(request)).buckets.length).toBeGreaterThan(100);
    // The fleet rollups too: another organization's member reads nothing of them, even naming the integration.
    const wholeFleet = { ...request, selection: { all: true, devices } };
    const foreignFleet = fleetlineStoreSource({ db: (fn) => asUser(other.members.owner.claims, fn), orgId: org.id, integrationId: storeIntegration });
    const result = await foreignFleet.series(wholeFleet);
    expect(result.resolution).toBe('fleet_5m');
    expect(result.buckets).toEqual([]);
    const mineFleet = fleetlineStoreSource({ db: (fn) => asUser(org.members.viewer.claims, fn), orgId: org.id, integrationId: storeIntegration });
    expect((await mineFleet.series(wholeFleet)).buckets.length).toBeGreaterThan(100);
  });
});
