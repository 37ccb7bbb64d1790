'use client';

import type { SyncRunDto } from '../queries';
import { number } from './format';

/** Calls and throttles per AWS API for one run, with the budgeted rate the token bucket ended at. */
export function QuotaMeter({ run }: { run: SyncRunDto }) {
  const apis = Object.entries(run.apiStats).sort(([, a], [, b]) => b.calls - a.calls);
  if (apis.length === 0) return <p className="text-sm text-ink-muted">No AWS calls recorded for this run.</p>;
  const max = Math.max(...apis.map(([, s]) => s.calls));
  return (
    <table className="w-full text-sm" aria-label="AWS calls per API">
      <thead className="text-left text-xs text-ink-muted">
        <tr>
          <th className="py-1 font-medium">API</th>
          <th className="py-1 font-medium">Calls</th>
          <th className="py-1 text-right font-medium">Throttled</th>
          <th className="py-1 text-right font-medium">Errors</th>
          <th className="py-1 text-right font-medium">Rate /s</th>
        </tr>
      </thead>
      <tbody>
        {apis.map(([api, s]) => (
          <tr key={api} className="border-t border-line">
            <td className="py-1.5 pr-3 font-mono text-xs text-ink">{api}</td>
            <td className="w-2/5 py-1.5 pr-3">
              <div className="flex items-center gap-2">
                <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-surface-muted" aria-hidden>
                  <div className="flex h-full" style={{ width: `${(s.calls / max) * 100}%` }}>
                    <div className="h-full bg-brand-500" style={{ width: `${((s.calls - s.throttled) / Math.max(1, s.calls)) * 100}%` }} />
                    <div className="h-full bg-warning-500" style={{ width: `${(s.throttled / Math.max(1, s.calls)) * 100}%` }} />
                  </div>
                </div>
                <span className="w-14 text-right tabular-nums text-ink">{number.format(s.calls)}</span>
              </div>
            </td>
            <td className={`py-1.5 text-right tabular-nums ${s.throttled > 0 ? 'text-warning-700 dark:text-warning-300' : 'text-ink-muted'}`}>{number.format(s.throttled)}</td>
            <td className={`py-1.5 text-right tabular-nums ${s.errors > 0 ? 'text-danger-700 dark:text-danger-300' : 'text-ink-muted'}`}>{number.format(s.errors)}</td>
            <td className="py-1.5 text-right tabular-nums text-ink-muted">{s.ratePerSecond}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
