import type { Tx } from '@/lib/db';

/** Reads of the device page: plain JSON-safe DTOs with explicit columns, under the caller's RLS. */

export type DeviceStatus = 'online' | 'offline' | 'stale' | 'unknown';

export interface DeviceDetailDto {
  id: string;
  thingName: string;
  displayName: string | null;
  thingType: string | null;
  attributes: Record<string, string>;
  groups: string[];
  registryVersion: number | null;
  connected: boolean | null;
  status: DeviceStatus;
  lastSeenAt: string | null;
  connectivityChangedAt: string | null;
  disconnectReason: string | null;
  firmwareVersion: string | null;
  battery: number | null;
  rssi: number | null;
  temperature: number | null;
  integration: { id: string; name: string; status: string };
  firstSeenAt: string;
  syncedAt: string;
  removedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const num = (v: string | number | null) => (v === null ? null : Number(v));

export async function getDeviceDetail(db: Tx, orgId: string, deviceId: string): Promise<DeviceDetailDto | null> {
  const [r] = await db<{
    id: string;
    thing_name: string;
    display_name: string | null;
    thing_type: string | null;
    attributes: Record<string, string>;
    groups: string[];
    registry_version: string | null;
    connected: boolean | null;
    status: DeviceStatus;
    last_seen_at: Date | null;
    connectivity_changed_at: Date | null;
    disconnect_reason: string | null;
    firmware_version: string | null;
    battery: number | null;
    rssi: number | null;
    temperature: number | null;
    integration_id: string;
    integration_name: string;
    integration_status: string;
    first_seen_at: Date;
    synced_at: Date;
    removed_at: Date | null;
  }[]>`
    select d.id, d.thing_name, d.display_name, d.thing_type, d.attributes, d.groups, d.registry_version, d.connected, d.status,
           d.last_seen_at, d.connectivity_changed_at, d.disconnect_reason, d.firmware_version, d.battery, d.rssi, d.temperature,
           i.id as integration_id, i.name as integration_name, i.status::text as integration_status,
           d.first_seen_at, d.synced_at, d.removed_at
    from public.devices d
    join public.integrations i on i.id = d.integration_id and i.org_id = d.org_id
    where d.id = ${deviceId} and d.org_id = ${orgId}`;
  if (!r) return null;
  return {
    id: r.id,
    thingName: r.thing_name,
    displayName: r.display_name,
    thingType: r.thing_type,
    attributes: r.attributes,
    groups: r.groups,
    registryVersion: num(r.registry_version),
    connected: r.connected,
    status: r.status,
    lastSeenAt: iso(r.last_seen_at),
    connectivityChangedAt: iso(r.connectivity_changed_at),
    disconnectReason: r.disconnect_reason,
    firmwareVersion: r.firmware_version,
    battery: r.battery,
    rssi: r.rssi,
    temperature: r.temperature,
    integration: { id: r.integration_id, name: r.integration_name, status: r.integration_status },
    firstSeenAt: r.first_seen_at.toISOString(),
    syncedAt: r.synced_at.toISOString(),
    removedAt: iso(r.removed_at),
  };
}

export interface ShadowHistoryEntry {
  version: number;
  reportedAt: string | null;
  observedAt: string;
  reported: Record<string, unknown>;
  /** Top-level keys whose value differs from the previous entry shown (all keys for the oldest). */
  changed: string[];
}

/** The newest reported-state versions the syncs observed, each with what changed since the one before. */
export async function listShadowHistory(db: Tx, orgId: string, deviceId: string, limit = 15): Promise<ShadowHistoryEntry[]> {
  const rows = await db<{ shadow_version: string; reported_at: Date | null; observed_at: Date; reported: Record<string, unknown> }[]>`
    select shadow_version, reported_at, observed_at, reported
    from public.device_shadow_history
    where org_id = ${orgId} and device_id = ${deviceId}
    order by shadow_version desc
    limit ${limit + 1}`;
  const entries: ShadowHistoryEntry[] = [];
  for (let i = 0; i < Math.min(rows.length, limit); i++) {
    const r = rows[i]!;
    const previous = rows[i + 1]?.reported;
    const keys = new Set([...Object.keys(r.reported), ...Object.keys(previous ?? {})]);
    const changed = previous
      ? [...keys].filter((k) => JSON.stringify(r.reported[k]) !== JSON.stringify(previous[k])).sort()
      : Object.keys(r.reported).sort();
    entries.push({ version: Number(r.shadow_version), reportedAt: iso(r.reported_at), observedAt: r.observed_at.toISOString(), reported: r.reported, changed });
  }
  return entries;
}

export interface DeviceOtaExecutionDto {
  otaJobId: string;
  jobId: string;
  jobStatus: string;
  description: string | null;
  status: string;
  queuedAt: string | null;
  startedAt: string | null;
  lastUpdatedAt: string | null;
  retryAttempt: number | null;
}

/** This device's executions of the integration's OTA jobs (executions name things, not device ids). */
export async function listDeviceOtaExecutions(db: Tx, orgId: string, device: { thingName: string; integrationId: string }, limit = 20): Promise<DeviceOtaExecutionDto[]> {
  const rows = await db<{
    ota_job_id: string;
    job_id: string;
    job_status: string;
    description: string | null;
    status: string;
    queued_at: Date | null;
    started_at: Date | null;
    last_updated_at: Date | null;
    retry_attempt: number | null;
  }[]>`
    select e.ota_job_id, j.job_id, j.status as job_status, j.description, e.status, e.queued_at, e.started_at, e.last_updated_at, e.retry_attempt
    from public.ota_job_executions e
    join public.ota_jobs j on j.id = e.ota_job_id and j.org_id = e.org_id
    where e.org_id = ${orgId} and e.thing_name = ${device.thingName} and j.integration_id = ${device.integrationId}
    order by coalesce(e.last_updated_at, e.queued_at) desc nulls last
    limit ${limit}`;
  return rows.map((r) => ({
    otaJobId: r.ota_job_id,
    jobId: r.job_id,
    jobStatus: r.job_status,
    description: r.description,
    status: r.status,
    queuedAt: iso(r.queued_at),
    startedAt: iso(r.started_at),
    lastUpdatedAt: iso(r.last_updated_at),
    retryAttempt: r.retry_attempt,
  }));
}
