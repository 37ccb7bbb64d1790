import { stringify } from 'csv-stringify/sync';
import { loadTelemetry, type TelemetryDeps, type TelemetryInput } from '@/features/telemetry/service';
import type { TelemetrySeriesDto } from '@/features/telemetry/schemas';
import { listRawPoints, type Db } from './store-source';

/**
 * A telemetry chart as CSV (any source, a device or a fleet): `time,min,avg,max,count`, one line per
 * bin the chart shows. A device chart the Fleetline store answers from raw points (short ranges)
 * lists every raw point instead, in the same columns (min = avg = max = the value, count 1), read
 * page by page in short transactions so a slow download holds no connection.
 */

export const CHART_CSV_COLUMNS = ['time', 'min', 'avg', 'max', 'count'] as const;
const RAW_PAGE = 5_000;

/**
 * Formula-injection guard (OWASP "CSV injection") for text cells: a leading = + - @ tab or CR gets an
 * apostrophe so a spreadsheet shows text. Numbers are written bare (a negative RSSI stays a number).
 */
export function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function lines(rows: (string | number)[][], header = false): string {
  return stringify(rows, { header, columns: header ? [...CHART_CSV_COLUMNS] : undefined, record_delimiter: '\r\n', cast: { string: safeText } });
}

export interface ChartCsv {
  /** The chart's facts (source, bin, range), known before any byte is sent. */
  series: TelemetrySeriesDto;
  raw: boolean;
  chunks: AsyncGenerator<string>;
}

/** Resolves the chart first (auth, RLS, source choice and their errors happen here), then streams. */
export async function chartCsv(deps: TelemetryDeps & { readAsUser: Db }, input: TelemetryInput, options: { rawPageSize?: number } = {}): Promise<ChartCsv> {
  const pageSize = options.rawPageSize ?? RAW_PAGE;
  const series = await loadTelemetry(deps, input);
  const source = series.sources.length === 1 ? series.sources[0]! : null;
  const raw = series.scope === 'device' && source?.source === 'fleetline_store' && source.resolution === 'raw';
  const orgDevice = raw ? { orgId: await orgIdOf(deps, input.orgSlug), deviceId: input.request.device! } : null;
  async function* chunks(): AsyncGenerator<string> {
    yield `\uFEFF${lines([], true)}`;
    if (!orgDevice) {
      yield lines(series.points.map((p) => [new Date(p.t).toISOString(), p.min, p.avg, p.max, p.count]));
      return;
    }
    const fromMs = Date.parse(series.from);
    const toMs = Date.parse(series.to);
    let after: number | null = null;
    for (;;) {
      const page = await deps.readAsUser((tx) => listRawPoints(tx, orgDevice.orgId, orgDevice.deviceId, series.metric, fromMs, toMs, after, pageSize));
      if (page.length === 0) return;
      yield lines(page.map((p) => [new Date(p.t).toISOString(), p.value, p.value, p.value, 1]));
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.t;
    }
  }
  return { series, raw, chunks: chunks() };
}

async function orgIdOf(deps: TelemetryDeps, slug: string): Promise<string> {
  const [row] = await deps.asUser((tx) => tx<{ id: string }[]>`select id from public.organizations where slug = ${slug}`);
  return row!.id;
}

/** `telemetry-<org>-<device|fleet>-<metric>-<yyyymmdd-hhmm>.csv` (UTC), safe in a quoted filename. */
export function chartCsvFilename(orgSlug: string, series: Pick<TelemetrySeriesDto, 'scope' | 'metric'>, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '');
  return `telemetry-${clean(orgSlug)}-${series.scope}-${clean(series.metric)}-${stamp}.csv`;
}
