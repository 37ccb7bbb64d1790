import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { RecentCommand } from '../model';

const STATUS = {
  pending: { tone: 'neutral', label: 'Pending' },
  delivered: { tone: 'brand', label: 'Delivered' },
  converged: { tone: 'success', label: 'Converged' },
  timed_out: { tone: 'warning', label: 'Timed out' },
  failed: { tone: 'danger', label: 'Failed' },
} as const;

/** The organization's newest desired-state commands with their delivery status. */
export function RecentCommandsCard({ orgSlug, commands, nowIso }: { orgSlug: string; commands: RecentCommand[]; nowIso: string }) {
  return (
    <div data-testid="overview-commands">
      <Card title="Recent commands" description="Desired-state changes sent to devices, newest first.">
        {commands.length === 0 ? (
          <p className="text-sm text-ink-muted">No commands yet. Commands sent from a device&apos;s page appear here with their delivery status.</p>
        ) : (
          <ul className="-my-2 divide-y divide-line">
            {commands.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 py-2" data-testid="recent-command">
                <div className="min-w-0">
                  <Link href={paths.device(orgSlug, c.deviceId)} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
                    {c.deviceName}
                  </Link>
                  <p className="truncate font-mono text-xs text-ink-muted" title={c.error ?? undefined}>
                    {c.shadowName ? `${c.shadowName}: ` : ''}
                    {c.desiredKeys.length > 0 ? c.desiredKeys.join(', ') : '(empty)'}
                  </p>
                </div>
                <div className="flex items-center gap-3">
                  <Badge tone={STATUS[c.status].tone}>{STATUS[c.status].label}</Badge>
                  <time dateTime={c.createdAt} className="w-20 text-right text-xs text-ink-muted">
                    {relativeTime(c.createdAt, nowIso)}
                  </time>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
