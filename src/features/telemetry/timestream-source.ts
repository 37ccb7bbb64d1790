import { QueryCommand, type ColumnInfo, type Row, type TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { AppError } from '@/lib/errors';
import { BIN_MS } from './range';
import { mergeBuckets, type Bucket, type SeriesRequest, type SeriesResult, type TelemetrySource } from './source';
import { buildBinnedQuery, COLUMNS, MAX_THINGS_PER_QUERY, parseTimestreamTimestamp } from './timestream-query';

export interface TimestreamPlanOptions {
  /** Names per IN list. */
  maxThingsPerQuery: number;
  /** Estimated data points one query may scan; bigger requests are split by devices and by time. */
  scanBudgetPoints: number;
  /** Assumed spacing of data points per device and measure, for the scan estimate. */
  sampleIntervalMs: number;
  /** Refuse (with a message) rather than send more queries than this for one chart. */
  maxQueries: number;
}

export interface TimestreamSourceOptions extends Partial<TimestreamPlanOptions> {
  client: TimestreamQueryClient;
  database: string;
  table: string;
  /** Queries in flight at once for one chart. */
  concurrency?: number;
  /** MaxRows per page (Timestream allows 1–1000). */
  pageRows?: number;
}

// 4M points keeps a query well inside the simulator's 5M limit and bounds each query's latency on AWS.
export const DEFAULT_PLAN: TimestreamPlanOptions = {
  maxThingsPerQuery: MAX_THINGS_PER_QUERY,
  scanBudgetPoints: 4_000_000,
  sampleIntervalMs: 60_000,
  maxQueries: 400,
};

export interface PlannedQuery {
  /** null: no thing predicate (the whole live fleet of the integration is selected). */
  things: string[] | null;
  fromMs: number;
  toMs: number;
}

/**
 * Splits a request into queries. A selection of the whole live fleet is queried without a thing
 * predicate (no 10,000-name IN list); other selections go in chunks of ≤ maxThingsPerQuery names.
 * Each query's time span is then cut on bin boundaries so its estimated scan stays within budget.
 */
export function planQueries(request: SeriesRequest, options: TimestreamPlanOptions = DEFAULT_PLAN): PlannedQuery[] {
  const names = request.selection.devices.map((d) => d.thingName);
  if (names.length === 0) return [];
  const binMs = BIN_MS[request.bin];
  const samplesPerBin = Math.max(1, Math.ceil(binMs / options.sampleIntervalMs));
  const budgetThings = Math.max(1, Math.floor(options.scanBudgetPoints / samplesPerBin));
  const groups: { things: string[] | null; count: number }[] = [];
  if (request.selection.all && names.length <= budgetThings) groups.push({ things: null, count: names.length });
  else {
    const size = Math.min(options.maxThingsPerQuery, budgetThings);
    const sorted = [...names].sort();
    for (let i = 0; i < sorted.length; i += size) {
      const chunk = sorted.slice(i, i + size);
      groups.push({ things: chunk, count: chunk.length });
    }
  }
  const queries: PlannedQuery[] = [];
  for (const group of groups) {
    const binsPerSlice = Math.max(1, Math.floor(options.scanBudgetPoints / (group.count * samplesPerBin)));
    const sliceMs = binsPerSlice * binMs;
    for (let from = request.fromMs; from < request.toMs; from += sliceMs) {
      queries.push({ things: group.things, fromMs: from, toMs: Math.min(request.toMs, from + sliceMs) });
    }
  }
  if (queries.length > options.maxQueries) {
    throw new AppError(
      'PRECONDITION',
      `This chart would need ${queries.length} Timestream queries (limit ${options.maxQueries}). Narrow the device filter or shorten the range.`,
    );
  }
  return queries;
}

function columnIndexes(columns: ColumnInfo[] | undefined) {
  const index = (name: string) => {
    const i = (columns ?? []).findIndex((c) => c.Name === name);
    if (i < 0) throw new Error(`Timestream answer lacks the ${name} column`);
    return i;
  };
  return { bucket: index(COLUMNS.bucket), avg: index(COLUMNS.avg), min: index(COLUMNS.min), max: index(COLUMNS.max), count: index(COLUMNS.count) };
}

function parseRow(row: Row, at: ReturnType<typeof columnIndexes>): Bucket | null {
  const cell = (i: number) => row.Data?.[i]?.ScalarValue;
  const count = Number(cell(at.count) ?? 0);
  const bucket = cell(at.bucket);
  // A bin without samples has NULL aggregates; it carries nothing to chart.
  if (!bucket || !(count > 0) || cell(at.avg) === undefined) return null;
  const avg = Number(cell(at.avg));
  return { t: parseTimestreamTimestamp(bucket), sum: avg * count, count, min: Number(cell(at.min)), max: Number(cell(at.max)) };
}

export interface QueryRun {
  buckets: Bucket[];
  bytesScanned: number | null;
  pages: number;
}

// A runaway token loop (a bug or a misbehaving endpoint) must end; 2,000 bins fit in 2 pages of 1,000.
const MAX_PAGES = 1_000;

/** Runs one query and follows NextToken to the end (a long query may first answer with an empty page). */
export async function runQuery(client: TimestreamQueryClient, queryString: string, pageRows = 1000): Promise<QueryRun> {
  const buckets: Bucket[] = [];
  let bytesScanned: number | null = null;
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await client.send(new QueryCommand({ QueryString: queryString, MaxRows: pageRows, ...(token ? { NextToken: token } : {}) }));
    pages++;
    if ((out.Rows ?? []).length > 0) {
      const at = columnIndexes(out.ColumnInfo);
      for (const row of out.Rows ?? []) {
        const b = parseRow(row, at);
        if (b) buckets.push(b);
      }
    }
    // Cumulative over the query's pages: the latest page holds the total.
    const scanned = out.QueryStatus?.CumulativeBytesScanned;
    if (typeof scanned === 'number') bytesScanned = Math.max(bytesScanned ?? 0, scanned);
    token = out.NextToken;
    if (pages >= MAX_PAGES && token) throw new Error('Timestream kept returning NextToken; gave up after 1,000 pages');
  } while (token);
  return { buckets, bytesScanned, pages };
}

/** Runs tasks with at most `limit` in flight, keeping their order. */
async function pooled<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function timestreamSource(options: TimestreamSourceOptions): TelemetrySource {
  const plan: TimestreamPlanOptions = {
    maxThingsPerQuery: options.maxThingsPerQuery ?? DEFAULT_PLAN.maxThingsPerQuery,
    scanBudgetPoints: options.scanBudgetPoints ?? DEFAULT_PLAN.scanBudgetPoints,
    sampleIntervalMs: options.sampleIntervalMs ?? DEFAULT_PLAN.sampleIntervalMs,
    maxQueries: options.maxQueries ?? DEFAULT_PLAN.maxQueries,
  };
  return {
    kind: 'timestream',
    async series(request: SeriesRequest): Promise<SeriesResult> {
      const planned = planQueries(request, plan);
      // Built (and validated) before anything is sent: one bad name refuses the whole chart.
      const queries = planned.map((q) =>
        buildBinnedQuery({ database: options.database, table: options.table, measure: request.metric, things: q.things, fromMs: q.fromMs, toMs: q.toMs, bin: request.bin }),
      );
      const runs = await pooled(queries, options.concurrency ?? 4, (sql) => runQuery(options.client, sql, options.pageRows));
      const reported = runs.filter((r) => r.bytesScanned !== null);
      return {
        buckets: mergeBuckets(runs.map((r) => r.buckets)),
        bytesScanned: reported.length > 0 ? reported.reduce((sum, r) => sum + r.bytesScanned!, 0) : null,
        queries: queries.length,
      };
    },
  };
}
