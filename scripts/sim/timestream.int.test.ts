import {
  DescribeEndpointsCommand,
  QueryCommand,
  paginateQuery,
  type Row,
  type TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TELEMETRY_INTERVAL_MS, type TelemetryMeasure } from './config';
import type { RunningSimulator } from './server';
import { telemetryValue } from './telemetry';
import { clients, failure, startTestSimulator } from './test-support';

const TABLE = '"fleetline_demo"."telemetry"';
const HOUR = 3_600_000;
let sim: RunningSimulator;
let ts: TimestreamQueryClient;
let now: number;

const iso = (ms: number) => new Date(ms).toISOString();

async function allRows(QueryString: string, pageSize?: number): Promise<{ rows: Row[]; pages: number; empty: number }> {
  const rows: Row[] = [];
  let pages = 0;
  let empty = 0;
  for await (const page of paginateQuery({ client: ts, pageSize }, { QueryString })) {
    pages++;
    if ((page.Rows ?? []).length === 0) empty++;
    rows.push(...(page.Rows ?? []));
  }
  return { rows, pages, empty };
}

const cell = (row: Row, i: number) => row.Data?.[i]?.ScalarValue;

/** Aggregates the deterministic telemetry directly, the way the test expects Timestream to. */
function expected(things: string[], measure: TelemetryMeasure, from: number, to: number, binMs: number) {
  const bins = new Map<number, number[]>();
  for (const thing of things) {
    for (let t = Math.ceil(from / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS; t <= to; t += TELEMETRY_INTERVAL_MS) {
      const bin = Math.floor(t / binMs) * binMs;
      const list = bins.get(bin) ?? [];
      list.push(telemetryValue(thing, measure, t));
      bins.set(bin, list);
    }
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bin, values]) => ({
      bin,
      avg: values.reduce((a, b) => a + b, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      count: values.length,
    }));
}

function timestampText(ms: number): string {
  return iso(ms).replace('T', ' ').replace('Z', '000000');
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 30, seed: 2 });
  ts = clients(sim).timestream;
  now = sim.control.now();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setTimestreamSettings({ emptyFirstPage: 'never', maxPointsPerQuery: 5_000_000 });
});

describe('DescribeEndpoints', () => {
  it('returns this server as the cell endpoint', async () => {
    const res = await ts.send(new DescribeEndpointsCommand({}));
    expect(res.Endpoints).toEqual([{ Address: new URL(sim.url).host, CachePeriodInMinutes: 1440 }]);
  });
});

describe('Query', () => {
  it('returns binned aggregates equal to the ones computed from telemetryValue', async () => {
    const to = Math.floor(now / HOUR) * HOUR - HOUR;
    const from = to - 6 * HOUR;
    const sql =
      `SELECT bin(time, 15m) AS t, avg(measure_value::double) AS avg_temp, min(measure_value::double) AS lo, ` +
      `max(measure_value::double) AS hi, count(measure_value::double) AS n FROM ${TABLE} ` +
      `WHERE measure_name = 'temperature' AND thing_name = 'sensor-000003' ` +
      `AND time BETWEEN from_iso8601_timestamp('${iso(from)}') AND from_iso8601_timestamp('${iso(to)}') ` +
      `GROUP BY bin(time, 15m) ORDER BY t ASC`;
    const res = await ts.send(new QueryCommand({ QueryString: sql }));
    expect(res.ColumnInfo).toEqual([
      { Name: 't', Type: { ScalarType: 'TIMESTAMP' } },
      { Name: 'avg_temp', Type: { ScalarType: 'DOUBLE' } },
      { Name: 'lo', Type: { ScalarType: 'DOUBLE' } },
      { Name: 'hi', Type: { ScalarType: 'DOUBLE' } },
      { Name: 'n', Type: { ScalarType: 'BIGINT' } },
    ]);
    const want = expected(['sensor-000003'], 'temperature', from, to, 15 * 60_000);
    expect(res.Rows).toHaveLength(want.length);
    want.forEach((w, i) => {
      const row = res.Rows![i]!;
      expect(cell(row, 0)).toBe(timestampText(w.bin));
      expect(Number(cell(row, 1))).toBeCloseTo(w.avg, 9);
      expect(Number(cell(row, 2))).toBe(w.min);
      expect(Number(cell(row, 3))).toBe(w.max);
      expect(Number(cell(row, 4))).toBe(w.count);
    });
    // BETWEEN is inclusive: the last bin holds exactly the point at `to`.
    expect(Number(cell(res.Rows!.at(-1)!, 4))).toBe(1);
  });

  it('groups by dimension and measure with IN filters and relative time', async () => {
    const things = ['sensor-000001', 'sensor-000002', 'sensor-000004'];
    const sql =
      `SELECT thing_name, measure_name, avg(measure_value::double) AS v, count(*) AS n FROM ${TABLE} ` +
      `WHERE thing_name IN ('sensor-000001', 'sensor-000002', 'sensor-000004', 'no-such-thing') ` +
      `AND measure_name IN ('battery', 'rssi') AND time > ago(2h) AND time <= now() ` +
      `GROUP BY thing_name, measure_name ORDER BY thing_name DESC, measure_name`;
    const { rows } = await allRows(sql);
    const lastPoint = Math.floor(now / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS;
    const firstPoint = Math.floor((now - 2 * HOUR) / TELEMETRY_INTERVAL_MS + 1) * TELEMETRY_INTERVAL_MS;
    const wantRows = [...things].reverse().flatMap((thing) =>
      (['battery', 'rssi'] as const).map((measure) => {
        const [agg] = expected([thing], measure, firstPoint, lastPoint, 1e15);
        return [thing, measure, agg!.avg, agg!.count] as const;
      }),
    );
    expect(rows).toHaveLength(wantRows.length);
    rows.forEach((row, i) => {
      const [thing, measure, avg, count] = wantRows[i]!;
      expect(cell(row, 0)).toBe(thing);
      expect(cell(row, 1)).toBe(measure);
      expect(Number(cell(row, 2))).toBeCloseTo(avg, 9);
      expect(Number(cell(row, 3))).toBe(count);
    });
    expect(Number(cell(rows[0]!, 3))).toBe(120);
  });

  it('answers a fleet-wide aggregate without GROUP BY with exactly one row', async () => {
    const to = Math.floor(now / HOUR) * HOUR;
    const from = to - HOUR;
    const sql =
      `SELECT avg(measure_value::double), max(measure_value::double) FROM ${TABLE} WHERE measure_name = 'battery' ` +
      `AND time >= from_iso8601_timestamp('${iso(from)}') AND time < from_iso8601_timestamp('${iso(to)}')`;
    const res = await ts.send(new QueryCommand({ QueryString: sql }));
    const things = Array.from({ length: 30 }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`);
    const [want] = expected(things, 'battery', from, to - TELEMETRY_INTERVAL_MS, 1e15);
    expect(res.ColumnInfo?.map((c) => c.Name)).toEqual(['_col0', '_col1']);
    expect(res.Rows).toHaveLength(1);
    expect(Number(cell(res.Rows![0]!, 0))).toBeCloseTo(want!.avg, 9);
    expect(Number(cell(res.Rows![0]!, 1))).toBe(want!.max);

    const none = await ts.send(new QueryCommand({ QueryString: `SELECT avg(measure_value::double), count(*) FROM ${TABLE} WHERE thing_name = 'ghost'` }));
    expect(none.Rows).toEqual([{ Data: [{ NullValue: true }, { ScalarValue: '0' }] }]);
  });

  it('pages with MaxRows at several sizes to the same rows', async () => {
    const sql =
      `SELECT bin(time, 1h) AS t, avg(measure_value::double) AS v FROM ${TABLE} WHERE measure_name = 'rssi' ` +
      `AND thing_name = 'sensor-000007' AND time > ago(1d) GROUP BY bin(time, 1h) ORDER BY t DESC`;
    const reference = await allRows(sql);
    expect(reference.rows.length).toBe(25);
    for (const size of [1, 3, 7, 1000]) {
      const paged = await allRows(sql, size);
      expect(paged.rows).toEqual(reference.rows);
      expect(paged.pages).toBe(Math.ceil(25 / size));
    }
    const first = await ts.send(new QueryCommand({ QueryString: sql, MaxRows: 10 }));
    expect(first.Rows).toHaveLength(10);
    const reused = await ts.send(new QueryCommand({ QueryString: sql, NextToken: first.NextToken, MaxRows: 10 }));
    const again = await ts.send(new QueryCommand({ QueryString: sql, NextToken: first.NextToken, MaxRows: 10 }));
    expect(again.Rows).toEqual(reused.Rows);
    const wrongQuery = await failure(ts.send(new QueryCommand({ QueryString: sql.replace('DESC', 'ASC'), NextToken: first.NextToken })));
    expect(wrongQuery.name).toBe('ValidationException');
  });

  it('can answer with an empty first page that still carries a NextToken', async () => {
    sim.control.setTimestreamSettings({ emptyFirstPage: 'always' });
    const sql =
      `SELECT bin(time, 1h) AS t, max(measure_value::double) AS v FROM ${TABLE} WHERE measure_name = 'battery' ` +
      `AND thing_name = 'sensor-000008' AND time > ago(6h) GROUP BY bin(time, 1h) ORDER BY t`;
    const first = await ts.send(new QueryCommand({ QueryString: sql }));
    expect(first.Rows).toEqual([]);
    expect(first.NextToken).toBeTypeOf('string');
    const paged = await allRows(sql, 2);
    expect(paged.empty).toBe(1);
    expect(paged.rows.length).toBe(7);
  });

  it('refuses queries that would scan more than the configured number of points', async () => {
    sim.control.setTimestreamSettings({ maxPointsPerQuery: 1000 });
    const err = await failure(ts.send(new QueryCommand({ QueryString: `SELECT count(*) FROM ${TABLE} WHERE time > ago(1d)` })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/data points/);
  });

  it('rejects SQL outside the supported subset with ValidationException and a message', async () => {
    const cases: [string, RegExp][] = [
      [`SELECT avg(measure_value::double) ${TABLE}`, /FROM/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE thing = 'sensor-000001'`, /Column 'thing' does not exist/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE measure_name = 'a' OR measure_name = 'b'`, /OR is not supported/],
      [`SELECT time, measure_value::double FROM ${TABLE}`, /not supported/],
      [`SELECT * FROM ${TABLE}`, /SELECT \* is not supported/],
      [`SELECT bin(time, 7m) AS t, avg(measure_value::double) FROM ${TABLE} GROUP BY bin(time, 7m)`, /bin size 7m/],
      [`SELECT avg(measure_value::double) FROM "other"."table"`, /does not exist/],
      [`SELECT avg(measure_value::bigint) FROM ${TABLE}`, /DOUBLE/],
      [`SELECT avg(measure_value::double) FROM ${TABLE};`, /semicolon/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} -- comment`, /comments/],
      [`SELECT bin(time, 1h) AS t, avg(measure_value::double) FROM ${TABLE} GROUP BY t`, /cannot be resolved/],
      [`SELECT thing_name, avg(measure_value::double) FROM ${TABLE}`, /GROUP BY/],
      [`SELECT sum(measure_value::double) FROM ${TABLE}`, /sum\(\) is not supported/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE time > ago(1 h)`, /duration/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE time > from_iso8601_timestamp('yesterday')`, /ISO 8601/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE thing_name LIKE 'sensor%'`, /LIKE/],
      [`SELECT avg(measure_value::double) FROM ${TABLE} WHERE measure_name = 'it''s`, /unterminated/],
    ];
    for (const [QueryString, message] of cases) {
      const err = await failure(ts.send(new QueryCommand({ QueryString })));
      expect(err.name, QueryString).toBe('ValidationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message, QueryString).toMatch(message);
    }
    const badRows = await failure(ts.send(new QueryCommand({ QueryString: `SELECT count(*) FROM ${TABLE}`, MaxRows: 5000 })));
    expect(badRows.name).toBe('ValidationException');
  });

  it('accepts quoted literals with escaped quotes and returns no made-up rows for unknown values', async () => {
    const res = await ts.send(
      new QueryCommand({
        QueryString: `SELECT thing_name, count(*) FROM ${TABLE} WHERE thing_name = 'it''s' AND time > ago(1h) GROUP BY thing_name`,
      }),
    );
    expect(res.Rows).toEqual([]);
  });
});
