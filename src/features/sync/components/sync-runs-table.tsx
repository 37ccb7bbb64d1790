'use client';

import { Badge } from '@/components/ui/badge';
import type { SyncRunDto } from '../queries';
import { duration, MODE_LABELS, number, relativeTime, TRIGGER_LABELS } from './format';

const STATUS_TONES = { running: 'brand', succeeded: 'success', failed: 'danger', cancelled: 'warning' } as const;

/** The latest runs with their counters; a failed run shows its AWS error. */
export function SyncRunsTable({ runs, now }: { runs: SyncRunDto[]; now: string }) {
  if (runs.length === 0) return <p className="text-sm text-ink-muted">No syncs yet.</p>;
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="w-full min-w-[40rem] text-sm" aria-label="Recent syncs">
        <thead className="text-left text-xs text-ink-muted">
          <tr>
            <th className="px-5 py-1 font-medium">Started</th>
            <th className="py-1 font-medium">Status</th>
            <th className="py-1 text-right font-medium">Things</th>
            <th className="py-1 text-right font-medium">Written</th>
            <th className="py-1 text-right font-medium">Removed</th>
            <th className="py-1 text-right font-medium">AWS calls</th>
            <th className="py-1 text-right font-medium">Throttled</th>
            <th className="px-5 py-1 text-right font-medium">Took</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} className="border-t border-line align-top" data-testid="sync-run-row">
              <td className="px-5 py-2">
                <span className="text-ink">{relativeTime(r.startedAt, now)}</span>
                <span className="block text-xs text-ink-muted">
                  {TRIGGER_LABELS[r.trigger]}
                  {r.mode ? ` · ${MODE_LABELS[r.mode]}` : ''}
                </span>
              </td>
              <td className="py-2">
                <Badge tone={STATUS_TONES[r.status]}>{r.status}</Badge>
                {r.error ? <span className="mt-1 block max-w-xs text-xs text-danger-700 dark:text-danger-300">{r.error}</span> : null}
                {r.warnings.map((w) => (
                  <span key={w} className="mt-1 block max-w-xs text-xs text-warning-700 dark:text-warning-300">{w}</span>
                ))}
              </td>
              <td className="py-2 text-right tabular-nums">{number.format(r.thingsSeen)}</td>
              <td className="py-2 text-right tabular-nums">{number.format(r.devicesUpserted)}</td>
              <td className="py-2 text-right tabular-nums">{number.format(r.devicesRemoved)}</td>
              <td className="py-2 text-right tabular-nums">{number.format(r.apiCalls)}</td>
              <td className="py-2 text-right tabular-nums">{number.format(r.throttled)}</td>
              <td className="px-5 py-2 text-right tabular-nums text-ink-muted">{duration(r, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
