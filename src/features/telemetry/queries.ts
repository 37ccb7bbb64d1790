import type { Tx } from '@/lib/db';
import type { OrgRef } from '@/lib/context';
import type { OrgRole } from '@/lib/roles';
import { readCapabilities } from '@/features/integrations/capabilities';
import { deviceFilterWhere, type DeviceFilter } from '@/features/devices/filters';
import type { SelectedDevice } from './source';

/** Reads for telemetry, run as the member (RLS applies), with explicit columns. */

/** The member's organization by slug; null for non-members (same answer as a missing org). */
export async function getTelemetryMembership(db: Tx, slug: string): Promise<{ org: OrgRef; role: OrgRole } | null> {
  const [row] = await db<{ id: string; slug: string; name: string; role: OrgRole }[]>`
    select o.id, o.slug, o.name, m.role
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    where o.slug = ${slug}`;
  return row ? { org: { id: row.id, slug: row.slug, name: row.name }, role: row.role } : null;
}

export interface TelemetryDevice {
  id: string;
  thingName: string;
  displayName: string | null;
  integrationId: string;
  integrationName: string;
  removedAt: Date | null;
}

export async function getTelemetryDevice(db: Tx, orgId: string, deviceId: string): Promise<TelemetryDevice | null> {
  const [row] = await db<TelemetryDevice[]>`
    select d.id, d.thing_name as "thingName", d.display_name as "displayName", d.integration_id as "integrationId",
           i.name as "integrationName", d.removed_at as "removedAt"
    from public.devices d join public.integrations i on i.id = d.integration_id
    where d.org_id = ${orgId} and d.id = ${deviceId}`;
  return row ?? null;
}

export interface FleetSelection {
  integrationId: string;
  /** Devices the filter selects in this integration. */
  selected: number;
  /** Live devices of the integration. */
  live: number;
  /** md5 of the selected thing names, sorted and comma-joined (matches cache.digestNames). */
  digest: string;
}

/** Per integration: how many live devices the filter selects, out of how many, and a digest of which. */
export async function listFleetSelections(db: Tx, orgId: string, filter: DeviceFilter): Promise<FleetSelection[]> {
  const rows = await db<FleetSelection[]>`
    with selected as (
      select d.integration_id, count(*)::int as selected,
             md5(string_agg(d.thing_name, ',' order by d.thing_name collate "C")) as digest
      from public.devices d
      where ${deviceFilterWhere(db, orgId, filter)}
      group by d.integration_id
    )
    select s.integration_id as "integrationId", s.selected, s.digest,
           (select count(*)::int from public.devices x
             where x.org_id = ${orgId} and x.integration_id = s.integration_id and x.removed_at is null) as live
    from selected s
    order by s.integration_id`;
  return rows;
}

/** The selected devices of one integration (only fetched when the cache cannot answer). */
export async function listSelectedDevices(db: Tx, orgId: string, filter: DeviceFilter, integrationId: string): Promise<SelectedDevice[]> {
  return db<SelectedDevice[]>`
    select d.id, d.thing_name as "thingName"
    from public.devices d
    where ${deviceFilterWhere(db, orgId, filter)} and d.integration_id = ${integrationId}
    order by d.thing_name collate "C"`;
}

export async function countFleetDevices(db: Tx, orgId: string, filter: DeviceFilter): Promise<{ selected: number; total: number }> {
  const [row] = await db<{ selected: number; total: number }[]>`
    select (select count(*)::int from public.devices d where ${deviceFilterWhere(db, orgId, filter)}) as selected,
           (select count(*)::int from public.devices d where d.org_id = ${orgId} and d.removed_at is null) as total`;
  return row ?? { selected: 0, total: 0 };
}

export interface TelemetryIntegration {
  id: string;
  name: string;
  region: string;
  authType: 'access_keys' | 'assume_role';
  roleArn: string | null;
  externalId: string | null;
  customEndpoint: string | null;
  iotDataEndpoint: string | null;
  timestreamDatabase: string | null;
  timestreamTable: string | null;
  /** The last preflight could query Timestream. */
  timestreamAllowed: boolean;
  updatedAt: Date;
}

export async function listTelemetryIntegrations(db: Tx, orgId: string, ids: readonly string[]): Promise<TelemetryIntegration[]> {
  if (ids.length === 0) return [];
  const rows = await db<(Omit<TelemetryIntegration, 'timestreamAllowed'> & { capabilities: unknown })[]>`
    select id, name, region, auth_type as "authType", role_arn as "roleArn", external_id as "externalId",
           custom_endpoint as "customEndpoint", iot_data_endpoint as "iotDataEndpoint",
           timestream_database as "timestreamDatabase", timestream_table as "timestreamTable", capabilities,
           updated_at as "updatedAt"
    from public.integrations
    where org_id = ${orgId} and id = any(${[...ids]}::uuid[])
    order by lower(name), id`;
  return rows.map(({ capabilities, ...row }) => ({
    ...row,
    timestreamAllowed: readCapabilities(capabilities)?.checks.some((c) => c.id === 'timestreamQuery' && c.status === 'ok') ?? false,
  }));
}

/** A few of the selected devices, for links to their own charts. */
export async function listFleetDevicesPreview(db: Tx, orgId: string, filter: DeviceFilter, limit = 12): Promise<{ id: string; thingName: string; displayName: string | null }[]> {
  return db<{ id: string; thingName: string; displayName: string | null }[]>`
    select d.id, d.thing_name as "thingName", d.display_name as "displayName"
    from public.devices d
    where ${deviceFilterWhere(db, orgId, filter)}
    order by d.thing_name collate "C"
    limit ${limit}`;
}
