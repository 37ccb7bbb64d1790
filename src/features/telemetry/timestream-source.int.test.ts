import { QueryCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, DEMO_REGION, LIMITED_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { expectedSeries, expectSamePoints, scannedPoints, SIM_BYTES_PER_POINT } from '../../../scripts/test/telemetry-fixtures';
import { BIN_MS, PRESET_MS, RANGE_PRESETS, resolveRange, type BinSize } from './range';
import { toPoints, type SeriesRequest } from './source';
import { buildBinnedQuery } from './timestream-query';
import { DEFAULT_PLAN, planQueries, timestreamSource, type TimestreamSourceOptions } from './timestream-source';

/**
 * The Timestream source against the simulator: every query the builder emits is accepted, paged to
 * the end, and its aggregates equal the ones computed from the simulator's telemetry function.
 */
const THINGS = 30;
const names = Array.from({ length: THINGS }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`);
let sim: RunningSimulator;
let client: TimestreamQueryClient;
let now: number;

const selection = (list: string[], all = false) => ({ all, devices: list.map((thingName) => ({ id: thingName, thingName })) });
const source = (options: Partial<TimestreamSourceOptions> = {}) =>
  timestreamSource({ client, database: DEFAULT_TIMESTREAM_DATABASE, table: DEFAULT_TIMESTREAM_TABLE, ...options });

beforeAll(async () => {
  sim = await startTestSimulator({ things: THINGS, seed: 5 });
  client = new TimestreamQueryClient({ endpoint: sim.url, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });
  now = sim.control.now();
});

afterAll(async () => {
  client?.destroy();
  await sim?.close();
});

beforeEach(() => {
  sim.control.setTimestreamSettings({ emptyFirstPage: 'auto' });
  sim.control.resetCounters();
});

describe('timestream source', () => {
  it.each(RANGE_PRESETS)('answers a device chart over %s with the independently computed aggregates', async (preset) => {
    const range = resolveRange({ range: preset }, now);
    const request: SeriesRequest = { metric: 'temperature', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: selection(['sensor-000007']) };
    const result = await source().series(request);
    const expected = expectedSeries(['sensor-000007'], 'temperature', range.fromMs, range.toMs, BIN_MS[range.bin], now);
    expectSamePoints(toPoints(result.buckets), expected);
    // Every bucket of the range has data (the simulated table holds 30 days).
    expect(result.buckets).toHaveLength(range.buckets);
    expect(range.buckets).toBe(Math.round(PRESET_MS[preset] / BIN_MS[range.bin]));
    expect(result.bytesScanned).toBe(scannedPoints(1, range.fromMs, range.toMs, now) * SIM_BYTES_PER_POINT);
  });

  it('chunks names and cuts time when the budget demands it, and still combines the averages exactly', async () => {
    const range = resolveRange({ range: '24h' }, now);
    const chosen = names.filter((_, i) => i % 3 !== 0);
    const plan = { maxThingsPerQuery: 7, scanBudgetPoints: 2_000 };
    const request: SeriesRequest = { metric: 'battery', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: selection(chosen) };
    const planned = planQueries(request, { ...DEFAULT_PLAN, ...plan });
    expect(planned.length).toBeGreaterThan(6);
    expect(new Set(planned.map((q) => q.fromMs)).size).toBeGreaterThan(1);
    const result = await source(plan).series(request);
    expect(result.queries).toBe(planned.length);
    expect(sim.control.getCounters().calls['timestream:Query']).toBeGreaterThanOrEqual(planned.length);
    expectSamePoints(toPoints(result.buckets), expectedSeries(chosen, 'battery', range.fromMs, range.toMs, BIN_MS[range.bin], now));
    expect(result.bytesScanned).toBe(scannedPoints(chosen.length, range.fromMs, range.toMs, now) * SIM_BYTES_PER_POINT);
  });

  it('queries a whole fleet without a thing predicate and pages through empty first pages to the end', async () => {
    sim.control.setTimestreamSettings({ emptyFirstPage: 'always' });
    const range = resolveRange({ range: '7d' }, now);
    const request: SeriesRequest = { metric: 'rssi', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: selection(names, true) };
    const result = await source({ pageRows: 100 }).series(request);
    expectSamePoints(toPoints(result.buckets), expectedSeries(names, 'rssi', range.fromMs, range.toMs, BIN_MS[range.bin], now));
    expect(result.queries).toBe(1);
    // 672 bins in pages of 100 after an empty first page: 1 + 7 calls.
    expect(sim.control.getCounters().calls['timestream:Query']).toBe(8);
  });

  it('accepts every allowed bin and returns nothing for a measure the table does not have', async () => {
    for (const bin of Object.keys(BIN_MS) as BinSize[]) {
      const toMs = Math.floor(now / BIN_MS[bin]) * BIN_MS[bin];
      const fromMs = toMs - 3 * BIN_MS[bin];
      const sql = buildBinnedQuery({ database: DEFAULT_TIMESTREAM_DATABASE, table: DEFAULT_TIMESTREAM_TABLE, measure: 'temperature', things: names.slice(0, 2), fromMs, toMs, bin });
      const out = await client.send(new QueryCommand({ QueryString: sql }));
      expect(out.Rows?.length ?? 0).toBeGreaterThan(0);
    }
    const range = resolveRange({ range: '1h' }, now);
    const empty = await source().series({ metric: 'humidity', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: selection(names.slice(0, 3)) });
    expect(empty.buckets).toEqual([]);
  });

  it('surfaces Timestream refusals as AWS errors', async () => {
    const limited = new TimestreamQueryClient({
      endpoint: sim.url,
      region: DEMO_REGION,
      credentials: { ...LIMITED_CREDENTIALS },
    });
    const range = resolveRange({ range: '1h' }, now);
    await expect(
      timestreamSource({ client: limited, database: DEFAULT_TIMESTREAM_DATABASE, table: DEFAULT_TIMESTREAM_TABLE }).series({
        metric: 'temperature', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: selection(['sensor-000001']),
      }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    limited.destroy();
  });
});
