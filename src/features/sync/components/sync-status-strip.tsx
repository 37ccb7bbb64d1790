'use client';

import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import type { SyncStatusDto } from '../queries';
import { number, relativeTime, syncBlockedReason } from './format';
import { SyncNowButton } from './sync-now-button';
import { SyncProgress } from './sync-progress';
import { paths } from '@/lib/paths';

const STATUS_TONES = { pending: 'neutral', active: 'success', paused: 'warning', error: 'danger' } as const;

/**
 * The overview's sync strip: one line per integration with its last run, live progress and Sync
 * now. The caller polls (useSyncStatus) and passes the data in.
 */
export function SyncStatusStrip({ orgSlug, data, error }: { orgSlug: string; data: SyncStatusDto; error: Error | null }) {
  return (
    <section className="rounded-lg border border-line bg-surface shadow-xs" aria-label="Sync status" data-testid="overview-sync">
      <header className="flex items-center justify-between border-b border-line px-5 py-3">
        <h2 className="text-base font-semibold text-ink">Sync</h2>
        <Link href={paths.integrations(orgSlug)} className="text-sm text-brand-700 hover:underline dark:text-brand-300">
          Integrations
        </Link>
      </header>
      {error ? (
        <p role="alert" className="px-5 py-3 text-sm text-danger-600">
          {error.message}
        </p>
      ) : null}
      <ul className="divide-y divide-line">
        {data.integrations.map((i) => {
          const last = i.recent.find((r) => r.status !== 'running');
          return (
            <li key={i.id} className="space-y-2 px-5 py-3" data-testid="sync-strip-row">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <div className="min-w-0">
                  <p className="flex items-center gap-2 text-sm font-medium text-ink">
                    {i.name} <Badge tone={STATUS_TONES[i.status]}>{i.status}</Badge>
                  </p>
                  <p className="text-xs text-ink-muted">
                    Last success {relativeTime(i.lastSyncAt, data.generatedAt)}
                    {last ? ` · last run ${last.status}, ${number.format(last.thingsSeen)} things, ${number.format(last.throttled)} throttled` : ''}
                    {i.nextSyncAt ? ` · next ${relativeTime(i.nextSyncAt, data.generatedAt)}` : ''}
                  </p>
                  {i.pausedReason ? <p className="text-xs text-warning-700 dark:text-warning-300">{i.pausedReason}</p> : null}
                  {!i.pausedReason && i.status === 'error' && i.lastError ? (
                    <p className="text-xs text-danger-700 dark:text-danger-300">{i.lastError}</p>
                  ) : null}
                </div>
                {data.canSync ? <SyncNowButton orgSlug={orgSlug} integrationId={i.id} disabledReason={syncBlockedReason(i, data.canSync)} /> : null}
              </div>
              {i.current ? <SyncProgress run={i.current} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
