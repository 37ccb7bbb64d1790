import { Badge } from '@/components/ui/badge';
import { number } from '@/lib/format';
import { BIN_LABELS } from '../range';
import type { TelemetrySeriesDto } from '../schemas';
import { formatBytes, formatRange } from './format';

const SOURCE_LABELS = { timestream: 'Timestream', shadow_history: 'Shadow history', fleetline_store: 'Fleetline store' } as const;
const RESOLUTION_LABELS = {
  raw: 'raw points',
  '5m': '5-minute rollups',
  '1h': 'hourly rollups',
  fleet_5m: '5-minute fleet rollups',
  fleet_1h: 'hourly fleet rollups',
} as const;

/** What the chart is made of: bin, buckets, sources, bytes scanned, cache and server time, and notes. */
export function TelemetryMeta({ data }: { data: TelemetrySeriesDto }) {
  const scanned = data.bytesScanned === null ? null : formatBytes(data.bytesScanned);
  return (
    <div className="space-y-2 text-xs text-ink-muted">
      <dl className="flex flex-wrap gap-x-4 gap-y-1" data-testid="telemetry-meta">
        <div className="flex gap-1">
          <dt>Range</dt>
          <dd className="font-medium text-ink">{formatRange(Date.parse(data.from), Date.parse(data.to))}</dd>
        </div>
        <div className="flex gap-1">
          <dt>Bin</dt>
          <dd className="font-medium text-ink" data-testid="telemetry-bin">{BIN_LABELS[data.bin]}</dd>
        </div>
        <div className="flex gap-1">
          <dt>Points</dt>
          <dd className="font-medium text-ink tabular-nums">
            {number.format(data.points.length)} of {number.format(data.buckets)}
          </dd>
        </div>
        {data.scope === 'fleet' ? (
          <div className="flex gap-1">
            <dt>Devices</dt>
            <dd className="font-medium text-ink tabular-nums">{number.format(data.devices)}</dd>
          </div>
        ) : null}
        <div className="flex gap-1">
          <dt>Bytes scanned</dt>
          <dd className="font-medium text-ink tabular-nums" data-testid="telemetry-bytes">
            {scanned === null ? '—' : data.cache === 'hit' ? `${scanned} (first answer; this one came from the cache)` : scanned}
          </dd>
        </div>
        <div className="flex gap-1">
          <dt>Server</dt>
          <dd className="font-medium text-ink tabular-nums" data-testid="telemetry-server">
            {data.serverMs.toFixed(data.serverMs < 10 ? 1 : 0)} ms · cache {data.cache}
          </dd>
        </div>
      </dl>
      <ul className="flex flex-wrap gap-1.5" aria-label="Sources">
        {data.sources.map((s) => (
          <li key={s.integrationId}>
            <Badge tone={s.source === 'shadow_history' ? 'warning' : 'brand'}>
              {s.integrationName}: {SOURCE_LABELS[s.source]}
              {s.resolution ? ` (${RESOLUTION_LABELS[s.resolution]})` : ''}
              {data.scope === 'fleet' ? ` · ${number.format(s.devices)} devices` : ''}
            </Badge>
          </li>
        ))}
      </ul>
      {data.notes.map((note) => (
        <p key={note} role="note" className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
          {note}
        </p>
      ))}
    </div>
  );
}
