import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { createWriteCombiner } from './combiner';
import { startRollupFolder } from './rollup-folder';
import { applyRetention, ensurePartitions, foldQueuedRollups, writeTelemetryGroups, writeTelemetryPoints, type TelemetryPoint } from './service';

/**
 * The store against real Postgres: device and fleet rollups equal aggregates computed in JS from the
 * raw points (random, out-of-order, late and retried batches, alone or combined by the write
 * combiner), retention drops whole partitions and keeps rollups, RLS per persona, and a throughput
 * measure printed (not asserted).
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let orgA: TestOrg;
let orgB: TestOrg;
let integrationA: string;
let integrationB: string;

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Agg {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Rollups computed without SQL: key `${device}|${metric}|${bucketMs}` (fleet: `${integration}|…`). */
function expectedRollups(points: readonly TelemetryPoint[], binMs: number, fleet = false): Map<string, Agg> {
  const unique = new Map<string, TelemetryPoint>();
  for (const p of points) {
    const key = `${p.deviceId}|${p.metric}|${p.ts.getTime()}`;
    if (!unique.has(key)) unique.set(key, p);
  }
  const out = new Map<string, Agg>();
  for (const p of unique.values()) {
    const key = `${fleet ? p.integrationId : p.deviceId}|${p.metric}|${Math.floor(p.ts.getTime() / binMs) * binMs}`;
    const a = out.get(key);
    if (!a) out.set(key, { min: p.value, max: p.value, sum: p.value, count: 1 });
    else {
      a.min = Math.min(a.min, p.value);
      a.max = Math.max(a.max, p.value);
      a.sum += p.value;
      a.count += 1;
    }
  }
  return out;
}

async function storedRollups(table: 'telemetry_rollups_5m' | 'telemetry_rollups_1h', deviceIds: string[]): Promise<Map<string, Agg>> {
  const rows = await adminSql()<{ device_id: string; metric: string; t: number; min: number; max: number; sum: number; count: number }[]>`
    select device_id, metric, (extract(epoch from bucket) * 1000)::float8 as t, min, max, sum, count::int as count
    from ${adminSql()('public.' + table)} where device_id = any(${deviceIds}::uuid[])`;
  return new Map(rows.map((r) => [`${r.device_id}|${r.metric}|${Number(r.t)}`, { min: r.min, max: r.max, sum: r.sum, count: r.count }]));
}

async function storedFleetRollups(table: 'telemetry_fleet_rollups_5m' | 'telemetry_fleet_rollups_1h', integrationIds: string[]): Promise<Map<string, Agg>> {
  const rows = await adminSql()<{ integration_id: string; metric: string; t: number; min: number; max: number; sum: number; count: number }[]>`
    select integration_id, metric, (extract(epoch from bucket) * 1000)::float8 as t, min, max, sum, count::int as count
    from ${adminSql()('public.' + table)} where integration_id = any(${integrationIds}::uuid[])`;
  return new Map(rows.map((r) => [`${r.integration_id}|${r.metric}|${Number(r.t)}`, { min: r.min, max: r.max, sum: r.sum, count: r.count }]));
}

/** Fleet rollups computed in SQL straight from the raw points (independently of the writer's CTEs). */
async function fleetRollupsFromRaw(binSeconds: number, integrationIds: string[]): Promise<Map<string, Agg>> {
  const rows = await adminSql()<{ integration_id: string; metric: string; t: number; min: number; max: number; sum: number; count: number }[]>`
    select integration_id, metric, (extract(epoch from date_bin(make_interval(secs => ${binSeconds}), ts, timestamptz 'epoch')) * 1000)::float8 as t,
           min(value) as min, max(value) as max, sum(value) as sum, count(*)::int as count
    from public.telemetry_points where integration_id = any(${integrationIds}::uuid[]) group by 1, 2, 3`;
  return new Map(rows.map((r) => [`${r.integration_id}|${r.metric}|${Number(r.t)}`, { min: r.min, max: r.max, sum: r.sum, count: r.count }]));
}

function expectSameRollups(actual: Map<string, Agg>, expected: Map<string, Agg>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, e] of expected) {
    const a = actual.get(key)!;
    expect({ key, min: a.min, max: a.max, count: a.count }).toEqual({ key, min: e.min, max: e.max, count: e.count });
    expect(a.sum).toBeCloseTo(e.sum, 6);
  }
}

function point(org: TestOrg, integrationId: string, deviceId: string, metric: string, tsMs: number, value: number): TelemetryPoint {
  return { orgId: org.id, integrationId, deviceId, metric, ts: new Date(tsMs), value };
}

beforeAll(async () => {
  orgA = await createTestOrg('store-a');
  orgB = await createTestOrg('store-b');
  integrationA = (await createTestIntegration(orgA)).id;
  integrationB = (await createTestIntegration(orgB)).id;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('writeTelemetryPoints', () => {
  it('keeps 5-minute and 1-hour rollups, per device and per fleet, equal to aggregates of the raw points, over random, out-of-order, late and retried batches', async () => {
    const random = rng(13);
    const devices: string[] = Array.from({ length: 6 }, () => randomUUID());
    // Two fleets of the same organization: devices 0–3 in one integration, 4–5 in another.
    const fleets = [(await createTestIntegration(orgA)).id, (await createTestIntegration(orgA)).id];
    const fleetOf = (device: string) => fleets[devices.indexOf(device) < 4 ? 0 : 1]!;
    const metrics = ['temperature', 'battery', 'rssi'];
    const base = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    const all: TelemetryPoint[] = [];
    let written = 0;
    for (let batch = 0; batch < 12; batch++) {
      const points: TelemetryPoint[] = [];
      for (let i = 0; i < 400; i++) {
        // Whole seconds over 3 h, so repeated (device, metric, ts) keys happen across and within batches.
        const ts = base + Math.floor(random() * 3 * 3600) * 1000;
        const device = devices[Math.floor(random() * devices.length)]!;
        points.push(point(orgA, fleetOf(device), device, metrics[Math.floor(random() * 3)]!, ts, Math.round((random() * 200 - 100) * 1000) / 1000));
      }
      // Late points: an hour already rolled up gets more data.
      if (batch > 6) points.push(point(orgA, fleets[0]!, devices[0]!, 'temperature', base + 17_123, 500 + batch));
      // The same key twice in one batch with another value: the first one wins.
      for (const p of points.slice(0, 20)) points.push({ ...p, value: p.value + 1000 });
      // A retry: the same points sent again (the previous batch replayed in part).
      if (batch % 4 === 3) points.push(...all.slice(-150));
      const result = await asService((db) => writeTelemetryPoints(db, points));
      written += result.written;
      all.push(...points);
    }
    const expected5 = expectedRollups(all, 5 * MIN);
    const expected1h = expectedRollups(all, HOUR);
    const uniquePoints = [...expected5.values()].reduce((n, a) => n + a.count, 0);
    expect(written).toBe(uniquePoints);
    expect(uniquePoints).toBeLessThan(all.length);
    const [raw] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.telemetry_points where device_id = any(${devices}::uuid[])`;
    expect(raw!.n).toBe(uniquePoints);
    expectSameRollups(await storedRollups('telemetry_rollups_5m', devices), expected5);
    expectSameRollups(await storedRollups('telemetry_rollups_1h', devices), expected1h);
    // Fleet rollups: equal to the JS aggregates and to SQL over the raw rows.
    const fleet5 = await storedFleetRollups('telemetry_fleet_rollups_5m', fleets);
    const fleet1h = await storedFleetRollups('telemetry_fleet_rollups_1h', fleets);
    expect(new Set([...fleet1h.keys()].map((k) => k.split('|')[0]))).toEqual(new Set(fleets));
    expectSameRollups(fleet5, expectedRollups(all, 5 * MIN, true));
    expectSameRollups(fleet1h, expectedRollups(all, HOUR, true));
    expectSameRollups(fleet5, await fleetRollupsFromRaw(300, fleets));
    expectSameRollups(fleet1h, await fleetRollupsFromRaw(3600, fleets));
  });

  it('through the write combiner: concurrent batches share flushes, each learns its own written count, and every rollup stays exact', async () => {
    const random = rng(29);
    const fleet = (await createTestIntegration(orgA)).id;
    const devices = Array.from({ length: 8 }, () => randomUUID());
    const base = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    const combiner = createWriteCombiner({ db: asService, maxWaitMs: 5, maxPoints: 700, maxInFlight: 2 });
    const batches: TelemetryPoint[][] = [];
    for (let b = 0; b < 40; b++) {
      const points: TelemetryPoint[] = [];
      for (let i = 0; i < 50; i++) {
        const ts = base + Math.floor(random() * 2 * 3600) * 1000;
        points.push(point(orgA, fleet, devices[Math.floor(random() * devices.length)]!, random() < 0.5 ? 'temperature' : 'rssi', ts, Math.round(random() * 10_000) / 100));
      }
      // Every fifth batch retries the one before it (its points are all stored already, or stored by the earlier caller).
      batches.push(b % 5 === 4 ? batches[b - 1]!.map((p) => ({ ...p, value: p.value + 1 })) : points);
    }
    const results = await Promise.all(batches.map((points) => combiner.write(points)));
    const stats = combiner.stats();
    expect(stats.batches).toBe(40);
    expect(stats.flushes).toBeLessThan(40); // batches were combined
    // Each key is counted once, by whichever caller's point went in (two flushes may overlap, so
    // not necessarily the earlier caller); a caller never counts more than its own distinct keys.
    const distinct = (points: readonly TelemetryPoint[]) => new Set(points.map((p) => `${p.deviceId}|${p.metric}|${p.ts.getTime()}`)).size;
    const total = distinct(batches.flat());
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(total);
    results.forEach((r, i) => expect(r.written).toBeLessThanOrEqual(distinct(batches[i]!)));
    expect(stats.points).toBe(total);
    // Which of two overlapping flushes' values won is up to them, so the expectation is computed in JS
    // from the raw rows stored (exactly one per key).
    const stored = (
      await adminSql()<{ device_id: string; metric: string; t: number; value: number }[]>`
        select device_id, metric, (extract(epoch from ts) * 1000)::float8 as t, value from public.telemetry_points where integration_id = ${fleet}`
    ).map((r) => point(orgA, fleet, r.device_id, r.metric, Number(r.t), r.value));
    expect(stored).toHaveLength(total);
    expectSameRollups(await storedRollups('telemetry_rollups_5m', devices), expectedRollups(stored, 5 * MIN));
    expectSameRollups(await storedFleetRollups('telemetry_fleet_rollups_5m', [fleet]), expectedRollups(stored, 5 * MIN, true));
    expectSameRollups(await storedFleetRollups('telemetry_fleet_rollups_1h', [fleet]), await fleetRollupsFromRaw(3600, [fleet]));
    // A malformed batch fails alone, before it joins a flush.
    await expect(combiner.write([point(orgA, fleet, devices[0]!, 'temperature', Date.now(), Number.NaN)])).rejects.toThrow(/finite/);
  });

  it('acknowledged after the raw write (queued rollups): nothing is rolled up until a fold; a folder started later (as after a crash) folds exactly what was committed, once', async () => {
    const random = rng(41);
    const fleet = (await createTestIntegration(orgA)).id;
    const devices = Array.from({ length: 5 }, () => randomUUID());
    const base = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    const combiner = createWriteCombiner({ db: asService, maxWaitMs: 5, maxPoints: 300, maxInFlight: 2, rollups: 'queued' });
    const batches: TelemetryPoint[][] = [];
    for (let b = 0; b < 20; b++) {
      const points: TelemetryPoint[] = [];
      for (let i = 0; i < 40; i++) {
        const ts = base + Math.floor(random() * 2 * 3600) * 1000;
        points.push(point(orgA, fleet, devices[Math.floor(random() * devices.length)]!, random() < 0.5 ? 'temperature' : 'battery', ts, Math.round(random() * 10_000) / 100));
      }
      // Retries resend stored points: they are neither stored nor queued twice.
      batches.push(b % 4 === 3 ? batches[b - 1]! : points);
    }
    const results = await Promise.all(batches.map((points) => combiner.write(points)));
    const distinct = new Set(batches.flat().map((p) => `${p.deviceId}|${p.metric}|${p.ts.getTime()}`)).size;
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(distinct);
    // Acknowledged: raw rows committed, rollups not yet there (the fold has not run: as after a crash).
    const [raw] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.telemetry_points where integration_id = ${fleet}`;
    expect(raw!.n).toBe(distinct);
    expect((await storedRollups('telemetry_rollups_5m', devices)).size).toBe(0);
    expect((await storedFleetRollups('telemetry_fleet_rollups_1h', [fleet])).size).toBe(0);
    // A process starting its rollup folder drains the queue at once.
    const folder = startRollupFolder({ db: asService, everyMs: 50, maxBatches: 3 });
    await folder.drain();
    await folder.stop();
    expect(folder.stats().points).toBeGreaterThanOrEqual(distinct);
    const [left] = await adminSql()<{ n: number }[]>`select count(*)::int as n from private.telemetry_rollup_queue`;
    expect(left!.n).toBe(0);
    const stored = (
      await adminSql()<{ device_id: string; metric: string; t: number; value: number }[]>`
        select device_id, metric, (extract(epoch from ts) * 1000)::float8 as t, value from public.telemetry_points where integration_id = ${fleet}`
    ).map((r) => point(orgA, fleet, r.device_id, r.metric, Number(r.t), r.value));
    expectSameRollups(await storedRollups('telemetry_rollups_5m', devices), expectedRollups(stored, 5 * MIN));
    expectSameRollups(await storedRollups('telemetry_rollups_1h', devices), expectedRollups(stored, HOUR));
    expectSameRollups(await storedFleetRollups('telemetry_fleet_rollups_5m', [fleet]), await fleetRollupsFromRaw(300, [fleet]));
    expectSameRollups(await storedFleetRollups('telemetry_fleet_rollups_1h', [fleet]), await fleetRollupsFromRaw(3600, [fleet]));
    // Folding again changes nothing (each batch was folded once).
    await asService((db) => foldQueuedRollups(db));
    expectSameRollups(await storedRollups('telemetry_rollups_5m', devices), expectedRollups(stored, 5 * MIN));
  });

  it('writes nothing for a batch that repeats stored points, and refuses values that are not finite numbers', async () => {
    const device = randomUUID();
    const points = [point(orgA, integrationA, device, 'battery', Date.now() - MIN, 80), point(orgA, integrationA, device, 'battery', Date.now() - 2 * MIN, 81)];
    expect(await asService((db) => writeTelemetryPoints(db, points))).toEqual({ written: 2 });
    expect(await asService((db) => writeTelemetryPoints(db, points))).toEqual({ written: 0 });
    const [row] = await adminSql()<{ count: number }[]>`select sum(count)::int as count from public.telemetry_rollups_1h where device_id = ${device}`;
    expect(row!.count).toBe(2);
    await expect(asService((db) => writeTelemetryPoints(db, [point(orgA, integrationA, device, 'battery', Date.now(), Number.NaN)]))).rejects.toThrow(/finite/);
    await expect(asService((db) => writeTelemetryPoints(db, [point(orgA, integrationA, device, '1bad', Date.now(), 1)]))).rejects.toThrow(/metric/);
    expect(await asService((db) => writeTelemetryPoints(db, []))).toEqual({ written: 0 });
  });

  it('creates the partition a point needs when maintenance has not (a day far ahead)', async () => {
    const ts = Date.UTC(2027, 5, 15, 12);
    await asService((db) => writeTelemetryPoints(db, [point(orgA, integrationA, randomUUID(), 'rssi', ts, -70)]));
    const [row] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'public.telemetry_points'::regclass and c.relname = 'points_20270615'`;
    expect(row!.n).toBe(1);
  });

  it('measures throughput (printed, not asserted)', async () => {
    const devices = Array.from({ length: 1000 }, () => randomUUID());
    const metrics = ['temperature', 'battery', 'rssi', 'humidity', 'voltage'];
    const measure = async (batchSize: number, batches: number) => {
      const start = Date.now() - 20 * MIN;
      let seq = 0;
      const make = () =>
        Array.from({ length: batchSize }, () => {
          const i = seq++;
          return point(orgA, integrationA, devices[i % devices.length]!, metrics[Math.floor(i / devices.length) % metrics.length]!, start + Math.floor(i / (devices.length * metrics.length)) * 1000, i % 97);
        });
      await asService((db) => writeTelemetryPoints(db, make())); // warm-up
      const t0 = performance.now();
      let n = 0;
      for (let b = 0; b < batches; b++) n += (await asService((db) => writeTelemetryPoints(db, make()))).written;
      const seconds = (performance.now() - t0) / 1000;
      return { batchSize, points: n, pointsPerSecond: Math.round(n / seconds) };
    };
    const results = [await measure(1000, 20), await measure(10_000, 4)];
    // Storage per raw point (heap + primary key), over every partition this database holds.
    const [size] = await adminSql()<{ bytes: number; rows: number }[]>`
      select (select sum(pg_total_relation_size(i.inhrelid))::float8 from pg_inherits i where i.inhparent = 'public.telemetry_points'::regclass) as bytes,
             (select count(*)::float8 from public.telemetry_points) as rows`;
    console.log(`writeTelemetryPoints throughput: ${JSON.stringify(results)}; ~${Math.round(size!.bytes / size!.rows)} bytes per raw point on disk`);
    expect(results.every((r) => r.points > 0)).toBe(true);
  });
});

describe('retention', () => {
  it('drops whole raw partitions past the longest retention, trims orgs that keep less, and ages rollups out by tier', async () => {
    const now = new Date();
    const day = (daysAgo: number) => Math.floor((now.getTime() - daysAgo * DAY) / DAY) * DAY + 12 * HOUR;
    const partitionOf = (ms: number) => `points_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
    // 95 days: past any retention an org may choose (at most 90) and the 5-minute rollups' 90 days;
    // 440 days: its whole month is past the hourly rollups' 400; 11 days: inside org A's 30, outside org B's 10.
    const [veryOld, old, recent] = [day(440), day(95), day(11)];
    const monthOf = (ms: number) => `rollups_1h_${new Date(ms).toISOString().slice(0, 7).replace('-', '')}`;
    await adminSql()`update public.organizations set telemetry_retention_days = 10 where id = ${orgB.id}`;
    const deviceA = randomUUID();
    const deviceB = randomUUID();
    await asService((db) =>
      writeTelemetryPoints(db, [
        point(orgA, integrationA, deviceA, 'temperature', veryOld, 1),
        point(orgA, integrationA, deviceA, 'temperature', old, 2),
        point(orgA, integrationA, deviceA, 'temperature', recent, 3),
        point(orgB, integrationB, deviceB, 'temperature', old, 4),
        point(orgB, integrationB, deviceB, 'temperature', recent, 5),
      ]),
    );
    const partitions = async (table = 'telemetry_points') =>
      (await adminSql()<{ name: string }[]>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = ${'public.' + table}::regclass order by 1`).map((r) => r.name);
    const rollup5 = (ms: number) => partitionOf(ms).replace('points_', 'rollups_5m_');
    expect(await partitions()).toEqual(expect.arrayContaining([partitionOf(veryOld), partitionOf(old), partitionOf(recent)]));
    expect(await partitions('telemetry_rollups_5m')).toEqual(expect.arrayContaining([rollup5(veryOld), rollup5(old), rollup5(recent)]));
    expect(await partitions('telemetry_rollups_1h')).toEqual(expect.arrayContaining([monthOf(veryOld), monthOf(old), monthOf(recent)]));
    const fleet5 = (ms: number) => rollup5(ms).replace('rollups_5m_', 'fleet_5m_');
    const fleetMonth = (ms: number) => monthOf(ms).replace('rollups_1h_', 'fleet_1h_');
    expect(await partitions('telemetry_fleet_rollups_5m')).toEqual(expect.arrayContaining([fleet5(veryOld), fleet5(old), fleet5(recent)]));
    expect(await partitions('telemetry_fleet_rollups_1h')).toEqual(expect.arrayContaining([fleetMonth(veryOld), fleetMonth(old), fleetMonth(recent)]));

    const result = await asService((db) => applyRetention(db, now));
    expect(result.droppedPartitions).toEqual(expect.arrayContaining([partitionOf(veryOld), partitionOf(old), rollup5(veryOld), rollup5(old), monthOf(veryOld)]));
    const after = await partitions();
    expect(after).not.toContain(partitionOf(veryOld));
    expect(after).not.toContain(partitionOf(old));
    expect(after).toContain(partitionOf(recent));
    expect(await partitions('telemetry_rollups_5m')).toContain(rollup5(recent));
    expect(await partitions('telemetry_rollups_1h')).toEqual(expect.arrayContaining([monthOf(old), monthOf(recent)]));
    // Fleet rollups age out on the device rollups' schedule.
    expect(result.droppedPartitions).toEqual(expect.arrayContaining([fleet5(veryOld), fleet5(old), fleetMonth(veryOld)]));
    expect(await partitions('telemetry_fleet_rollups_5m')).toContain(fleet5(recent));
    expect(await partitions('telemetry_fleet_rollups_1h')).toEqual(expect.arrayContaining([fleetMonth(old), fleetMonth(recent)]));
    // Whatever is left ends within the longest retention of any organization.
    const cutoffDay = Math.floor(now.getTime() / DAY) - result.longestRetentionDays;
    for (const name of after) {
      const start = Date.UTC(Number(name.slice(7, 11)), Number(name.slice(11, 13)) - 1, Number(name.slice(13, 15)));
      expect(start / DAY + 1, name).toBeGreaterThan(cutoffDay);
    }
    // Org B keeps 10 days: its 11-day-old point is deleted from the shared partition; org A's stays.
    const raw = await adminSql()<{ value: number }[]>`
      select value from public.telemetry_points where device_id = any(${[deviceA, deviceB]}::uuid[]) order by value`;
    expect(raw.map((r) => r.value)).toEqual([3]);
    // Rollups outlive raw points: 5 min for 90 days, 1 h for 400 days (whole months).
    const buckets = async (table: string) =>
      (await adminSql()<{ v: number }[]>`select min as v from ${adminSql()('public.' + table)} where device_id = any(${[deviceA, deviceB]}::uuid[]) order by 1`).map((r) => r.v);
    expect(await buckets('telemetry_rollups_5m')).toEqual([3, 5]);
    expect(await buckets('telemetry_rollups_1h')).toEqual([2, 3, 4, 5]);
    const fleetBuckets = async (table: string, integrationId: string) =>
      (await adminSql()<{ v: number }[]>`select min as v from ${adminSql()('public.' + table)} where integration_id = ${integrationId} order by 1`).map((r) => r.v);
    expect(await fleetBuckets('telemetry_fleet_rollups_1h', integrationB)).toEqual(expect.arrayContaining([4, 5]));
    expect(await fleetBuckets('telemetry_fleet_rollups_5m', integrationB)).not.toContain(4);
  });

  it('maintenance creates today’s and the coming days’ partitions', async () => {
    await asService((db) => ensurePartitions(db, 3));
    const names = (await adminSql()<{ name: string }[]>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'public.telemetry_points'::regclass`).map((r) => r.name);
    for (let d = -1; d <= 3; d++) {
      expect(names).toContain(`points_${new Date(Date.now() + d * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`);
    }
  });
});

describe('RLS and grants', () => {
  it('members read their own organization’s points and rollups only; anon reads nothing; nobody but the service writes', async () => {
    const deviceA = randomUUID();
    const deviceB = randomUUID();
    const ts = Date.now() - 5 * MIN;
    await asService((db) =>
      writeTelemetryPoints(db, [point(orgA, integrationA, deviceA, 'temperature', ts, 10), point(orgB, integrationB, deviceB, 'temperature', ts, 20)]),
    );
    const devices = [deviceA, deviceB];
    for (const table of ['telemetry_points', 'telemetry_rollups_5m', 'telemetry_rollups_1h']) {
      for (const role of ['owner', 'viewer'] as const) {
        const rows = await as(orgA.members[role], (db) => db<{ org_id: string }[]>`select org_id from ${db('public.' + table)} where device_id = any(${devices}::uuid[])`);
        expect(rows.map((r) => r.org_id), `${role} ${table}`).toEqual([orgA.id]);
      }
      const theirs = await as(orgB.members.viewer, (db) => db<{ org_id: string }[]>`select org_id from ${db('public.' + table)} where device_id = any(${devices}::uuid[])`);
      expect(theirs.map((r) => r.org_id)).toEqual([orgB.id]);
      await expect(asAnon((db) => db`select 1 from ${db('public.' + table)} limit 1`)).rejects.toMatchObject({ code: '42501' });
      await expect(
        as(orgA.members.owner, (db) => db`delete from ${db('public.' + table)} where device_id = ${deviceA}`),
        `owner delete ${table}`,
      ).rejects.toMatchObject({ code: '42501' });
      await expect(
        as(orgA.members.owner, (db) => db`insert into ${db('public.' + table)} (org_id, integration_id, device_id) values (${orgA.id}, ${integrationA}, ${deviceA})`),
        `owner insert ${table}`,
      ).rejects.toMatchObject({ code: '42501' });
    }
    // Fleet rollups: keyed by integration, same rules (asked for both organizations' integrations).
    const fleets = [integrationA, integrationB];
    for (const table of ['telemetry_fleet_rollups_5m', 'telemetry_fleet_rollups_1h']) {
      for (const role of ['owner', 'viewer'] as const) {
        const rows = await as(orgA.members[role], (db) => db<{ org_id: string }[]>`select distinct org_id from ${db('public.' + table)} where integration_id = any(${fleets}::uuid[])`);
        expect(rows.map((r) => r.org_id), `${role} ${table}`).toEqual([orgA.id]);
      }
      const theirs = await as(orgB.members.viewer, (db) => db<{ org_id: string }[]>`select distinct org_id from ${db('public.' + table)} where integration_id = any(${fleets}::uuid[])`);
      expect(theirs.map((r) => r.org_id)).toEqual([orgB.id]);
      await expect(asAnon((db) => db`select 1 from ${db('public.' + table)} limit 1`)).rejects.toMatchObject({ code: '42501' });
      await expect(as(orgA.members.owner, (db) => db`delete from ${db('public.' + table)} where integration_id = ${integrationA}`)).rejects.toMatchObject({ code: '42501' });
      await expect(
        as(orgA.members.owner, (db) => db`update ${db('public.' + table)} set count = 0 where integration_id = ${integrationA}`),
        `owner update ${table}`,
      ).rejects.toMatchObject({ code: '42501' });
      await expect(
        as(orgA.members.owner, (db) => db`insert into ${db('public.' + table)} (org_id, integration_id) values (${orgA.id}, ${integrationA})`),
        `owner insert ${table}`,
      ).rejects.toMatchObject({ code: '42501' });
    }
    await expect(
      as(orgA.members.owner, (db) => db`insert into public.telemetry_points (org_id, integration_id, device_id, ts, value, metric) values (${orgA.id}, ${integrationA}, ${deviceA}, now(), 1, 'x')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(orgA.members.owner, (db) => db`select private.ensure_telemetry_partitions(1)`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(orgA.members.owner, (db) => db`select private.apply_telemetry_retention(now())`)).rejects.toMatchObject({ code: '42501' });
    // Partitions cannot be addressed directly by any API role.
    const [partition] = await adminSql()<{ name: string }[]>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'public.telemetry_points'::regclass limit 1`;
    await expect(as(orgA.members.owner, (db) => db`select 1 from ${db('telemetry_partitions.' + partition!.name)} limit 1`)).rejects.toMatchObject({ code: '42501' });
    const [usage] = await adminSql()<{ anon: boolean; authenticated: boolean; service: boolean }[]>`
      select has_schema_privilege('anon', 'telemetry_partitions', 'USAGE') as anon, has_schema_privilege('authenticated', 'telemetry_partitions', 'USAGE') as authenticated,
             has_schema_privilege('service_role', 'telemetry_partitions', 'USAGE') as service`;
    expect(usage).toEqual({ anon: false, authenticated: false, service: false });
  });

  it('an organization’s telemetry goes when the organization is deleted', async () => {
    const doomed = await createTestOrg('store-doomed');
    const integration = (await createTestIntegration(doomed)).id;
    const device = randomUUID();
    await asService((db) => writeTelemetryPoints(db, [point(doomed, integration, device, 'battery', Date.now() - MIN, 50)]));
    // A batch acknowledged but not yet folded when the organization goes is not folded for it afterwards.
    await asService((db) => writeTelemetryGroups(db, [[point(doomed, integration, device, 'rssi', Date.now() - MIN, -70)]], { rollups: 'queued' }));
    await adminSql()`delete from public.organizations where id = ${doomed.id}`;
    await asService((db) => foldQueuedRollups(db, 10_000));
    const [row] = await adminSql()<{ n: number }[]>`
      select (select count(*) from public.telemetry_points where device_id = ${device}) + (select count(*) from public.telemetry_rollups_5m where device_id = ${device})
           + (select count(*) from public.telemetry_rollups_1h where device_id = ${device})
           + (select count(*) from public.telemetry_fleet_rollups_5m where integration_id = ${integration})
           + (select count(*) from public.telemetry_fleet_rollups_1h where integration_id = ${integration}) as n`;
    expect(Number(row!.n)).toBe(0);
  });
});
