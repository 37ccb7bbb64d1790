import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { paths } from '@/lib/paths';
import type { ChannelDto, LastDeliveryDto } from '../queries';
import { ChannelTarget } from './channel-target';
import { DeliveryStatusBadge } from './delivery-status-badge';
import { CHANNEL_KIND_LABELS, reportScheduleText } from './labels';

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The organization's channels: a table on wide screens, stacked rows on narrow ones. */
export function ChannelList({ orgSlug, items, lastDeliveries }: { orgSlug: string; items: ChannelDto[]; lastDeliveries: Record<string, LastDeliveryDto> }) {
  return (
    <div className="overflow-hidden rounded-lg border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm" aria-label="Notification channels">
        <thead className="hidden border-b border-line bg-surface-muted text-xs uppercase tracking-wide text-ink-muted md:table-header-group">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">Name</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Kind</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Sends to</th>
            <th scope="col" className="px-4 py-2.5 font-medium">State</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Report</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Last delivery</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {items.map((c) => {
            const last = lastDeliveries[c.id];
            return (
              <tr key={c.id} data-testid="channel-row" className="grid gap-1 px-4 py-3 md:table-row md:p-0">
                <td className="md:px-4 md:py-3">
                  <Link href={paths.notificationChannel(orgSlug, c.id)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
                    {c.name}
                  </Link>
                </td>
                <td className="text-ink-muted md:px-4 md:py-3">{CHANNEL_KIND_LABELS[c.kind]}</td>
                <td className="min-w-0 break-all md:px-4 md:py-3"><ChannelTarget channel={c} /></td>
                <td className="md:px-4 md:py-3">{c.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}</td>
                <td className="text-xs text-ink-muted md:px-4 md:py-3">{reportScheduleText(c.report)}</td>
                <td className="text-xs text-ink-muted md:px-4 md:py-3">
                  {last ? (
                    <span className="inline-flex flex-wrap items-center gap-2">
                      <DeliveryStatusBadge status={last.status} /> {when.format(new Date(last.createdAt))}
                    </span>
                  ) : (
                    'Nothing sent yet'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
