'use client';

import { useParams } from 'next/navigation';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { relativeTime, syncBlockedReason } from './format';
import { QuotaMeter } from './quota-meter';
import { SyncNowButton } from './sync-now-button';
import { SyncProgress } from './sync-progress';
import { SyncRunsTable } from './sync-runs-table';
import { useSyncStatus } from './use-sync-status';

const STATUS_TONES = { pending: 'neutral', active: 'success', paused: 'warning', error: 'danger' } as const;

/**
 * Everything about one integration's syncs: the run in progress (live), the latest runs with their
 * counters, and the AWS calls and throttles of the latest run. Embeddable on the integration page.
 */
export function IntegrationSyncPanel({ integrationId, orgSlug }: { integrationId: string; orgSlug?: string }) {
  const params = useParams<{ orgSlug: string }>();
  const slug = orgSlug ?? params.orgSlug;
  const { data, error, isPending } = useSyncStatus(slug, { integrationId });
  if (isPending) return <Card title="Sync"><p className="text-sm text-ink-muted">Loading…</p></Card>;
  if (error) return <Card title="Sync"><p role="alert" className="text-sm text-danger-600">{error.message}</p></Card>;
  const integration = data.integrations[0];
  if (!integration) return <Card title="Sync"><p className="text-sm text-ink-muted">This integration no longer exists.</p></Card>;
  const latest = integration.current ?? integration.recent[0] ?? null;
  const blocked = syncBlockedReason(integration, data.canSync);
  return (
    <div className="space-y-6" data-testid="integration-sync-panel">
      <Card
        title="Sync"
        description={
          <>
            Every {Math.round(integration.syncIntervalSeconds / 60)} min · last success {relativeTime(integration.lastSyncAt, data.generatedAt)}
            {integration.nextSyncAt ? ` · next ${relativeTime(integration.nextSyncAt, data.generatedAt)}` : ''}
          </>
        }
        actions={data.canSync ? <SyncNowButton orgSlug={slug} integrationId={integration.id} disabledReason={blocked} /> : null}
      >
        <div className="space-y-3">
          <div className="flex items-center gap-2">
            <Badge tone={STATUS_TONES[integration.status]}>{integration.status}</Badge>
            {integration.pausedReason ? <span className="text-sm text-warning-700 dark:text-warning-300">{integration.pausedReason}</span> : null}
            {!integration.pausedReason && integration.status === 'error' && integration.lastError ? (
              <span className="text-sm text-danger-700 dark:text-danger-300">{integration.lastError}</span>
            ) : null}
          </div>
          {integration.current ? <SyncProgress run={integration.current} /> : null}
        </div>
      </Card>
      <Card title="Recent syncs">
        <SyncRunsTable runs={integration.recent} now={data.generatedAt} />
      </Card>
      {latest ? (
        <Card title="AWS quota use" description="Requests of the latest sync per API, throttles in amber; rates are the budgeted token-bucket rate.">
          <QuotaMeter run={latest} />
        </Card>
      ) : null}
    </div>
  );
}
