import type { Tx } from '@/lib/db';
import { AppError } from '@/lib/errors';
import type { CommandStatus, DesiredDocument } from './schemas';

/** Reads for commands and the live part of the device page: plain JSON-safe DTOs, explicit columns. */

export interface DeviceTarget {
  id: string;
  integrationId: string;
  thingName: string;
  thingType: string | null;
  attributes: Record<string, string>;
  registryVersion: number | null;
}

/** The device a write is aimed at (visible under the caller's RLS, of this org, not removed). */
export async function getDeviceTargetOrThrow(db: Tx, orgId: string, deviceId: string): Promise<DeviceTarget> {
  const [row] = await db<{ id: string; integration_id: string; thing_name: string; thing_type: string | null; attributes: Record<string, string>; registry_version: string | null; removed: boolean }[]>`
    select id, integration_id, thing_name, thing_type, attributes, registry_version, removed_at is not null as removed
    from public.devices where id = ${deviceId} and org_id = ${orgId}`;
  if (!row) throw new AppError('NOT_FOUND', 'Device not found.');
  if (row.removed) throw new AppError('PRECONDITION', `${row.thing_name} was removed from AWS; it can no longer be changed.`);
  return {
    id: row.id,
    integrationId: row.integration_id,
    thingName: row.thing_name,
    thingType: row.thing_type,
    attributes: row.attributes,
    registryVersion: row.registry_version === null ? null : Number(row.registry_version),
  };
}

export interface CommandDto {
  id: string;
  shadowName: string | null;
  desired: DesiredDocument;
  status: CommandStatus;
  shadowVersion: number | null;
  timeoutSeconds: number;
  requestedBy: string | null;
  createdAt: string;
  deliveredAt: string | null;
  resolvedAt: string | null;
  error: string | null;
}

export interface ShadowDto {
  reported: Record<string, unknown> | null;
  desired: Record<string, unknown> | null;
  delta: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  version: number | null;
}

/** What the device page polls while a command is open: the shadows, the state and the commands. */
export interface DeviceLiveDto {
  deviceId: string;
  status: 'online' | 'offline' | 'stale' | 'unknown';
  connected: boolean | null;
  lastSeenAt: string | null;
  shadow: ShadowDto | null;
  namedShadows: Record<string, ShadowDto>;
  /** False when no sync has looked at named shadows (a fleet index without named-shadow indexing). */
  namedShadowsKnown: boolean;
  syncedAt: string;
  refreshedAt: string | null;
  commands: CommandDto[];
  openCommands: number;
  generatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toShadow(raw: unknown, version: number | null): ShadowDto | null {
  if (!raw || typeof raw !== 'object') return null;
  const s = raw as Record<string, unknown>;
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  return { reported: obj(s.reported), desired: obj(s.desired), delta: obj(s.delta), metadata: obj(s.metadata), version: typeof s.version === 'number' ? s.version : version };
}

interface CommandRow {
  id: string;
  shadow_name: string | null;
  desired: DesiredDocument;
  status: CommandStatus;
  shadow_version: string | null;
  timeout_seconds: number;
  requested_by_email: string | null;
  created_at: Date;
  delivered_at: Date | null;
  resolved_at: Date | null;
  error: string | null;
}

export async function listDeviceCommands(db: Tx, orgId: string, deviceId: string, limit = 10): Promise<CommandDto[]> {
  // Requesters by email through list_org_members (auth.users is not readable by API roles).
  const rows = await db<CommandRow[]>`
    select c.id, c.shadow_name, c.desired, c.status, c.shadow_version, c.timeout_seconds, c.created_at, c.delivered_at,
           c.resolved_at, c.error, m.email as requested_by_email
    from public.device_commands c
    left join public.list_org_members(${orgId}) m on m.user_id = c.requested_by
    where c.org_id = ${orgId} and c.device_id = ${deviceId}
    order by c.created_at desc
    limit ${limit}`;
  return rows.map((r) => ({
    id: r.id,
    shadowName: r.shadow_name,
    desired: r.desired,
    status: r.status,
    shadowVersion: r.shadow_version === null ? null : Number(r.shadow_version),
    timeoutSeconds: r.timeout_seconds,
    requestedBy: r.requested_by_email,
    createdAt: r.created_at.toISOString(),
    deliveredAt: iso(r.delivered_at),
    resolvedAt: iso(r.resolved_at),
    error: r.error,
  }));
}

export async function getDeviceLive(db: Tx, orgId: string, deviceId: string): Promise<DeviceLiveDto | null> {
  const [row] = await db<{
    id: string;
    status: DeviceLiveDto['status'];
    connected: boolean | null;
    last_seen_at: Date | null;
    shadow: unknown;
    shadow_version: string | null;
    named_shadows: Record<string, unknown> | null;
    synced_at: Date;
    shadow_refreshed_at: Date | null;
    open_commands: number;
  }[]>`
    select d.id, d.status, d.connected, d.last_seen_at, d.shadow, d.shadow_version, d.named_shadows, d.synced_at, d.shadow_refreshed_at,
           (select count(*)::int from public.device_commands c
            where c.org_id = d.org_id and c.device_id = d.id and c.status in ('pending', 'delivered')) as open_commands
    from public.devices d
    where d.id = ${deviceId} and d.org_id = ${orgId}`;
  if (!row) return null;
  const named: Record<string, ShadowDto> = {};
  for (const [name, s] of Object.entries(row.named_shadows ?? {})) {
    const shadow = toShadow(s, null);
    if (shadow) named[name] = shadow;
  }
  return {
    deviceId: row.id,
    status: row.status,
    connected: row.connected,
    lastSeenAt: iso(row.last_seen_at),
    shadow: toShadow(row.shadow, row.shadow_version === null ? null : Number(row.shadow_version)),
    namedShadows: named,
    namedShadowsKnown: row.named_shadows !== null,
    syncedAt: row.synced_at.toISOString(),
    refreshedAt: iso(row.shadow_refreshed_at),
    commands: await listDeviceCommands(db, orgId, deviceId),
    openCommands: row.open_commands,
    generatedAt: new Date().toISOString(),
  };
}
