import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { asService, asUser, closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { runSync } from '@/features/sync/engine';
import type { DeviceFilter } from '@/features/devices/filters';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, LIMITED_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, createTestUser, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { expectedSeries, expectSamePoints, scannedPoints, SIM_BYTES_PER_POINT } from '../../../scripts/test/telemetry-fixtures';
import { digestNames, TelemetryCache } from './cache';
import { listFleetSelections } from './queries';
import { BIN_MS, resolveRange } from './range';
import type { TelemetryPoint, TelemetryRequest } from './schemas';
import { loadTelemetry, TelemetryUpstreamError, type TelemetryDeps } from './service';

/**
 * The route's server function against Postgres and the simulator: who may see which chart, which
 * source answers, that answers equal the simulator's telemetry function, and the cache.
 */
const MIN = 60_000;
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let stranger: SessionUser;
let timestreamIntegration: SimIntegration;
let historyIntegration: SimIntegration;
let cache: TelemetryCache;
let now: number;
let simNames: string[];

const capabilitiesOk = { checks: [{ id: 'timestreamQuery', status: 'ok' }], syncMode: 'fleet_index', indexing: null, testedAt: '2026-11-01T00:00:00Z' };

function deps(user: SessionUser, overrides: Partial<TelemetryDeps> = {}): TelemetryDeps {
  return { asUser: (fn) => asUser(user.claims, fn), asService, keyring: testKeyring(), platform: {}, cache, now: () => now, ...overrides };
}

const req = (r: Partial<TelemetryRequest> = {}): TelemetryRequest => ({ metric: 'temperature', range: '24h', ...r });

async function refusal(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

async function deviceId(integrationId: string, thingName: string): Promise<string> {
  const [row] = await adminSql()<{ id: string }[]>`select id from public.devices where integration_id = ${integrationId} and thing_name = ${thingName}`;
  return row!.id;
}

/** Shadow-history rows of the fallback integration: [thing, minutes before now, reported, reported_at known]. */
const HISTORY: [string, number, Record<string, unknown>, boolean][] = [
  ['hist-a', 125, { temperature: 20, battery: 90 }, true],
  ['hist-a', 122, { temperature: 22.5 }, true],
  ['hist-b', 124, { temperature: 31 }, false],
  ['hist-b', 61, { temperature: -4.25, rssi: -70 }, true],
  ['hist-a', 59, { temperature: 'hot' }, true],
  ['hist-a', 3, { temperature: 18 }, true],
  ['hist-b', 2 * 24 * 60, { temperature: 99 }, true],
];

/** What the history rows above must aggregate to, computed without SQL. */
function expectedHistory(metric: string, fromMs: number, toMs: number, binMs: number): TelemetryPoint[] {
  const bins = new Map<number, number[]>();
  for (const [, minutes, reported] of HISTORY) {
    const t = now - minutes * MIN;
    const v = reported[metric];
    if (typeof v !== 'number' || t < fromMs || t >= toMs) continue;
    const bin = Math.floor(t / binMs) * binMs;
    bins.set(bin, [...(bins.get(bin) ?? []), v]);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, vs]) => ({ t, avg: vs.reduce((a, b) => a + b, 0) / vs.length, min: Math.min(...vs), max: Math.max(...vs), count: vs.length }));
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 30, seed: 9 });
  now = sim.control.now();
  simNames = Array.from({ length: 30 }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`);
  [org, other, stranger] = await Promise.all([createTestOrg('telemetry'), createTestOrg('telemetry-other'), createTestUser('telemetry-stranger')]);
  timestreamIntegration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, name: 'Timestream account' });
  await adminSql()`
    update public.integrations set timestream_database = ${DEFAULT_TIMESTREAM_DATABASE}, timestream_table = ${DEFAULT_TIMESTREAM_TABLE},
      capabilities = ${adminSql().json(capabilitiesOk)} where id = ${timestreamIntegration.id}`;
  const outcome = await runSync(simSyncDeps(sim), { integrationId: timestreamIntegration.id, trigger: 'manual' });
  expect(outcome.outcome).toBe('ran');

  // Configured for Timestream, but the last preflight found no permission: charts use the shadow history.
  historyIntegration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, name: 'History account' });
  await adminSql()`
    update public.integrations set timestream_database = ${DEFAULT_TIMESTREAM_DATABASE}, timestream_table = ${DEFAULT_TIMESTREAM_TABLE},
      capabilities = ${adminSql().json({ ...capabilitiesOk, checks: [{ id: 'timestreamQuery', status: 'failed', error: 'AccessDeniedException' }] })}
    where id = ${historyIntegration.id}`;
  for (const name of ['hist-a', 'hist-b']) {
    await adminSql()`insert into public.devices (org_id, integration_id, thing_name, attributes, sync_hash)
      values (${org.id}, ${historyIntegration.id}, ${name}, '{"site": "lab"}', 'fixture')`;
  }
  let version = 0;
  for (const [thing, minutes, reported, timed] of HISTORY) {
    const at = new Date(now - minutes * MIN);
    await adminSql()`
      insert into public.device_shadow_history (org_id, device_id, shadow_version, reported, reported_at, observed_at)
      values (${org.id}, ${await deviceId(historyIntegration.id, thing)}, ${++version}, ${adminSql().json(reported as never)},
              ${timed ? at : null}, ${at})`;
  }
  cache = new TelemetryCache();
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('device charts', () => {
  it('answers a viewer with the simulator’s aggregates from Timestream, then from the cache', async () => {
    const id = await deviceId(timestreamIntegration.id, 'sensor-000004');
    const range = resolveRange({ range: '24h' }, now);
    const first = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ device: id }), filter: {} });
    expect(first).toMatchObject({ scope: 'device', bin: '5m', buckets: 288, devices: 1, cache: 'miss', from: new Date(range.fromMs).toISOString() });
    expect(first.sources).toEqual([
      expect.objectContaining({ integrationId: timestreamIntegration.id, source: 'timestream', selection: 'listed', cache: 'miss', queries: 1 }),
    ]);
    expectSamePoints(first.points, expectedSeries(['sensor-000004'], 'temperature', range.fromMs, range.toMs, BIN_MS['5m'], now));
    expect(first.points).toHaveLength(288);
    expect(first.bytesScanned).toBe(scannedPoints(1, range.fromMs, range.toMs, now) * SIM_BYTES_PER_POINT);

    const calls = sim.control.getCounters().calls['timestream:Query'] ?? 0;
    const repeat = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ device: id }), filter: {} });
    expect(repeat.cache).toBe('hit');
    expect(repeat.points).toEqual(first.points);
    expect(sim.control.getCounters().calls['timestream:Query'] ?? 0).toBe(calls);
  });

  it('uses the shadow history (with a note) when Timestream is not permitted', async () => {
    const id = await deviceId(historyIntegration.id, 'hist-a');
    const range = resolveRange({ range: '24h' }, now);
    const out = await loadTelemetry(deps(org.members.operator), { orgSlug: org.slug, request: req({ device: id }), filter: {} });
    expect(out.sources[0]).toMatchObject({ source: 'shadow_history', bytesScanned: null });
    expect(out.notes.join(' ')).toMatch(/shadow history/);
    const onlyA = HISTORY.filter(([thing]) => thing === 'hist-a');
    const inRange = onlyA.filter(([, m, r]) => typeof r.temperature === 'number' && now - m * MIN >= range.fromMs && now - m * MIN < range.toMs);
    expect(inRange).toHaveLength(3);
    expect(out.points.reduce((n, p) => n + p.count, 0)).toBe(inRange.length);
  });

  it('refuses devices and organizations the user cannot see, the same way as missing ones', async () => {
    const id = await deviceId(timestreamIntegration.id, 'sensor-000001');
    for (const [user, slug] of [
      [other.members.owner, org.slug],
      [stranger, org.slug],
      [other.members.owner, other.slug],
    ] as const) {
      const error = await refusal(loadTelemetry(deps(user), { orgSlug: slug, request: req({ device: id }), filter: {} }));
      expect(error.code).toBe('NOT_FOUND');
    }
  });

  it('reports Timestream refusals with the AWS error name', async () => {
    const limited = await createSimIntegration(org, sim, { credentials: LIMITED_CREDENTIALS, name: 'Limited account' });
    await adminSql()`
      update public.integrations set timestream_database = ${DEFAULT_TIMESTREAM_DATABASE}, timestream_table = ${DEFAULT_TIMESTREAM_TABLE},
        capabilities = ${adminSql().json(capabilitiesOk)} where id = ${limited.id}`;
    const [row] = await adminSql()<{ id: string }[]>`insert into public.devices (org_id, integration_id, thing_name, sync_hash)
      values (${org.id}, ${limited.id}, 'sensor-000001', 'fixture') returning id`;
    const error = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ device: row!.id }), filter: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelemetryUpstreamError);
    expect(error).toMatchObject({ awsError: 'AccessDeniedException', integrationName: 'Limited account' });
    await adminSql()`delete from public.integrations where id = ${limited.id}`;
  });
});

describe('fleet charts', () => {
  it('lists the filtered names and equals the aggregate over exactly those devices', async () => {
    const [site] = await adminSql()<{ site: string; names: string[] }[]>`
      select attributes ->> 'site' as site, array_agg(thing_name order by thing_name) as names
      from public.devices where integration_id = ${timestreamIntegration.id}
      group by 1 having count(*) between 2 and 20 order by count(*) desc limit 1`;
    const filter: DeviceFilter = { attr: [{ key: 'site', value: site!.site }], integration: timestreamIntegration.id };
    const range = resolveRange({ range: '7d' }, now);
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '7d', metric: 'battery' }), filter });
    expect(out.sources).toEqual([expect.objectContaining({ selection: 'listed', devices: site!.names.length, cache: 'miss' })]);
    expectSamePoints(out.points, expectedSeries(site!.names, 'battery', range.fromMs, range.toMs, BIN_MS['15m'], now));
  });

  it('queries the whole live fleet of an integration without a thing predicate', async () => {
    const range = resolveRange({ range: '24h' }, now);
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ metric: 'rssi' }), filter: { integration: timestreamIntegration.id } });
    expect(out.sources).toEqual([expect.objectContaining({ selection: 'all', devices: 30 })]);
    expectSamePoints(out.points, expectedSeries(simNames, 'rssi', range.fromMs, range.toMs, BIN_MS['5m'], now));
  });

  it('combines Timestream and shadow-history integrations bucket by bucket', async () => {
    const range = resolveRange({ range: '24h' }, now);
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req(), filter: {} });
    expect(out.sources.map((s) => s.source).sort()).toEqual(['shadow_history', 'timestream']);
    expect(out.devices).toBe(32);
    const fromSim = expectedSeries(simNames, 'temperature', range.fromMs, range.toMs, BIN_MS['5m'], now);
    const fromHistory = expectedHistory('temperature', range.fromMs, range.toMs, BIN_MS['5m']);
    expect(fromHistory.length).toBeGreaterThan(1);
    const merged = fromSim.map((p) => {
      const h = fromHistory.find((x) => x.t === p.t);
      if (!h) return p;
      const count = p.count + h.count;
      return { t: p.t, count, avg: (p.avg * p.count + h.avg * h.count) / count, min: Math.min(p.min, h.min), max: Math.max(p.max, h.max) };
    });
    expectSamePoints(out.points, merged);
  });

  it('answers the history integration alone from SQL exactly as computed by hand', async () => {
    const range = resolveRange({ range: '24h', bin: '1m' }, now);
    const out = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ bin: '1m' }), filter: { integration: historyIntegration.id } });
    expectSamePoints(out.points, expectedHistory('temperature', range.fromMs, range.toMs, BIN_MS['1m']));
  });

  it('misses the cache when the device set changes and hits it when it repeats', async () => {
    const sites = await adminSql()<{ site: string }[]>`
      select distinct attributes ->> 'site' as site from public.devices where integration_id = ${timestreamIntegration.id} order by 1 limit 2`;
    const run = (site: string) =>
      loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ range: '1h' }), filter: { attr: [{ key: 'site', value: site }] } });
    expect((await run(sites[0]!.site)).cache).toBe('miss');
    expect((await run(sites[1]!.site)).cache).toBe('miss');
    const again = await run(sites[0]!.site);
    expect(again.cache).toBe('hit');
    expect(again.sources[0]!.cache).toBe('hit');
  });

  it('digests the selected names in SQL exactly as the cache does', async () => {
    const selections = await asUser(org.members.viewer.claims, (db) => listFleetSelections(db, org.id, { integration: timestreamIntegration.id }));
    expect(selections).toEqual([{ integrationId: timestreamIntegration.id, selected: 30, live: 30, digest: digestNames(simNames) }]);
  });

  it('refuses injected metric names before any query and treats quotes in the filter as text', async () => {
    const before = sim.control.getCounters().calls['timestream:Query'] ?? 0;
    const error = await refusal(
      loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ metric: "temperature' OR '1'='1" }), filter: {} }),
    );
    expect(error.code).toBe('VALIDATION');
    const quoted = await loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req(), filter: { q: "x' OR '1'='1" } });
    expect(quoted).toMatchObject({ devices: 0, points: [], sources: [] });
    expect(sim.control.getCounters().calls['timestream:Query'] ?? 0).toBe(before);
  });

  it('refuses a member of another organization', async () => {
    expect((await refusal(loadTelemetry(deps(other.members.viewer), { orgSlug: org.slug, request: req(), filter: {} }))).code).toBe('NOT_FOUND');
    const own = await loadTelemetry(deps(other.members.viewer), { orgSlug: other.slug, request: req(), filter: {} });
    expect(own).toMatchObject({ devices: 0, points: [] });
  });
});

describe('remembered device selections', () => {
  it('reuses a filter’s selection for repeats and re-reads it whenever something must be computed', async () => {
    const filter: DeviceFilter = { integration: timestreamIntegration.id };
    const run = (range: TelemetryRequest['range']) =>
      loadTelemetry(deps(org.members.viewer), { orgSlug: org.slug, request: req({ metric: 'battery', range }), filter });
    expect((await run('1h')).devices).toBe(30);
    const [added] = await adminSql()<{ id: string }[]>`insert into public.devices (org_id, integration_id, thing_name, sync_hash)
      values (${org.id}, ${timestreamIntegration.id}, 'sensor-new-1', 'fixture') returning id`;
    try {
      // A repeat within the selection's short lifetime answers from both caches, as it was.
      expect(await run('1h')).toMatchObject({ cache: 'hit', devices: 30 });
      // A chart that must be computed reads the device set as it is now.
      expect(await run('30d')).toMatchObject({ cache: 'miss', devices: 31 });
    } finally {
      await adminSql()`delete from public.devices where id = ${added!.id}`;
    }
  });
});
