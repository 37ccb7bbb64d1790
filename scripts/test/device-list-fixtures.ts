import { randomUUID } from 'node:crypto';
import type { DeviceFilter, DeviceStatusFilter } from '@/features/devices/filters';
import type { DeviceSort, SortDirection } from '@/features/devices/list-params';
import { adminSql } from './fixtures';

/**
 * A small fleet for device-list tests, inserted as the worker would (RLS bypassed), with a JS
 * oracle for what every filter and sort must return: ties and nulls in every sort column, the
 * same thing name in two integrations, LIKE wildcards and spreadsheet formulas in names, a nested
 * group catalog and a removed device.
 */

export interface FleetDevice {
  id: string;
  integrationId: string;
  thingName: string;
  displayName: string | null;
  thingType: string | null;
  status: DeviceStatusFilter;
  /** Microseconds before BASE_TIME (ties on purpose), or null when never seen. */
  lastSeenAgoMicros: number | null;
  firmwareVersion: string | null;
  battery: number | null;
  rssi: number | null;
  groups: string[];
  attributes: Record<string, string>;
  removed: boolean;
}

export const BASE_TIME_MICROS = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000 + 123_456;

const STATUSES: DeviceStatusFilter[] = ['online', 'offline', 'stale', 'unknown'];

export interface GroupDef {
  name: string;
  parent: string | null;
}

export const FLEET_GROUPS: GroupDef[] = [
  { name: 'all', parent: null },
  { name: 'eu', parent: 'all' },
  { name: 'berlin', parent: 'eu' },
  { name: 'paris', parent: 'eu' },
  { name: 'pilot', parent: null },
];

type Spec = Omit<FleetDevice, 'id' | 'integrationId' | 'removed'> & { second?: boolean; removed?: boolean };

/** The fleet of org A: 24 generated devices, duplicates in the second integration, special names. */
export function fleetSpecs(): Spec[] {
  const specs: Spec[] = [];
  for (let i = 1; i <= 24; i++) {
    specs.push({
      thingName: `dev-${String(i).padStart(2, '0')}`,
      displayName: i % 4 === 0 ? `Unit ${i}` : null,
      thingType: i % 5 === 0 ? null : ['sensor', 'tracker', 'gateway'][i % 3]!,
      status: STATUSES[i % 4]!,
      lastSeenAgoMicros: i % 8 === 0 ? null : (i % 5) * 60_000_000 + (i % 2),
      firmwareVersion: i % 6 === 0 ? null : ['1.0.0', '1.1.0', '2.0.0'][i % 3]!,
      battery: i % 7 === 0 ? null : [10, 50, 50, 90][i % 4]!,
      rssi: -40 - i,
      groups: i % 3 === 0 ? ['berlin'] : i % 3 === 1 ? ['paris', 'pilot'] : [],
      attributes: { site: i % 2 ? 'lab' : 'plant', floor: String(i % 3) },
    });
  }
  // The same thing names in the second AWS account: ties on the name, broken by id.
  specs.push({ ...specs[4]!, second: true, groups: ['berlin'] }, { ...specs[9]!, second: true, battery: null, groups: [] });
  const special = (thingName: string, displayName: string | null, extra: Partial<Spec> = {}): Spec => ({
    thingName,
    displayName,
    thingType: 'sensor',
    status: 'online',
    lastSeenAgoMicros: 0,
    firmwareVersion: '1.0.0',
    battery: 50,
    rssi: -70,
    groups: [],
    attributes: {},
    ...extra,
  });
  specs.push(
    special('pump-a', 'Pump 50% duty'),
    special('pump-b', 'Pump 500 duty'),
    special('tank-1', 'tank_level'),
    special('tank-2', 'tankXlevel'),
    special('back-1', 'C:\\fleet\\north'),
    special('formula-1', '=HYPERLINK("http://evil.test","x")', { attributes: { note: '+1' } }),
    special('formula-2', '-2+3', { groups: ['@ops'] }),
    special('formula-3', '@SUM(A1)'),
    special('formula-4', '\tindent'),
    special('quote-1', 'Boiler "B", east'),
    special('gone-1', 'Gone device', { removed: true }),
  );
  return specs;
}

export interface SeededFleet {
  devices: FleetDevice[];
  /** Live devices only. */
  live: FleetDevice[];
}

async function insertGroups(orgId: string, integrationId: string, groups: GroupDef[]) {
  for (const g of groups) {
    await adminSql()`insert into public.thing_groups (org_id, integration_id, name, parent_name) values (${orgId}, ${integrationId}, ${g.name}, ${g.parent})`;
  }
}

export async function seedFleet(orgId: string, integrationIds: [string, string], specs: Spec[] = fleetSpecs()): Promise<SeededFleet> {
  await insertGroups(orgId, integrationIds[0], FLEET_GROUPS);
  await insertGroups(orgId, integrationIds[1], [{ name: 'berlin', parent: null }]);
  const devices: FleetDevice[] = [];
  for (const spec of specs) {
    const { second, removed, ...fields } = spec;
    const device: FleetDevice = { ...fields, id: randomUUID(), integrationId: integrationIds[second ? 1 : 0], removed: removed ?? false };
    const lastSeen = device.lastSeenAgoMicros === null ? null : microsToText(BASE_TIME_MICROS - device.lastSeenAgoMicros);
    await adminSql()`
      insert into public.devices (id, org_id, integration_id, thing_name, display_name, thing_type, status, last_seen_at,
                                  firmware_version, battery, rssi, groups, attributes, sync_hash, removed_at)
      values (${device.id}, ${orgId}, ${device.integrationId}, ${device.thingName}, ${device.displayName}, ${device.thingType},
              ${device.status}, ${lastSeen}::text::timestamptz, ${device.firmwareVersion}, ${device.battery}, ${device.rssi},
              ${device.groups}, ${adminSql().json(device.attributes)}, 'test', ${device.removed ? new Date() : null})`;
    devices.push(device);
  }
  return { devices, live: devices.filter((d) => !d.removed) };
}

/** `2026-01-15 12:00:00.123456+00` from epoch microseconds (exact, unlike a JS Date). */
export function microsToText(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  return `${iso}.${String(micros % 1_000_000).padStart(6, '0')}+00`;
}

// ---- the oracle ------------------------------------------------------------------------------

function descendants(group: string, catalog: GroupDef[]): Set<string> {
  const out = new Set([group]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const g of catalog) {
      if (g.parent && out.has(g.parent) && !out.has(g.name)) {
        out.add(g.name);
        grew = true;
      }
    }
  }
  return out;
}

function searchable(d: FleetDevice): string[] {
  return [d.thingName, d.displayName ?? '', ...Object.entries(d.attributes).flat()].map((s) => s.toLowerCase());
}

export function matches(d: FleetDevice, f: DeviceFilter): boolean {
  if (d.removed) return false;
  if (f.q && !searchable(d).some((s) => s.includes(f.q!.toLowerCase()))) return false;
  if (f.status && !f.status.includes(d.status)) return false;
  if (f.type && d.thingType !== f.type) return false;
  if (f.group) {
    const wanted = descendants(f.group, FLEET_GROUPS);
    if (!d.groups.some((g) => wanted.has(g))) return false;
  }
  if (f.firmware && d.firmwareVersion !== f.firmware) return false;
  if (f.integration && d.integrationId !== f.integration) return false;
  for (const { key, value } of f.attr ?? []) if (d.attributes[key] !== value) return false;
  if (f.batteryBelow !== undefined && !(d.battery !== null && d.battery < f.batteryBelow)) return false;
  return true;
}

const STATUS_RANK: Record<DeviceStatusFilter, number> = { online: 0, offline: 1, stale: 2, unknown: 3 };

function sortValue(d: FleetDevice, sort: DeviceSort): string | number | null {
  switch (sort) {
    case 'name':
      return d.thingName;
    case 'status':
      return STATUS_RANK[d.status];
    case 'lastSeen':
      return d.lastSeenAgoMicros === null ? null : -d.lastSeenAgoMicros;
    case 'type':
      return d.thingType;
    case 'firmware':
      return d.firmwareVersion;
    case 'battery':
      return d.battery;
  }
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The list order: sort value (nulls last in both directions), then thing name, then id, all in `dir`. */
export function expectedOrder(devices: FleetDevice[], sort: DeviceSort, dir: SortDirection): FleetDevice[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...devices].sort((a, b) => {
    const va = sortValue(a, sort);
    const vb = sortValue(b, sort);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    const byValue = va === null || vb === null ? 0 : cmp(va, vb);
    return sign * (byValue || cmp(a.thingName, b.thingName) || cmp(a.id, b.id));
  });
}
