import { z } from 'zod';
import { BIN_SIZES, RANGE_PRESETS, type BinSize, type RangeChoice } from './range';

/** Telemetry inputs and the chart DTO; browser-safe. */

export interface MetricDefinition {
  id: string;
  label: string;
  unit: string;
}

/** Metrics the selector offers: the simulator's measures and the shadow keys the sync stores per device. */
export const KNOWN_METRICS: readonly MetricDefinition[] = [
  { id: 'temperature', label: 'Temperature', unit: '°C' },
  { id: 'battery', label: 'Battery', unit: '%' },
  { id: 'rssi', label: 'Signal (RSSI)', unit: 'dBm' },
];

export function metricDefinition(id: string): MetricDefinition {
  return KNOWN_METRICS.find((m) => m.id === id) ?? { id, label: id, unit: '' };
}

/** Measure / shadow key names: Timestream's measure name characters, at most 64. */
export const METRIC_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const metricSchema = z.string().regex(METRIC_PATTERN, 'Metric names use letters, digits and _.- (at most 64).');

const isoDateTime = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date and time.' });

/** The query string of the telemetry route (`?metric=&range=&from=&to=&bin=&device=` plus a device filter). */
export const telemetryRequestSchema = z
  .object({
    metric: metricSchema.default('temperature'),
    range: z.enum([...RANGE_PRESETS, 'custom']).default('24h'),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    bin: z.enum(BIN_SIZES).optional(),
    device: z.uuid({ message: 'Not a device id.' }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.range !== 'custom') return;
    if (!value.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'Choose a start time.' });
    if (!value.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Choose an end time.' });
  });
export type TelemetryRequest = z.infer<typeof telemetryRequestSchema>;

export const TELEMETRY_PARAM_NAMES = ['metric', 'range', 'from', 'to', 'bin', 'device'] as const;

export interface TelemetryPoint {
  /** Bucket start, epoch ms. */
  t: number;
  avg: number;
  min: number;
  max: number;
  /** Data points in the bucket (across every device of the set). */
  count: number;
}

export type TelemetrySourceKind = 'timestream' | 'shadow_history' | 'fleetline_store';
/** Which table of the Fleetline store answered: raw points, 5-minute or hourly rollups per device, or per fleet. */
export type StoreResolution = 'raw' | '5m' | '1h' | 'fleet_5m' | 'fleet_1h';
export type CacheState = 'hit' | 'miss';

export interface TelemetrySourceInfo {
  integrationId: string;
  integrationName: string;
  source: TelemetrySourceKind;
  devices: number;
  /** `all`: the whole live fleet of the integration, queried without a thing predicate. */
  selection: 'all' | 'listed';
  cache: CacheState;
  /** Timestream's CumulativeBytesScanned summed over this integration's queries; null for the shadow history. */
  bytesScanned: number | null;
  queries: number;
  /** Fleetline store only. */
  resolution?: StoreResolution;
}

export interface TelemetrySeriesDto {
  scope: 'device' | 'fleet';
  metric: string;
  range: RangeChoice;
  bin: BinSize;
  /** ISO bounds: [from, to). */
  from: string;
  to: string;
  /** Buckets the range holds; `points` has one entry per bucket with data. */
  buckets: number;
  points: TelemetryPoint[];
  devices: number;
  sources: TelemetrySourceInfo[];
  bytesScanned: number | null;
  /** `partial` when some integrations came from the cache and others did not. */
  cache: CacheState | 'partial';
  serverMs: number;
  notes: string[];
}
