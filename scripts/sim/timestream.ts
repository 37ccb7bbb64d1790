// Timestream for LiveAnalytics Query (AWS JSON 1.0). Answers the SQL subset of timestream-sql.ts over the
// fleet's deterministic telemetry (telemetry.ts), with MaxRows/NextToken paging.

import { randomUUID } from 'node:crypto';
import type { Account } from './account';
import {
  TELEMETRY_INTERVAL_MS,
  TELEMETRY_MEASURES,
  TELEMETRY_RETENTION_DAYS,
  TIMESTREAM_DIMENSION,
  type TelemetryMeasure,
} from './config';
import { controlledTelemetry } from './controls';
import { AwsError, validation } from './errors';
import type { Reply, RequestContext } from './http';
import { isObject } from './json';
import { sampleTelemetry, telemetryProfile } from './telemetry';
import { parseQuery, type Aggregate, type ParsedQuery, type Predicate, type SelectExpr } from './timestream-sql';

export const TIMESTREAM_ACTIONS: Record<string, string> = {
  Query: 'timestream:Select',
  DescribeEndpoints: 'timestream:DescribeEndpoints',
};

type Datum = { ScalarValue: string } | { NullValue: true };
type Cell = number | string | null;

interface ColumnInfo {
  Name: string;
  Type: { ScalarType: 'TIMESTAMP' | 'DOUBLE' | 'BIGINT' | 'VARCHAR' };
}

interface Cursor {
  id: string;
  queryString: string;
  principal: string;
  columns: ColumnInfo[];
  rows: Datum[][];
  scannedPoints: number;
  createdAtReal: number;
  /** Calls per page token; AWS accepts a token for at most 5 calls. */
  uses: Map<number, number>;
}

const MAX_CURSORS = 500;
const TOKEN_TTL_MS = 3_600_000;
const DEFAULT_PAGE_ROWS = 1000;
const AUTO_EMPTY_PAGE_POINTS = 100_000;
const cursorsBySim = new WeakMap<object, Map<string, Cursor>>();

function cursors(ctx: RequestContext): Map<string, Cursor> {
  let m = cursorsBySim.get(ctx.sim);
  if (!m) {
    m = new Map();
    cursorsBySim.set(ctx.sim, m);
  }
  return m;
}

function sameExpr(a: SelectExpr, b: SelectExpr): boolean {
  if (a.kind === 'bin' && b.kind === 'bin') return a.ms === b.ms;
  if (a.kind === 'agg' && b.kind === 'agg') return a.fn === b.fn && a.star === b.star;
  if (a.kind === 'column' && b.kind === 'column') return a.name.toLowerCase() === b.name.toLowerCase();
  return false;
}

function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000`;
}

interface Plan {
  query: ParsedQuery;
  /** Normalised column per select item: 'measure_name', 'dimension' or null (not a column). */
  columns: ColumnInfo[];
  groupKeys: SelectExpr[];
  things: number[];
  measures: TelemetryMeasure[];
  firstPoint: number;
  lastPoint: number;
}

/** Resolves names and checks the query's shape; all errors become ValidationException. */
function plan(account: Account, sql: string, now: number, allowedBins: string[]): Plan {
  const query = parseQuery(sql);
  if (query.database !== account.timestreamDatabase || query.table !== account.timestreamTable) {
    throw validation(`Table "${query.database}"."${query.table}" does not exist; this account has "${account.timestreamDatabase}"."${account.timestreamTable}".`);
  }
  const column = (name: string): 'measure_name' | 'dimension' | 'time' => {
    const lower = name.toLowerCase();
    if (lower === 'measure_name') return 'measure_name';
    if (lower === TIMESTREAM_DIMENSION) return 'dimension';
    if (lower === 'time') return 'time';
    throw validation(`Column '${name}' does not exist. Columns: time, measure_name, measure_value::double, ${TIMESTREAM_DIMENSION}.`);
  };
  const checkExpr = (e: SelectExpr): void => {
    if (e.kind === 'bin' && !allowedBins.some((b) => parseBin(b) === e.ms)) {
      throw validation(`bin size ${e.text} is not supported by the simulator; use one of ${allowedBins.join(', ')}.`);
    }
    if (e.kind === 'column' && column(e.name) === 'time') {
      throw validation("Raw 'time' is not supported by the simulator; group by bin(time, <interval>) instead.");
    }
  };
  query.select.forEach((s) => checkExpr(s.expr));
  const groupKeys: SelectExpr[] = query.groupBy.map((g) => {
    if (g.kind === 'ordinal') {
      const item = query.select[g.n - 1];
      if (!item) throw validation(`GROUP BY position ${g.n} is not in select list`);
      if (item.expr.kind === 'agg') throw validation(`GROUP BY position ${g.n} refers to an aggregate`);
      return item.expr;
    }
    const expr = g.expr;
    if (expr.kind === 'agg') throw validation('GROUP BY clause cannot contain aggregations');
    if (expr.kind === 'column' && query.select.some((s) => s.alias === expr.name)) {
      const isColumn = ['measure_name', TIMESTREAM_DIMENSION].includes(expr.name.toLowerCase());
      if (!isColumn) throw validation(`Column '${expr.name}' cannot be resolved: GROUP BY must repeat the expression or use its position, not the alias.`);
    }
    checkExpr(expr);
    if (expr.kind === 'column') column(expr.name);
    return expr;
  });
  if (new Set(groupKeys.filter((k) => k.kind === 'bin').map((k) => (k as { ms: number }).ms)).size > 1) {
    throw validation('The simulator supports one bin size per query.');
  }
  const hasAggregate = query.select.some((s) => s.expr.kind === 'agg');
  if (!hasAggregate && groupKeys.length === 0) {
    throw validation('The simulator answers aggregate queries only: use avg/min/max/count(measure_value::double) with GROUP BY.');
  }
  for (const s of query.select) {
    if (s.expr.kind !== 'agg' && !groupKeys.some((k) => sameExpr(k, s.expr))) {
      const shown = s.expr.kind === 'bin' ? `bin(time, ${s.expr.text})` : s.expr.name;
      throw validation(`'${shown}' must be an aggregate expression or appear in GROUP BY clause`);
    }
  }

  // WHERE → thing set, measure set, time range.
  let thingNames: Set<string> | null = null;
  let measureNames: Set<string> | null = null;
  let lo = -Infinity;
  let hi = Infinity;
  const timeOf = (p: Extract<Predicate, { kind: 'time' }>) => (p.value.base === 'now' ? now + p.value.offsetMs : p.value.ms);
  for (const p of query.where) {
    if (p.kind === 'time') {
      const t = timeOf(p);
      // Points lie on the minute grid; turn strict bounds into inclusive ones on that grid.
      if (p.op === '>') lo = Math.max(lo, Math.floor(t / TELEMETRY_INTERVAL_MS + 1) * TELEMETRY_INTERVAL_MS);
      if (p.op === '>=') lo = Math.max(lo, Math.ceil(t / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS);
      if (p.op === '<') hi = Math.min(hi, Math.ceil(t / TELEMETRY_INTERVAL_MS - 1) * TELEMETRY_INTERVAL_MS);
      if (p.op === '<=') hi = Math.min(hi, Math.floor(t / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS);
      continue;
    }
    const kind = column(p.column);
    if (kind === 'time') throw validation("time must be compared with ago(), now() or from_iso8601_timestamp(), not a string");
    const values = new Set(p.values);
    if (kind === 'measure_name') measureNames = intersect(measureNames, values);
    else thingNames = intersect(thingNames, values);
  }
  const retentionStart = now - TELEMETRY_RETENTION_DAYS * 86_400_000;
  const firstPoint = Math.max(lo, Math.ceil(retentionStart / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS);
  const lastPoint = Math.min(hi, Math.floor(now / TELEMETRY_INTERVAL_MS) * TELEMETRY_INTERVAL_MS);

  const fleet = account.fleet;
  const things: number[] = [];
  if (thingNames) {
    for (const name of [...thingNames].sort()) {
      const i = fleet.indexOf(name);
      if (i >= 0) things.push(i);
    }
  } else for (let i = 0; i < fleet.count; i++) if (fleet.exists(i)) things.push(i);
  const measures = TELEMETRY_MEASURES.filter((m) => !measureNames || measureNames.has(m));

  const columns: ColumnInfo[] = query.select.map((s, i) => {
    const e = s.expr;
    const name = s.alias ?? (e.kind === 'column' ? e.name : `_col${i}`);
    const type = e.kind === 'bin' ? 'TIMESTAMP' : e.kind === 'agg' ? (e.fn === 'count' ? 'BIGINT' : 'DOUBLE') : 'VARCHAR';
    return { Name: name, Type: { ScalarType: type } };
  });
  return { query, columns, groupKeys, things, measures, firstPoint, lastPoint };
}

/** Several filters on one column narrow each other (a = 'x' AND a IN ('x', 'y') → {'x'}). */
function intersect(current: Set<string> | null, values: Set<string>): Set<string> {
  return current === null ? values : new Set([...current].filter((v) => values.has(v)));
}

function parseBin(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return m ? Number(m[1]) * unit[m[2]!]! : NaN;
}

interface Acc {
  key: Cell[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Scans the telemetry the plan selects and returns the result rows (cells, before formatting). */
function execute(account: Account, p: Plan, maxPoints: number): { rows: Cell[][]; scanned: number } {
  const minutes = p.lastPoint >= p.firstPoint ? (p.lastPoint - p.firstPoint) / TELEMETRY_INTERVAL_MS + 1 : 0;
  const scanned = p.things.length * p.measures.length * minutes;
  if (scanned > maxPoints) {
    throw validation(
      `The simulator limits a query to ${maxPoints} data points; this one would scan ${scanned}. ` +
        `Filter on ${TIMESTREAM_DIMENSION} or measure_name, or shorten the time range.`,
    );
  }
  const groups = new Map<string, Acc>();
  const fleet = account.fleet;
  const binMs = p.groupKeys.find((k) => k.kind === 'bin')?.ms ?? 0;
  const keyFor = (name: string, measure: string, bin: number): Cell[] =>
    p.groupKeys.map((k) => (k.kind === 'bin' ? bin : k.kind === 'column' && k.name.toLowerCase() === 'measure_name' ? measure : name));
  for (const thing of p.things) {
    const name = fleet.name(thing);
    const profile = telemetryProfile(name);
    for (const measure of p.measures) {
      // Injected anomalies (admin API) apply to a few things only; the rest take the plain path.
      const effects = fleet.controls.effects(thing, measure);
      let acc: Acc | undefined;
      let currentBin = NaN;
      for (let t = p.firstPoint; t <= p.lastPoint; t += TELEMETRY_INTERVAL_MS) {
        // Only the bin changes inside this loop, so the group is looked up once per bin.
        const bin = binMs > 0 ? Math.floor(t / binMs) * binMs : 0;
        if (!acc || bin !== currentBin) {
          currentBin = bin;
          const key = keyFor(name, measure, bin);
          const keyText = key.join('|');
          acc = groups.get(keyText);
          if (!acc) {
            acc = { key, count: 0, sum: 0, min: Infinity, max: -Infinity };
            groups.set(keyText, acc);
          }
        }
        const v = effects ? controlledTelemetry(profile, measure, t, effects) : sampleTelemetry(profile, measure, t);
        acc.count++;
        acc.sum += v;
        if (v < acc.min) acc.min = v;
        if (v > acc.max) acc.max = v;
      }
    }
  }
  if (p.groupKeys.length === 0 && groups.size === 0) groups.set('', { key: [], count: 0, sum: 0, min: Infinity, max: -Infinity });
  const aggregate = (fn: Aggregate, a: Acc): Cell => {
    if (fn === 'count') return a.count;
    if (a.count === 0) return null;
    return fn === 'avg' ? a.sum / a.count : fn === 'min' ? a.min : a.max;
  };
  const rows = [...groups.values()].map((a) =>
    p.query.select.map((s) => {
      if (s.expr.kind === 'agg') return aggregate(s.expr.fn, a);
      const idx = p.groupKeys.findIndex((k) => sameExpr(k, s.expr));
      return a.key[idx] ?? null;
    }),
  );
  return { rows: order(p, rows), scanned };
}

function order(p: Plan, rows: Cell[][]): Cell[][] {
  const q = p.query;
  const keys = q.orderBy.map((o) => {
    let index = -1;
    if (o.target.kind === 'ordinal') index = o.target.n - 1;
    else if (o.target.kind === 'alias') {
      const name = o.target.name;
      index = q.select.findIndex((s) => s.alias === name);
      if (index < 0) index = q.select.findIndex((s) => s.expr.kind === 'column' && s.expr.name.toLowerCase() === name.toLowerCase());
    } else {
      const expr = o.target.expr;
      index = q.select.findIndex((s) => sameExpr(s.expr, expr));
    }
    if (index < 0 || index >= q.select.length) {
      throw validation('ORDER BY must refer to a selected column, its alias or its position in the simulator');
    }
    return { index, desc: o.desc };
  });
  if (keys.length > 0) {
    rows.sort((a, b) => {
      for (const k of keys) {
        const x = a[k.index] ?? null;
        const y = b[k.index] ?? null;
        if (x === y) continue;
        // NULLS LAST for ascending order, as in Trino.
        if (x === null) return k.desc ? -1 : 1;
        if (y === null) return k.desc ? 1 : -1;
        const c = x < y ? -1 : 1;
        return k.desc ? -c : c;
      }
      return 0;
    });
  }
  return q.limit !== undefined ? rows.slice(0, q.limit) : rows;
}

function formatCell(type: ColumnInfo['Type']['ScalarType'], v: Cell): Datum {
  if (v === null) return { NullValue: true };
  if (type === 'TIMESTAMP') return { ScalarValue: formatTimestamp(Number(v)) };
  return { ScalarValue: String(v) };
}

function body(ctx: RequestContext): Record<string, unknown> {
  if (ctx.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 400, 'Could not parse the request body as JSON');
  }
  if (!isObject(parsed)) throw new AwsError('SerializationException', 400, 'Expected a JSON object as request body');
  return parsed;
}

function reply(payload: unknown): Reply {
  return { body: JSON.stringify(payload), contentType: 'application/x-amz-json-1.0' };
}

function encodeTimestreamToken(id: string, offset: number): string {
  return Buffer.from(`${id}:${offset}`).toString('base64url');
}

function query(ctx: RequestContext): Reply {
  const input = body(ctx);
  const sql = input.QueryString;
  if (typeof sql !== 'string' || sql.length < 1 || sql.length > 262_144) {
    throw validation('QueryString is required and must have 1 to 262144 characters');
  }
  const maxRows = input.MaxRows;
  if (maxRows !== undefined && (typeof maxRows !== 'number' || !Number.isInteger(maxRows) || maxRows < 1 || maxRows > 1000)) {
    throw validation(`1 validation error detected: Value '${String(maxRows)}' at 'maxRows' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const token = input.NextToken;
  if (token !== undefined && (typeof token !== 'string' || token.length < 1 || token.length > 2048)) {
    throw validation('NextToken must be a string of 1 to 2048 characters');
  }
  const principal = ctx.principal.arn;
  const store = cursors(ctx);
  const settings = ctx.sim.settings.timestream;
  const pageSize = typeof maxRows === 'number' ? maxRows : DEFAULT_PAGE_ROWS;

  let cursor: Cursor;
  let offset = 0;
  if (typeof token === 'string') {
    const [id, off] = Buffer.from(token, 'base64url').toString('utf8').split(':');
    const found = id ? store.get(id) : undefined;
    offset = Number(off);
    if (!found || !Number.isInteger(offset) || offset < 0 || found.queryString !== sql || found.principal !== principal) {
      throw validation('Invalid pagination token: it does not belong to this query and caller, or it has expired.');
    }
    if (Date.now() - found.createdAtReal > TOKEN_TTL_MS) throw validation('Invalid pagination token: the token has expired.');
    const uses = (found.uses.get(offset) ?? 0) + 1;
    if (uses > 5) throw validation('Invalid pagination token: a token can be used at most 5 times.');
    found.uses.set(offset, uses);
    cursor = found;
  } else {
    const p = plan(ctx.account, sql, ctx.now, settings.allowedBinSizes);
    const { rows, scanned } = execute(ctx.account, p, settings.maxPointsPerQuery);
    cursor = {
      id: randomUUID().replace(/-/g, ''),
      queryString: sql,
      principal,
      columns: p.columns,
      rows: rows.map((r) => r.map((v, i) => formatCell(p.columns[i]!.Type.ScalarType, v))),
      scannedPoints: scanned,
      createdAtReal: Date.now(),
      uses: new Map(),
    };
    if (store.size >= MAX_CURSORS) store.delete(store.keys().next().value!);
    store.set(cursor.id, cursor);
    const emptyFirst =
      settings.emptyFirstPage === 'always' || (settings.emptyFirstPage === 'auto' && scanned >= AUTO_EMPTY_PAGE_POINTS);
    if (emptyFirst) {
      // A long-running query answers first with no rows, only a token — callers must keep paging.
      return reply({
        QueryId: cursor.id,
        Rows: [],
        ColumnInfo: cursor.columns,
        NextToken: encodeTimestreamToken(cursor.id, 0),
        QueryStatus: { ProgressPercentage: 50, CumulativeBytesScanned: scanned * 48, CumulativeBytesMetered: 0 },
      });
    }
  }
  const rows = cursor.rows.slice(offset, offset + pageSize);
  const next = offset + pageSize < cursor.rows.length ? offset + pageSize : null;
  const bytes = cursor.scannedPoints * 48;
  return reply({
    QueryId: cursor.id,
    Rows: rows.map((Data) => ({ Data })),
    ColumnInfo: cursor.columns,
    ...(next !== null ? { NextToken: encodeTimestreamToken(cursor.id, next) } : {}),
    QueryStatus: { ProgressPercentage: 100, CumulativeBytesScanned: bytes, CumulativeBytesMetered: Math.max(10_485_760, bytes) },
  });
}

function describeEndpoints(ctx: RequestContext): Reply {
  const host = typeof ctx.headers.host === 'string' ? ctx.headers.host : `query.timestream.${ctx.region}.amazonaws.com`;
  return reply({ Endpoints: [{ Address: host, CachePeriodInMinutes: 1440 }] });
}

export function handleTimestream(ctx: RequestContext): Reply {
  if (ctx.operation === 'Query') return query(ctx);
  if (ctx.operation === 'DescribeEndpoints') return describeEndpoints(ctx);
  throw new AwsError('UnknownOperationException', 400, `Operation ${ctx.operation} is not supported by the fleet simulator`);
}
