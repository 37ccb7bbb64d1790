import { parse } from 'csv-parse/sync';
import type { SeriesPoint } from '../src/features/alerts/detector/detect';

/**
 * Reads a recorded series from CSV text for `npm run detect`: a header row, a time column (ISO 8601,
 * or epoch seconds or milliseconds) and a numeric value column. Rows that cannot be read are
 * returned with their line and reason, never silently dropped.
 */
export class CsvInputError extends Error {}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ParsedSeries {
  series: SeriesPoint[];
  rows: number;
  rejected: RejectedRow[];
}

/** Epoch values below this are seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;

export function parseTime(raw: string): number | null {
  const text = raw.trim();
  if (text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Math.abs(n) < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
  }
  // Only ISO-like dates: Date.parse accepts many loose forms that would hide a wrong column.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

export function parseSeriesCsv(text: string, columns: { time: string; value: string }): ParsedSeries {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
  } catch (error) {
    throw new CsvInputError(`the file is not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new CsvInputError('the file is empty (a header row is needed)');
  const timeIndex = header.indexOf(columns.time);
  const valueIndex = header.indexOf(columns.value);
  const missing = [timeIndex < 0 ? columns.time : null, valueIndex < 0 ? columns.value : null].filter((c) => c !== null);
  if (missing.length > 0) {
    throw new CsvInputError(`column ${missing.map((c) => `"${c}"`).join(' and ')} not found; the header has ${header.map((c) => `"${c}"`).join(', ')}`);
  }

  const series: SeriesPoint[] = [];
  const rejected: RejectedRow[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    const rawTime = row[timeIndex] ?? '';
    const rawValue = row[valueIndex] ?? '';
    const t = parseTime(rawTime);
    const v = rawValue === '' ? Number.NaN : Number(rawValue);
    if (t === null) rejected.push({ line, reason: `unreadable time ${JSON.stringify(rawTime)}` });
    else if (!Number.isFinite(v)) rejected.push({ line, reason: `unreadable value ${JSON.stringify(rawValue)}` });
    else series.push({ t, v });
  });
  return { series, rows: rows.length, rejected };
}
