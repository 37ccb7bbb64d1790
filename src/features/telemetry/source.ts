import type { BinSize } from './range';
import type { StoreResolution, TelemetryPoint, TelemetrySourceKind } from './schemas';

/**
 * Where chart data comes from: Timestream for LiveAnalytics, the shadow history Fleetline keeps
 * in Postgres, or Fleetline's own time-series store (live data). A source answers binned aggregates of one metric over a set of one integration's devices.
 */

export interface SelectedDevice {
  id: string;
  thingName: string;
}

export interface DeviceSelection {
  /** Every live device of the integration is selected (a source may then skip the device predicate). */
  all: boolean;
  devices: readonly SelectedDevice[];
}

export interface SeriesRequest {
  metric: string;
  /** [fromMs, toMs), aligned to the bin. */
  fromMs: number;
  toMs: number;
  bin: BinSize;
  selection: DeviceSelection;
}

/** Mergeable partial aggregate of one bin: sums and counts rather than averages. */
export interface Bucket {
  t: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface SeriesResult {
  buckets: Bucket[];
  /** Bytes the source reports as scanned (Timestream's QueryStatus); null when it reports none. */
  bytesScanned: number | null;
  queries: number;
  /** The Fleetline store's table that answered (raw, 5 min, 1 h). */
  resolution?: StoreResolution;
}

export interface TelemetrySource {
  readonly kind: TelemetrySourceKind;
  series(request: SeriesRequest): Promise<SeriesResult>;
}

/** Combines partial aggregates per bin: avg = Σsum / Σcount, min of mins, max of maxes. */
export function mergeBuckets(lists: readonly (readonly Bucket[])[]): Bucket[] {
  const byTime = new Map<number, Bucket>();
  for (const list of lists) {
    for (const b of list) {
      if (b.count <= 0) continue;
      const current = byTime.get(b.t);
      if (!current) byTime.set(b.t, { ...b });
      else {
        current.sum += b.sum;
        current.count += b.count;
        if (b.min < current.min) current.min = b.min;
        if (b.max > current.max) current.max = b.max;
      }
    }
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

export function toPoints(buckets: readonly Bucket[]): TelemetryPoint[] {
  return buckets.map((b) => ({ t: b.t, avg: b.sum / b.count, min: b.min, max: b.max, count: b.count }));
}
