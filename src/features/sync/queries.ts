import type { Tx } from '@/lib/db';
import { hasRole, type OrgRole } from '@/lib/roles';
import type { DeviceStatus, SyncMode } from './model';
import type { ApiStats } from '@/features/integrations/runtime/quota';
import type { RunPhase } from './runs';
import { SYNC_NOW_MIN_ROLE, type SyncTrigger } from './schemas';

/** Reads for the sync UI: plain JSON-safe DTOs with explicit columns (never the credentials). */

export interface SyncRunDto {
  id: string;
  trigger: SyncTrigger;
  mode: SyncMode | null;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  thingsSeen: number;
  devicesUpserted: number;
  devicesUnchanged: number;
  devicesRemoved: number;
  shadowErrors: number;
  apiCalls: number;
  throttled: number;
  apiStats: Record<string, ApiStats>;
  progress: { phase?: RunPhase; pagesDone?: number; thingsSoFar?: number; expectedThings?: number | null };
  warnings: string[];
  error: string | null;
  errorCode: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface IntegrationSyncDto {
  id: string;
  name: string;
  status: 'pending' | 'active' | 'paused' | 'error';
  pausedReason: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
  syncIntervalSeconds: number;
  /** When the schedule will next pick it up (null while paused or running). */
  nextSyncAt: string | null;
  current: SyncRunDto | null;
  recent: SyncRunDto[];
}

export type DeviceKpis = Record<DeviceStatus | 'total', number>;

export interface SyncStatusDto {
  canSync: boolean;
  integrations: IntegrationSyncDto[];
  devices: DeviceKpis;
  generatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface RunRow {
  integration_id: string;
  id: string;
  trigger: SyncTrigger;
  mode: SyncMode | null;
  status: SyncRunDto['status'];
  things_seen: number;
  devices_upserted: number;
  devices_unchanged: number;
  devices_removed: number;
  shadow_errors: number;
  api_calls: number;
  throttled: number;
  api_stats: Record<string, ApiStats>;
  progress: SyncRunDto['progress'];
  warnings: string[];
  error: string | null;
  error_code: string | null;
  started_at: Date;
  finished_at: Date | null;
}

function toRunDto(r: RunRow): SyncRunDto {
  return {
    id: r.id,
    trigger: r.trigger,
    mode: r.mode,
    status: r.status,
    thingsSeen: r.things_seen,
    devicesUpserted: r.devices_upserted,
    devicesUnchanged: r.devices_unchanged,
    devicesRemoved: r.devices_removed,
    shadowErrors: r.shadow_errors,
    apiCalls: r.api_calls,
    throttled: r.throttled,
    apiStats: r.api_stats,
    progress: r.progress,
    warnings: r.warnings,
    error: r.error,
    errorCode: r.error_code,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
  };
}

export async function getDeviceKpis(db: Tx, orgId: string, integrationId?: string): Promise<DeviceKpis> {
  const [row] = await db<DeviceKpis[]>`
    select count(*)::int as total,
           count(*) filter (where status = 'online')::int as online,
           count(*) filter (where status = 'offline')::int as offline,
           count(*) filter (where status = 'stale')::int as stale,
           count(*) filter (where status = 'unknown')::int as unknown
    from public.devices
    where org_id = ${orgId} and removed_at is null ${integrationId ? db`and integration_id = ${integrationId}` : db``}`;
  return row!;
}

/** The sync state of an organization's integrations (or one of them) with their latest runs. */
export async function getSyncStatus(db: Tx, orgId: string, options: { role: OrgRole; integrationId?: string; runs: number }): Promise<SyncStatusDto> {
  const filter = options.integrationId ? db`and i.id = ${options.integrationId}` : db``;
  const integrations = await db<{
    id: string;
    name: string;
    status: IntegrationSyncDto['status'];
    paused_reason: string | null;
    last_sync_at: Date | null;
    last_error: string | null;
    sync_interval_seconds: number;
    next_sync_at: Date | null;
  }[]>`
    select i.id, i.name, i.status, i.paused_reason, i.last_sync_at, i.last_error, i.sync_interval_seconds,
           case when i.status = 'paused' then null
                else greatest(now(), coalesce(max(r.started_at) + make_interval(secs => i.sync_interval_seconds), now())) end as next_sync_at
    from public.integrations i
    left join public.sync_runs r on r.org_id = i.org_id and r.integration_id = i.id
    where i.org_id = ${orgId} ${filter}
    group by i.id
    order by i.name`;
  const runs = await db<RunRow[]>`
    select r.integration_id, r.id, r.trigger, r.mode, r.status, r.things_seen, r.devices_upserted, r.devices_unchanged,
           r.devices_removed, r.shadow_errors, r.api_calls, r.throttled, r.api_stats, r.progress, r.warnings, r.error,
           r.error_code, r.started_at, r.finished_at
    from public.integrations i
    cross join lateral (
      select * from public.sync_runs s
      where s.org_id = i.org_id and s.integration_id = i.id
      order by s.started_at desc
      limit ${options.runs}
    ) r
    where i.org_id = ${orgId} ${filter}`;
  return {
    canSync: hasRole(options.role, SYNC_NOW_MIN_ROLE),
    integrations: integrations.map((i) => {
      const mine = runs.filter((r) => r.integration_id === i.id).map(toRunDto);
      const current = mine.find((r) => r.status === 'running') ?? null;
      return {
        id: i.id,
        name: i.name,
        status: i.status,
        pausedReason: i.paused_reason,
        lastSyncAt: iso(i.last_sync_at),
        lastError: i.last_error,
        syncIntervalSeconds: i.sync_interval_seconds,
        nextSyncAt: current ? null : iso(i.next_sync_at),
        current,
        recent: mine,
      };
    }),
    devices: await getDeviceKpis(db, orgId, options.integrationId),
    generatedAt: new Date().toISOString(),
  };
}
