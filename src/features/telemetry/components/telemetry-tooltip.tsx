import { formatInstant, formatValue } from './format';
import type { ChartRow } from './telemetry-chart';

/** Tooltip of one bucket: its start, average, min–max and sample count. */
export function TelemetryTooltip({ row, unit, binLabel, fleet }: { row: ChartRow | undefined; unit: string; binLabel: string; fleet: boolean }) {
  if (!row || row.avg === null) return null;
  return (
    <div className="rounded-md border border-line bg-surface px-3 py-2 text-xs text-ink shadow-md">
      <p className="font-medium">{formatInstant(row.t)}</p>
      <p className="text-ink-muted">{binLabel} bucket</p>
      <dl className="mt-1.5 grid grid-cols-[auto_auto] gap-x-3 gap-y-0.5">
        <dt className="text-ink-muted">{fleet ? 'Fleet average' : 'Average'}</dt>
        <dd className="text-right font-medium tabular-nums">{formatValue(row.avg, unit)}</dd>
        <dt className="text-ink-muted">Min – max</dt>
        <dd className="text-right tabular-nums">
          {formatValue(row.min!, unit)} – {formatValue(row.max!, unit)}
        </dd>
        <dt className="text-ink-muted">Samples</dt>
        <dd className="text-right tabular-nums">{row.count}</dd>
      </dl>
    </div>
  );
}
