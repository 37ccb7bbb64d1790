import { describe, expect, it } from 'vitest';
import { parseQuery, tokenize } from './timestream-sql';

describe('Timestream SQL subset parser', () => {
  it('tokenizes identifiers, quoted names, escaped literals and durations', () => {
    const tokens = tokenize(`SELECT "a""b", 'it''s', 15m, 1.5 FROM x`);
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'SELECT'],
      ['qident', 'a"b'],
      ['punct', ','],
      ['string', "it's"],
      ['punct', ','],
      ['duration', '15m'],
      ['punct', ','],
      ['number', '1.5'],
      ['ident', 'FROM'],
      ['ident', 'x'],
      ['eof', ''],
    ]);
    expect(tokens[5]?.ms).toBe(900_000);
  });

  it('parses the query shape the app emits', () => {
    const q = parseQuery(
      `SELECT bin(time, 5m) AS t, avg(measure_value::double) AS avg_temp FROM "fleet"."telemetry" ` +
        `WHERE measure_name = 'temperature' AND thing_name IN ('a', 'b') AND time BETWEEN ago(1h) AND now() - 5m ` +
        `GROUP BY bin(time, 5m) ORDER BY t DESC LIMIT 10`,
    );
    expect(q.database).toBe('fleet');
    expect(q.table).toBe('telemetry');
    expect(q.select).toEqual([
      { expr: { kind: 'bin', ms: 300_000, text: '5m' }, alias: 't' },
      { expr: { kind: 'agg', fn: 'avg', star: false }, alias: 'avg_temp' },
    ]);
    expect(q.where).toEqual([
      { kind: 'in', column: 'measure_name', values: ['temperature'] },
      { kind: 'in', column: 'thing_name', values: ['a', 'b'] },
      { kind: 'time', op: '>=', value: { base: 'now', offsetMs: -3_600_000 } },
      { kind: 'time', op: '<=', value: { base: 'now', offsetMs: -300_000 } },
    ]);
    expect(q.groupBy).toEqual([{ kind: 'expr', expr: { kind: 'bin', ms: 300_000, text: '5m' } }]);
    expect(q.orderBy).toEqual([{ target: { kind: 'alias', name: 't' }, desc: true }]);
    expect(q.limit).toBe(10);
  });

  it('parses ISO timestamps with offsets and arithmetic', () => {
    const q = parseQuery(`SELECT count(*) FROM a.b WHERE time >= from_iso8601_timestamp('2026-01-01T02:00:00+02:00') + 1h`);
    expect(q.where).toEqual([{ kind: 'time', op: '>=', value: { base: 'absolute', ms: Date.UTC(2026, 0, 1, 1) } }]);
  });

  it('rejects anything outside the subset with a ValidationException', () => {
    for (const sql of [
      'SELECT',
      'SELECT count(*) FROM a',
      'SELECT count(*) FROM a.b WHERE x = 1',
      "SELECT count(*) FROM a.b WHERE measure_name = 'a' OR measure_name = 'b'",
      "SELECT count(*) FROM a.b WHERE NOT measure_name = 'a'",
      'SELECT count(*) FROM a.b WHERE time > 5',
      'SELECT count(*) FROM a.b HAVING count(*) > 1',
      'SELECT DISTINCT thing_name FROM a.b',
      'SELECT count(*) FROM a.b JOIN c.d',
      'SELECT upper(thing_name) FROM a.b',
      'SELECT count(*) FROM a.b; DROP TABLE x',
      'SELECT count(*) FROM a.b /* hi */',
      'SELECT bin(time, 5x) FROM a.b',
      'SELECT bin(measure_name, 5m) FROM a.b',
      "SELECT count(*) FROM a.b WHERE time > from_iso8601_timestamp('2026-02-30')",
      'SELECT count(*) FROM a.b LIMIT -1',
    ]) {
      expect(() => parseQuery(sql), sql).toThrow(expect.objectContaining({ code: 'ValidationException', status: 400 }));
    }
  });
});
