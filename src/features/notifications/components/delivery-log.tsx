import type { DeliveryDto } from '../queries';
import { DeliveryStatusBadge } from './delivery-status-badge';
import { DELIVERY_KIND_LABELS } from './labels';

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const at = (iso: string | null) => (iso ? when.format(new Date(iso)) : '—');

/** One page of a channel's delivery log; errors are stored sanitized (no URL, address or secret). */
export function DeliveryLog({ items }: { items: DeliveryDto[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="Delivery log">
        <thead className="border-b border-line text-xs uppercase tracking-wide text-ink-muted">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">Time</th>
            <th scope="col" className="py-2 pr-4 font-medium">Kind</th>
            <th scope="col" className="py-2 pr-4 font-medium">Status</th>
            <th scope="col" className="py-2 pr-4 text-right font-medium">Attempts</th>
            <th scope="col" className="py-2 pr-4 font-medium">Response</th>
            <th scope="col" className="py-2 pr-4 font-medium">Error</th>
            <th scope="col" className="py-2 font-medium">Next attempt</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {items.map((d) => (
            <tr key={d.id} data-testid="delivery-row" data-delivery-id={d.id}>
              <td className="whitespace-nowrap py-2 pr-4 text-ink-muted">{at(d.createdAt)}</td>
              <td className="py-2 pr-4">{DELIVERY_KIND_LABELS[d.kind]}</td>
              <td className="py-2 pr-4"><DeliveryStatusBadge status={d.status} /></td>
              <td className="py-2 pr-4 text-right tabular-nums">{d.attempts}</td>
              <td className="py-2 pr-4 font-mono text-xs" data-testid="delivery-code">{d.lastStatusCode ?? '—'}</td>
              <td className="max-w-xs break-words py-2 pr-4 text-xs text-danger-700 dark:text-danger-300" data-testid="delivery-error">{d.lastError ?? ''}</td>
              <td className="whitespace-nowrap py-2 text-ink-muted">{at(d.nextAttemptAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
