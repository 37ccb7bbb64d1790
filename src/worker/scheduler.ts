import type PgBoss from 'pg-boss';
import type { Db } from '@/features/sync/runs';
import type { SyncTrigger } from '@/features/sync/schemas';
import { enqueueSync } from '@/lib/jobs/queues';

/**
 * Due = not paused, not running, and no sync started within its interval (failed attempts count, so
 * a failing account is retried by pg-boss's backoff, not every tick). Slack lets 60 s match the tick.
 */
const SLACK_SECONDS = 5;

export async function dueIntegrations(db: Db): Promise<string[]> {
  const rows = await db((tx) => tx<{ id: string }[]>`
    select i.id
    from public.integrations i
    where i.status <> 'paused'
      and not exists (
        select 1 from public.sync_runs r
        where r.org_id = i.org_id and r.integration_id = i.id
          and (r.status = 'running' or r.started_at > now() - make_interval(secs => i.sync_interval_seconds - ${SLACK_SECONDS}))
      )
    order by i.last_sync_at nulls first
    limit 1000`);
  return rows.map((r) => r.id);
}

/** Queues a sync for every due integration; returns how many were queued (already queued ones are skipped). */
export async function enqueueDueSyncs(boss: PgBoss, db: Db, trigger: SyncTrigger = 'schedule'): Promise<number> {
  let queued = 0;
  for (const integrationId of await dueIntegrations(db)) {
    if (await enqueueSync(boss, { integrationId, trigger, requestedBy: null })) queued++;
  }
  return queued;
}
