import type { IntegrationSyncDto, SyncRunDto } from '../queries';

/** Display helpers for the sync UI (relative times and numbers: lib/format). */
export { number, relativeTime } from '@/lib/format';

export function duration(run: Pick<SyncRunDto, 'startedAt' | 'finishedAt'>, nowIso: string): string {
  const ms = new Date(run.finishedAt ?? nowIso).getTime() - new Date(run.startedAt).getTime();
  if (ms < 1000) return `${Math.max(0, ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const MODE_LABELS = { fleet_index: 'Fleet index', registry: 'Registry' } as const;

export const PHASE_LABELS = {
  starting: 'Starting',
  catalog: 'Reading thing types and groups',
  things: 'Reading things',
  ota: 'Reading OTA jobs',
  finishing: 'Finishing',
} as const;

export const TRIGGER_LABELS = { schedule: 'Scheduled', manual: 'Sync now', cron: 'Cron', cli: 'Command line' } as const;


/** Why Sync now is unavailable, or null when it may be pressed. */
export function syncBlockedReason(integration: IntegrationSyncDto, canSync: boolean): string | null {
  if (!canSync) return 'Operators and above can start a sync.';
  if (integration.status === 'paused') return 'The integration is paused.';
  if (integration.current) return 'A sync is running.';
  return null;
}
