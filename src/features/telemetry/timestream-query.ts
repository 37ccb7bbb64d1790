import { AppError } from '@/lib/errors';
import { BIN_MS, BIN_SIZES, EARLIEST_MS, MAX_POINTS, MAX_SPAN_MS, type BinSize } from './range';
import { METRIC_PATTERN } from './schemas';

/**
 * The only producer of Timestream SQL. Everything variable in a query is either validated against a
 * strict pattern and then quoted (database/table as "identifiers", thing and measure names as
 * 'literals' with quotes doubled), chosen from an allow-list (bin sizes), or a number we formatted.
 */

/** The dimension holding the thing name (the simulator's and Fleetline's documented table layout). */
export const THING_DIMENSION = 'thing_name';
/** An IN list never grows past this; callers chunk larger device sets. */
export const MAX_THINGS_PER_QUERY = 500;

// Timestream database and table names (and the integrations table's check constraint).
const IDENTIFIER_PATTERN = /^[A-Za-z0-9_.-]{3,256}$/;
// AWS IoT thing names (CreateThing's pattern).
const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;

function refuse(field: string, message: string): never {
  throw new AppError('VALIDATION', message, { [field]: [message] });
}

export function quoteIdentifier(name: string, field = 'identifier'): string {
  if (typeof name !== 'string' || !IDENTIFIER_PATTERN.test(name)) refuse(field, `Not a valid Timestream ${field} name.`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal; the pattern checks above already exclude quotes, this doubles them regardless. */
export function quoteLiteral(value: string): string {
  if (typeof value !== 'string' || /[\u0000-\u001f\u007f]/.test(value)) refuse('value', 'Text with control characters cannot be queried.');
  return `'${value.replace(/'/g, "''")}'`;
}

export function isThingName(name: unknown): name is string {
  return typeof name === 'string' && THING_NAME_PATTERN.test(name);
}

export function thingLiteral(name: string): string {
  if (!isThingName(name)) refuse('device', 'Not a valid AWS IoT thing name.');
  return quoteLiteral(name);
}

export function measureLiteral(name: string): string {
  if (typeof name !== 'string' || !METRIC_PATTERN.test(name)) refuse('metric', 'Metric names use letters, digits and _.- (at most 64).');
  return quoteLiteral(name);
}

export function binLiteral(bin: BinSize): BinSize {
  if (!(BIN_SIZES as readonly string[]).includes(bin)) refuse('bin', 'Unknown bin size.');
  return bin;
}

export function timestampLiteral(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < EARLIEST_MS || ms > Date.UTC(9999, 0, 1)) refuse('range', 'Not a valid point in time.');
  return `from_iso8601_timestamp('${new Date(ms).toISOString()}')`;
}

export interface BinnedQuerySpec {
  database: string;
  table: string;
  measure: string;
  /** null: every thing of the table (no dimension predicate). */
  things: readonly string[] | null;
  /** Inclusive start and exclusive end, epoch ms, aligned to the bin. */
  fromMs: number;
  toMs: number;
  bin: BinSize;
}

/** Result columns, by the aliases the query gives them. */
export const COLUMNS = { bucket: 'bucket', avg: 'avg_value', min: 'min_value', max: 'max_value', count: 'samples' } as const;

/**
 * One binned aggregate over a measure: avg, min, max and the sample count per bin (the count lets
 * partial answers of several queries be combined exactly).
 */
export function buildBinnedQuery(spec: BinnedQuerySpec): string {
  const table = `${quoteIdentifier(spec.database, 'database')}.${quoteIdentifier(spec.table, 'table')}`;
  const bin = binLiteral(spec.bin);
  if (!Number.isSafeInteger(spec.fromMs) || !Number.isSafeInteger(spec.toMs) || spec.fromMs >= spec.toMs) {
    refuse('range', 'The end must be after the start.');
  }
  if (spec.toMs - spec.fromMs > MAX_SPAN_MS + 2 * BIN_MS['1d']) refuse('range', 'A chart covers at most 31 days.');
  if ((spec.toMs - spec.fromMs) / BIN_MS[bin] > MAX_POINTS) refuse('bin', `A query returns at most ${MAX_POINTS} bins.`);
  const where = [`measure_name = ${measureLiteral(spec.measure)}`];
  if (spec.things !== null) {
    if (spec.things.length === 0) refuse('device', 'No devices to query.');
    if (spec.things.length > MAX_THINGS_PER_QUERY) refuse('device', `At most ${MAX_THINGS_PER_QUERY} devices per query.`);
    const names = spec.things.map(thingLiteral);
    where.push(names.length === 1 ? `${THING_DIMENSION} = ${names[0]}` : `${THING_DIMENSION} IN (${names.join(', ')})`);
  }
  where.push(`time >= ${timestampLiteral(spec.fromMs)}`, `time < ${timestampLiteral(spec.toMs)}`);
  const value = 'measure_value::double';
  return (
    `SELECT bin(time, ${bin}) AS ${COLUMNS.bucket}, avg(${value}) AS ${COLUMNS.avg}, min(${value}) AS ${COLUMNS.min}, ` +
    `max(${value}) AS ${COLUMNS.max}, count(${value}) AS ${COLUMNS.count} ` +
    `FROM ${table} WHERE ${where.join(' AND ')} GROUP BY bin(time, ${bin}) ORDER BY ${COLUMNS.bucket} ASC`
  );
}

/** Timestream TIMESTAMP cells look like `2026-11-01 12:00:00.000000000` (UTC). */
export function parseTimestreamTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(text);
  if (!m) throw new Error(`unexpected Timestream timestamp '${text}'`);
  const ms = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '.000';
  return Date.parse(`${m[1]}T${m[2]}${ms}Z`);
}
