import { relativeTime } from '@/lib/format';
import type { ShadowHistoryEntry } from '../queries';
import { formatLeaf } from '../shadow-rows';

/** The reported versions the syncs observed, newest first, with what changed in each. */
export function ShadowHistory({ entries, now }: { entries: ShadowHistoryEntry[]; now: string }) {
  if (entries.length === 0) {
    return <p className="text-sm text-ink-muted">No shadow versions recorded yet; each sync records the versions it sees.</p>;
  }
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="w-full min-w-[32rem] text-sm" aria-label="Shadow history">
        <thead className="text-left text-xs text-ink-muted">
          <tr>
            <th className="px-5 py-1 font-medium">Version</th>
            <th className="py-1 font-medium">Reported</th>
            <th className="px-5 py-1 font-medium">Changed</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.version} className="border-t border-line align-top" data-testid="history-row">
              <td className="px-5 py-2 tabular-nums text-ink">{e.version}</td>
              <td className="py-2 pr-3 whitespace-nowrap">
                {e.reportedAt ? <time dateTime={e.reportedAt} title={e.reportedAt}>{relativeTime(e.reportedAt, now)}</time> : <span className="text-ink-faint">—</span>}
                <span className="block text-xs text-ink-muted">seen {relativeTime(e.observedAt, now)}</span>
              </td>
              <td className="px-5 py-2">
                {e.changed.length === 0 ? (
                  <span className="text-xs text-ink-muted">reported state unchanged</span>
                ) : (
                  <ul className="flex flex-wrap gap-x-3 gap-y-0.5 font-mono text-xs">
                    {e.changed.slice(0, 8).map((k) => (
                      <li key={k}>
                        <span className="text-ink-muted">{k}</span>={e.reported[k] === undefined ? <span className="text-ink-faint">removed</span> : <span className="text-ink">{formatLeaf(e.reported[k]).slice(0, 60)}</span>}
                      </li>
                    ))}
                    {e.changed.length > 8 ? <li className="text-ink-muted">+{e.changed.length - 8} more</li> : null}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
