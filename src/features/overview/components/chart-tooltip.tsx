import { number } from '@/lib/format';
import { shareLabel } from '../links';
import type { ChartRow } from './chart-row';

/** Tooltip for overview bars: label, count, share and what a click opens. */
export function ChartTooltip({ active, payload, total }: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }>; total: number }) {
  const row = active ? (payload?.[0]?.payload as ChartRow | undefined) : undefined;
  if (!row) return null;
  return (
    <div className="rounded-md border border-line bg-surface px-3 py-2 text-xs text-ink shadow-md">
      <p className="font-medium">{row.label}</p>
      <p className="tabular-nums text-ink-muted">
        {number.format(row.count)} devices · {shareLabel(row.count, total)}
      </p>
      {row.href ? <p className="mt-1 text-brand-700 dark:text-brand-300">Click to list {row.linkNote ?? 'them'}</p> : null}
    </div>
  );
}
