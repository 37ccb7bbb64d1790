import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../scripts/sim/timestream-sql';
import { AppError } from '@/lib/errors';
import { BIN_MS, BIN_SIZES, type BinSize } from './range';
import {
  buildBinnedQuery,
  MAX_THINGS_PER_QUERY,
  parseTimestreamTimestamp,
  quoteIdentifier,
  quoteLiteral,
  type BinnedQuerySpec,
} from './timestream-query';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const HOUR = 3_600_000;
const base: BinnedQuerySpec = {
  database: 'fleetline_demo',
  table: 'telemetry',
  measure: 'temperature',
  things: ['sensor-000001'],
  fromMs: T0 - HOUR,
  toMs: T0,
  bin: '1m',
};

/** The AppError a call throws (fails the test when it does not throw one). */
function refusal(call: () => unknown): AppError {
  try {
    call();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the builder to refuse the input');
}

describe('buildBinnedQuery', () => {
  it('emits quoted identifiers, escaped literals, an allow-listed bin and ISO bounds', () => {
    expect(buildBinnedQuery(base)).toBe(
      'SELECT bin(time, 1m) AS bucket, avg(measure_value::double) AS avg_value, min(measure_value::double) AS min_value, ' +
        'max(measure_value::double) AS max_value, count(measure_value::double) AS samples FROM "fleetline_demo"."telemetry" ' +
        "WHERE measure_name = 'temperature' AND thing_name = 'sensor-000001' " +
        "AND time >= from_iso8601_timestamp('2026-11-01T11:00:00.000Z') AND time < from_iso8601_timestamp('2026-11-01T12:00:00.000Z') " +
        'GROUP BY bin(time, 1m) ORDER BY bucket ASC',
    );
  });

  it('uses IN for several things and no thing predicate for the whole fleet', () => {
    expect(buildBinnedQuery({ ...base, things: ['a-1', 'b:2', 'c_3'] })).toContain("thing_name IN ('a-1', 'b:2', 'c_3')");
    const all = buildBinnedQuery({ ...base, things: null });
    expect(all).not.toContain('thing_name');
  });

  it('emits queries the simulator parses back to exactly the requested names, measure, bin and bounds', () => {
    const thingSets: (string[] | null)[] = [
      ['sensor-000001'],
      ['x', 'Thing:With:Colons', 'under_score', 'dash-dash', 'A'.repeat(128)],
      Array.from({ length: MAX_THINGS_PER_QUERY }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`),
      null,
    ];
    const measures = ['temperature', 'battery', 'rssi', 'custom.metric-1_x'];
    for (const bin of BIN_SIZES) {
      for (const things of thingSets) {
        for (const measure of measures) {
          const toMs = T0 - (T0 % BIN_MS[bin]);
          const fromMs = toMs - 10 * BIN_MS[bin];
          const parsed = parseQuery(buildBinnedQuery({ ...base, bin, things, measure, fromMs, toMs }));
          expect(parsed.database).toBe('fleetline_demo');
          expect(parsed.table).toBe('telemetry');
          expect(parsed.select[0]!.expr).toMatchObject({ kind: 'bin', ms: BIN_MS[bin] });
          const ins = parsed.where.filter((p) => p.kind === 'in');
          expect(ins.find((p) => p.column === 'measure_name')).toMatchObject({ values: [measure] });
          const thingPredicate = ins.find((p) => p.column === 'thing_name');
          if (things === null) expect(thingPredicate).toBeUndefined();
          else expect(thingPredicate).toMatchObject({ values: things });
          const times = parsed.where.filter((p) => p.kind === 'time');
          expect(times).toEqual([
            { kind: 'time', op: '>=', value: { base: 'absolute', ms: fromMs } },
            { kind: 'time', op: '<', value: { base: 'absolute', ms: toMs } },
          ]);
        }
      }
    }
  });

  const injectedThings = [
    "sensor-1' OR '1'='1",
    "x'); SELECT * FROM \"fleetline_demo\".\"telemetry\" --",
    "a' UNION SELECT 1",
    'a"b',
    'name with spaces',
    'semi;colon',
    'line\nbreak',
    'nul\u0000byte',
    'émoji-🙂',
    '',
    'A'.repeat(129),
    '*',
    "'",
    '\\',
  ];

  it.each(injectedThings)('refuses the thing name %j before building anything', (name) => {
    const error = refusal(() => buildBinnedQuery({ ...base, things: ['sensor-000001', name] }));
    expect(error.code).toBe('VALIDATION');
    expect(error.fieldErrors?.device).toBeDefined();
  });

  const injectedMeasures = ["temperature' OR '1'='1", 'temp"', 'a b', "x'", 'temp;', '', 'm'.repeat(65), 'ümlaut', 'a\tb', 'temp/*'];

  it.each(injectedMeasures)('refuses the measure name %j', (measure) => {
    const error = refusal(() => buildBinnedQuery({ ...base, measure }));
    expect(error.fieldErrors?.metric).toBeDefined();
  });

  it('keeps comment-like but valid names inside their literal', () => {
    const sql = buildBinnedQuery({ ...base, measure: 'temp--x', things: ['a--b'] });
    const ins = parseQuery(sql).where.filter((p) => p.kind === 'in');
    expect(ins.map((p) => p.values)).toEqual([['temp--x'], ['a--b']]);
  });

  it.each([
    ['database', 'fleetline"."other'],
    ['database', 'db; DROP'],
    ['database', 'ab'],
    ['table', 'telemetry" WHERE 1=1 --'],
    ['table', 'x'.repeat(257)],
    ['table', 'tab le'],
  ] as const)('refuses the %s name %j', (field, name) => {
    const error = refusal(() => buildBinnedQuery({ ...base, [field]: name }));
    expect(error.fieldErrors?.[field]).toBeDefined();
  });

  it.each(['2m', '1m) , now() --', '1 h', '', '90s'])('refuses the bin %j (allow-list only)', (bin) => {
    expect(refusal(() => buildBinnedQuery({ ...base, bin: bin as BinSize })).fieldErrors?.bin).toBeDefined();
  });

  it.each([
    ['an end before the start', { fromMs: T0, toMs: T0 - HOUR }],
    ['an empty range', { fromMs: T0, toMs: T0 }],
    ['a NaN bound', { fromMs: Number.NaN, toMs: T0 }],
    ['a fractional bound', { fromMs: T0 - HOUR + 0.5, toMs: T0 }],
    ['an infinite bound', { fromMs: T0 - HOUR, toMs: Number.POSITIVE_INFINITY }],
    ['more than 31 days', { fromMs: T0 - 40 * 24 * HOUR, toMs: T0, bin: '1d' as BinSize }],
    ['a start before 2000', { fromMs: Date.UTC(1999, 0, 1), toMs: Date.UTC(1999, 0, 2), bin: '1h' as BinSize }],
    ['more than 2,000 bins', { fromMs: T0 - 48 * HOUR, toMs: T0, bin: '1m' as BinSize }],
  ])('refuses %s', (_label, range) => {
    expect(refusal(() => buildBinnedQuery({ ...base, ...range })).code).toBe('VALIDATION');
  });

  it('refuses empty and oversized IN lists (callers chunk them)', () => {
    expect(refusal(() => buildBinnedQuery({ ...base, things: [] })).code).toBe('VALIDATION');
    const many = Array.from({ length: MAX_THINGS_PER_QUERY + 1 }, (_, i) => `t-${i}`);
    expect(refusal(() => buildBinnedQuery({ ...base, things: many })).code).toBe('VALIDATION');
  });
});

describe('quoting helpers', () => {
  it('doubles single quotes in literals and refuses control characters', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(parseQuery(`SELECT count(*) FROM "d"."t" WHERE thing_name = ${quoteLiteral("it's")}`).where[0]).toMatchObject({ values: ["it's"] });
    expect(() => quoteLiteral('a\u0007b')).toThrow(AppError);
  });

  it('quotes identifiers and refuses ones outside the Timestream name pattern', () => {
    expect(quoteIdentifier('my-db.v2')).toBe('"my-db.v2"');
    expect(() => quoteIdentifier('a"b')).toThrow(AppError);
  });

  it('parses Timestream timestamps as UTC', () => {
    expect(parseTimestreamTimestamp('2026-11-01 12:05:00.000000000')).toBe(Date.UTC(2026, 10, 1, 12, 5));
    expect(parseTimestreamTimestamp('2026-11-01 12:05:00')).toBe(Date.UTC(2026, 10, 1, 12, 5));
    expect(() => parseTimestreamTimestamp('yesterday')).toThrow();
  });
});
