import { QueryCommand, TimestreamQueryClient, type Datum } from '@aws-sdk/client-timestream-query';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { BIN_MS } from './range';
import { mergeBuckets, toPoints, type SeriesRequest } from './source';
import { DEFAULT_PLAN, planQueries, runQuery, timestreamSource } from './timestream-source';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const TO = Date.UTC(2026, 10, 22, 0, 0, 0);

function request(count: number, all: boolean, days = 7, bin: SeriesRequest['bin'] = '15m'): SeriesRequest {
  return {
    metric: 'temperature',
    fromMs: TO - days * DAY,
    toMs: TO,
    bin,
    selection: { all, devices: Array.from({ length: count }, (_, i) => ({ id: `id-${i}`, thingName: `sensor-${String(i + 1).padStart(6, '0')}` })) },
  };
}

describe('planQueries', () => {
  it('queries a whole live fleet without a thing predicate, cut in time to stay within the scan budget', () => {
    const plan = planQueries(request(10_000, true));
    expect(plan.every((q) => q.things === null)).toBe(true);
    // 4M points / 10,000 things / 15 samples per bin = 26 bins per query.
    expect(plan[0]!.toMs - plan[0]!.fromMs).toBe(26 * BIN_MS['15m']);
    expect(plan).toHaveLength(Math.ceil(672 / 26));
    expect(plan[0]!.fromMs).toBe(TO - 7 * DAY);
    expect(plan.at(-1)!.toMs).toBe(TO);
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.fromMs).toBe(plan[i - 1]!.toMs);
    for (const q of plan) expect(10_000 * ((q.toMs - q.fromMs) / MIN)).toBeLessThanOrEqual(DEFAULT_PLAN.scanBudgetPoints);
  });

  it('chunks a partial selection into IN lists of at most 500 names covering every device once', () => {
    const req = request(1_234, false, 1, '5m');
    const plan = planQueries(req);
    const names = plan.flatMap((q) => q.things ?? []);
    expect(plan.every((q) => q.things !== null && q.things.length <= 500)).toBe(true);
    expect(new Set(names).size).toBe(1_234);
    expect(names).toHaveLength(1_234);
    expect(plan).toHaveLength(3);
  });

  it('falls back to named chunks when even one bin of the whole fleet exceeds the budget', () => {
    const plan = planQueries(request(2_000, true, 30, '1d'), { ...DEFAULT_PLAN, scanBudgetPoints: 1_000_000 });
    // 1,440 samples per thing and bin → at most 694 things per query, so 500-name chunks, one bin each.
    expect(plan.every((q) => q.things !== null && q.things.length <= 500)).toBe(true);
    expect(plan.every((q) => q.toMs - q.fromMs === DAY)).toBe(true);
    expect(plan).toHaveLength(4 * 30);
  });

  it('refuses charts that would need more queries than allowed', () => {
    expect(() => planQueries(request(120_000, false), DEFAULT_PLAN)).toThrow(AppError);
  });

  it('plans nothing for an empty selection', () => {
    expect(planQueries(request(0, false))).toEqual([]);
  });
});

describe('mergeBuckets', () => {
  it('combines partial aggregates: weighted average, min of mins, max of maxes', () => {
    const merged = mergeBuckets([
      [{ t: 0, sum: 10, count: 2, min: 4, max: 6 }, { t: 60_000, sum: 3, count: 1, min: 3, max: 3 }],
      [{ t: 0, sum: 30, count: 3, min: 9, max: 11 }],
      [{ t: 60_000, sum: 0, count: 0, min: Infinity, max: -Infinity }],
    ]);
    expect(toPoints(merged)).toEqual([
      { t: 0, avg: 8, min: 4, max: 11, count: 5 },
      { t: 60_000, avg: 3, min: 3, max: 3, count: 1 },
    ]);
  });
});

const tsMock = mockClient(TimestreamQueryClient);
afterEach(() => tsMock.reset());

const columns = [
  { Name: 'bucket', Type: { ScalarType: 'TIMESTAMP' as const } },
  { Name: 'avg_value', Type: { ScalarType: 'DOUBLE' as const } },
  { Name: 'min_value', Type: { ScalarType: 'DOUBLE' as const } },
  { Name: 'max_value', Type: { ScalarType: 'DOUBLE' as const } },
  { Name: 'samples', Type: { ScalarType: 'BIGINT' as const } },
];
const row = (ts: string, avg: number, min: number, max: number, n: number) => ({
  Data: [ts, avg, min, max, n].map((v): Datum => ({ ScalarValue: String(v) })),
});

describe('runQuery', () => {
  it('follows NextToken through an empty first page to the end and keeps the cumulative bytes scanned', async () => {
    tsMock
      .on(QueryCommand)
      .resolvesOnce({ Rows: [], ColumnInfo: columns, NextToken: 't1', QueryStatus: { CumulativeBytesScanned: 480 } })
      .resolvesOnce({ Rows: [row('2026-11-22 00:00:00.000000000', 2, 1, 3, 4)], ColumnInfo: columns, NextToken: 't2', QueryStatus: { CumulativeBytesScanned: 960 } })
      .resolvesOnce({
        Rows: [row('2026-11-22 00:01:00.000000000', 5, 5, 5, 1), { Data: [{ ScalarValue: '2026-11-22 00:02:00.000000000' }, { NullValue: true }, { NullValue: true }, { NullValue: true }, { ScalarValue: '0' }] }],
        ColumnInfo: columns,
        QueryStatus: { CumulativeBytesScanned: 960 },
      });
    const run = await runQuery(new TimestreamQueryClient({ region: 'us-east-1' }), 'SELECT 1', 1000);
    expect(run.pages).toBe(3);
    expect(run.bytesScanned).toBe(960);
    expect(run.buckets).toEqual([
      { t: Date.UTC(2026, 10, 22, 0, 0), sum: 8, count: 4, min: 1, max: 3 },
      { t: Date.UTC(2026, 10, 22, 0, 1), sum: 5, count: 1, min: 5, max: 5 },
    ]);
    const calls = tsMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 't1', 't2']);
    expect(calls.every((c) => c.QueryString === 'SELECT 1' && c.MaxRows === 1000)).toBe(true);
  });

  it('validates every query of a chart before sending any', async () => {
    tsMock.on(QueryCommand).resolves({ Rows: [], ColumnInfo: columns });
    const source = timestreamSource({ client: new TimestreamQueryClient({ region: 'us-east-1' }), database: 'db1', table: 'tbl' });
    const req = request(3, false, 1, '5m');
    const bad = { ...req, selection: { all: false, devices: [...req.selection.devices, { id: 'x', thingName: "x' OR '1'='1" }] } };
    await expect(source.series(bad)).rejects.toBeInstanceOf(AppError);
    expect(tsMock.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
