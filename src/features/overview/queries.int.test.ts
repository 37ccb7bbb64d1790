import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { OVERVIEW_LIMITS } from './model';
import { getFleetOverview, overviewStatements } from './queries';

/**
 * The overview's numbers against devices whose every value the test chose: statuses, removed
 * devices, group lists, histogram edges, top-N cut-offs, OTA jobs and commands, and the tenant
 * boundary (org B's rows never reach org A's overview; a non-member gets nothing).
 */

interface DeviceSpec {
  status?: 'online' | 'offline' | 'stale' | 'unknown';
  type?: string | null;
  groups?: string[];
  firmware?: string | null;
  battery?: number | null;
  rssi?: number | null;
  removed?: boolean;
  displayName?: string | null;
}

let counter = 0;
async function insertDevices(org: TestOrg, integrationId: string, specs: DeviceSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of specs) {
    const [row] = await adminSql()<{ id: string }[]>`
      insert into public.devices (org_id, integration_id, thing_name, display_name, thing_type, groups, status, firmware_version, battery, rssi, sync_hash, removed_at)
      values (${org.id}, ${integrationId}, ${`thing-${++counter}`}, ${s.displayName ?? null}, ${s.type ?? null}, ${s.groups ?? []},
              ${s.status ?? 'online'}, ${s.firmware ?? null}, ${s.battery ?? null}, ${s.rssi ?? null}, 'h', ${s.removed ? new Date() : null})
      returning id`;
    ids.push(row!.id);
  }
  return ids;
}

const repeat = (n: number, spec: DeviceSpec): DeviceSpec[] => Array.from({ length: n }, () => ({ ...spec }));

let orgA: TestOrg;
let orgB: TestOrg;
let emptyOrg: TestOrg;
let deviceIdsA: string[];

beforeAll(async () => {
  orgA = await createTestOrg('overview-a');
  orgB = await createTestOrg('overview-b');
  emptyOrg = await createTestOrg('overview-empty');
  const integrationA = await createTestIntegration(orgA);
  const integrationB = await createTestIntegration(orgB);

  deviceIdsA = await insertDevices(orgA, integrationA.id, [
    // Statuses: 3 online, 2 offline, 1 stale, 1 unknown among the live ones.
    { status: 'online', type: 'sensor', groups: ['eu', 'site-berlin'], firmware: '1.0.0', battery: 0, rssi: -100, displayName: 'Boiler room' },
    { status: 'online', type: 'sensor', groups: ['eu'], firmware: '1.0.0', battery: 9.99, rssi: -90.5 },
    { status: 'online', type: 'gateway', groups: [], firmware: '2.0.0', battery: 10, rssi: -90 },
    { status: 'offline', type: null, groups: ['na'], firmware: null, battery: 100, rssi: -30 },
    { status: 'offline', type: 'sensor', groups: ['eu', 'na'], firmware: '2.0.0', battery: -5, rssi: -120 },
    { status: 'stale', type: 'sensor', groups: ['site-berlin'], firmware: '1.0.0', battery: 150, rssi: -20 },
    { status: 'unknown', type: 'tracker', groups: [], firmware: '3.0.0', battery: null, rssi: null },
    // Removed devices count nowhere, whatever their values.
    ...repeat(3, { status: 'online', type: 'removed-type', groups: ['eu', 'gone'], firmware: '9.9.9', battery: 50, rssi: -60, removed: true }),
  ]);
  // Org B: values A never has, so any leak shows up in A's numbers.
  const deviceIdsB = await insertDevices(orgB, integrationB.id, [
    ...repeat(4, { status: 'offline', type: 'b-type', groups: ['b-group', 'eu'], firmware: 'b-1.0', battery: 55, rssi: -55 }),
  ]);

  const sql = adminSql();
  await sql`
    insert into public.ota_jobs (org_id, integration_id, job_id, status, description, queued_count, in_progress_count, succeeded_count,
                                 failed_count, timed_out_count, canceled_count, last_updated_at_aws)
    values (${orgA.id}, ${integrationA.id}, 'rollout-old', 'IN_PROGRESS', 'Firmware 2.0.0', 5, 2, 10, 1, 1, 1, now() - interval '2 hours'),
           (${orgA.id}, ${integrationA.id}, 'rollout-new', 'IN_PROGRESS', null, 0, 1, 0, 0, 0, 0, now() - interval '1 hour'),
           (${orgA.id}, ${integrationA.id}, 'rollout-later', 'SCHEDULED', null, 0, 0, 0, 0, 0, 0, now()),
           (${orgA.id}, ${integrationA.id}, 'rollout-done', 'COMPLETED', null, 0, 0, 20, 0, 0, 0, now()),
           (${orgA.id}, ${integrationA.id}, 'rollout-stopped', 'CANCELED', null, 0, 0, 3, 0, 0, 4, now()),
           (${orgB.id}, ${integrationB.id}, 'rollout-b', 'IN_PROGRESS', null, 9, 9, 9, 9, 9, 9, now())`;
  // Ten commands in A (one more than shown), one in B newer than all of them.
  for (let i = 0; i < 10; i++) {
    const status = i === 9 ? 'failed' : 'pending';
    await sql`
      insert into public.device_commands (org_id, device_id, desired, status, created_at, resolved_at, error)
      values (${orgA.id}, ${deviceIdsA[i % 2]!}, ${sql.json({ zeta: i, alpha: true, mid: 'x', beta: 1, omega: 2 })}, ${status},
              now() - make_interval(mins => 10 - ${i}), ${status === 'failed' ? sql`now()` : null}, ${status === 'failed' ? 'desired state overwritten' : null})`;
  }
  await sql`
    insert into public.device_commands (org_id, device_id, desired, created_at)
    values (${orgB.id}, ${deviceIdsB[0]!}, '{"b": 1}', now())`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('device aggregates', () => {
  it('counts live devices by status; removed devices count nowhere', async () => {
    const overview = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    expect(overview.devices).toEqual({ total: 7, online: 3, offline: 2, stale: 1, unknown: 1 });
    expect(overview.thingTypes.items.map((i) => i.key)).not.toContain('removed-type');
    expect(overview.firmware.items.map((i) => i.key)).not.toContain('9.9.9');
    expect(overview.groups.items.map((i) => i.key)).not.toContain('gone');
  });

  it('counts a device in every group it belongs to, and devices in no group apart', async () => {
    const { groups } = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    expect(groups.items.map((i) => [i.key, i.count])).toEqual([
      ['eu', 3],
      ['na', 2],
      ['site-berlin', 2],
    ]);
    expect(groups.items[0]!.filter).toEqual({ group: 'eu' });
    expect(groups.ungrouped).toBe(2);
    expect(groups.moreGroups).toBe(0);
  });

  it('puts battery readings in 10 % buckets: lower edge inclusive, 100 in the last, out-of-range clamped, missing apart', async () => {
    const { battery, lowBattery } = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    const counts = Object.fromEntries(battery.buckets.map((b) => [b.label, b.count]));
    // 0, 9.99 and -5 → 0–10; 10 → 10–20; 100 and 150 → 90–100; null → missing.
    expect(counts).toEqual({
      '0–10 %': 3,
      '10–20 %': 1,
      '20–30 %': 0,
      '30–40 %': 0,
      '40–50 %': 0,
      '50–60 %': 0,
      '60–70 %': 0,
      '70–80 %': 0,
      '80–90 %': 0,
      '90–100 %': 2,
    });
    expect(battery.missing).toBe(1);
    expect(battery.buckets[1]!.filter).toEqual({ batteryBelow: 20 });
    expect(lowBattery).toEqual({ threshold: 20, count: 4 });
  });

  it('puts signal readings in 10 dBm buckets from −100 to −30 with open outer buckets, and offers no filter', async () => {
    const { signal } = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    // -120, -100 and -90.5 → below −90; -90 → −90…−80; -30 and -20 → −40 and stronger.
    expect(signal.buckets.map((b) => b.count)).toEqual([3, 1, 0, 0, 0, 0, 2]);
    expect(signal.buckets[0]!.label).toBe('< −90 dBm');
    expect(signal.buckets.at(-1)!.label).toBe('≥ −40 dBm');
    expect(signal.buckets.every((b) => b.filter === null)).toBe(true);
    expect(signal.missing).toBe(1);
  });

  it('lists firmware and thing types by count with their filters, devices without a value apart', async () => {
    const overview = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    expect(overview.firmware).toEqual({
      items: [
        { key: '1.0.0', label: '1.0.0', count: 3, filter: { firmware: '1.0.0' } },
        { key: '2.0.0', label: '2.0.0', count: 2, filter: { firmware: '2.0.0' } },
        { key: '3.0.0', label: '3.0.0', count: 1, filter: { firmware: '3.0.0' } },
      ],
      other: null,
      missing: 1,
      total: 7,
    });
    expect(overview.thingTypes.items.map((i) => [i.key, i.count, i.filter])).toEqual([
      ['sensor', 4, { type: 'sensor' }],
      ['gateway', 1, { type: 'gateway' }],
      ['tracker', 1, { type: 'tracker' }],
    ]);
    expect(overview.thingTypes.missing).toBe(1);
  });

  it(`keeps the top ${OVERVIEW_LIMITS.firmware} firmware versions and sums the rest as "other"`, async () => {
    const org = await createTestOrg('overview-topn');
    const integration = await createTestIntegration(org);
    // Version v<k> on k devices for k = 1..11, ties broken by name: v11 … v4 shown, v3 + v2 + v1 are "other".
    const specs = Array.from({ length: 11 }, (_, i) => repeat(i + 1, { firmware: `v${String(i + 1).padStart(2, '0')}` })).flat();
    await insertDevices(org, integration.id, [...specs, { firmware: null }, { firmware: 'v01', removed: true }]);
    const { firmware } = await as(org.members.viewer, (db) => getFleetOverview(db, org.id));
    expect(firmware.items.map((i) => [i.key, i.count])).toEqual([
      ['v11', 11],
      ['v10', 10],
      ['v09', 9],
      ['v08', 8],
      ['v07', 7],
      ['v06', 6],
      ['v05', 5],
      ['v04', 4],
    ]);
    expect(firmware.other).toEqual({ count: 3 + 2 + 1, kinds: 3 });
    expect(firmware.missing).toBe(1);
    expect(firmware.total).toBe(67);
  });

  it(`shows the ${OVERVIEW_LIMITS.groups} largest groups and counts how many more there are`, async () => {
    const org = await createTestOrg('overview-groups');
    const integration = await createTestIntegration(org);
    const groups = Array.from({ length: 13 }, (_, i) => `g${String(i).padStart(2, '0')}`);
    // Device i belongs to groups g00 … g(i): g00 has 13 devices, g12 has one.
    await insertDevices(org, integration.id, groups.map((_, i) => ({ groups: groups.slice(0, i + 1) })));
    const overview = await as(org.members.viewer, (db) => getFleetOverview(db, org.id));
    expect(overview.groups.items.map((i) => [i.key, i.count])).toEqual(groups.slice(0, 10).map((g, i) => [g, 13 - i]));
    expect(overview.groups.moreGroups).toBe(3);
    expect(overview.groups.ungrouped).toBe(0);
  });

  it('is all zeros for an organization without devices', async () => {
    const overview = await as(emptyOrg.members.owner, (db) => getFleetOverview(db, emptyOrg.id));
    expect(overview.devices).toEqual({ total: 0, online: 0, offline: 0, stale: 0, unknown: 0 });
    expect(overview.firmware).toEqual({ items: [], other: null, missing: 0, total: 0 });
    expect(overview.groups).toEqual({ items: [], moreGroups: 0, ungrouped: 0 });
    expect(overview.battery.buckets.every((b) => b.count === 0)).toBe(true);
    expect(overview.otaJobs).toEqual({ active: 0, items: [] });
    expect(overview.commands).toEqual([]);
  });
});

describe('jobs and commands', () => {
  it('lists in-progress jobs before scheduled ones with their execution counts; finished jobs are left out', async () => {
    const { otaJobs } = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    expect(otaJobs.active).toBe(3);
    expect(otaJobs.items.map((j) => [j.jobId, j.status])).toEqual([
      ['rollout-new', 'IN_PROGRESS'],
      ['rollout-old', 'IN_PROGRESS'],
      ['rollout-later', 'SCHEDULED'],
    ]);
    const old = otaJobs.items[1]!;
    expect(old.counts).toEqual({ queued: 5, inProgress: 2, succeeded: 10, failed: 1, rejected: 0, canceled: 1, removed: 0, timedOut: 1 });
    expect(old.total).toBe(20);
    expect(old.description).toBe('Firmware 2.0.0');
  });

  it(`counts every active job but lists at most ${OVERVIEW_LIMITS.jobs}`, async () => {
    const org = await createTestOrg('overview-jobs');
    const integration = await createTestIntegration(org);
    await adminSql()`
      insert into public.ota_jobs (org_id, integration_id, job_id, status)
      select ${org.id}, ${integration.id}, 'job-' || n, 'IN_PROGRESS' from generate_series(1, 7) n`;
    const { otaJobs } = await as(org.members.viewer, (db) => getFleetOverview(db, org.id));
    expect(otaJobs.active).toBe(7);
    expect(otaJobs.items).toHaveLength(OVERVIEW_LIMITS.jobs);
  });

  it('lists the newest commands first with the device name and the first desired keys', async () => {
    const { commands } = await as(orgA.members.viewer, (db) => getFleetOverview(db, orgA.id));
    expect(commands).toHaveLength(OVERVIEW_LIMITS.commands);
    expect(commands[0]).toMatchObject({
      deviceId: deviceIdsA[1],
      deviceName: expect.stringMatching(/^thing-\d+$/),
      status: 'failed',
      error: 'desired state overwritten',
      desiredKeys: ['alpha', 'beta', 'mid', 'omega'],
    });
    expect(commands[0]!.resolvedAt).not.toBeNull();
    expect(commands[1]).toMatchObject({ deviceId: deviceIdsA[0], deviceName: 'Boiler room', status: 'pending', resolvedAt: null });
    const times = commands.map((c) => Date.parse(c.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('tenancy', () => {
  it.each(ORG_ROLES)("the %s of A sees A's numbers and nothing of B's", async (role) => {
    const overview = await as(orgA.members[role], (db) => getFleetOverview(db, orgA.id));
    expect(overview.devices.total).toBe(7);
    expect(overview.firmware.items.map((i) => i.key)).not.toContain('b-1.0');
    expect(overview.groups.items.find((g) => g.key === 'eu')!.count).toBe(3);
    expect(overview.otaJobs.items.map((j) => j.jobId)).not.toContain('rollout-b');
    expect(overview.commands.every((c) => deviceIdsA.includes(c.deviceId))).toBe(true);
  });

  it("a member of B asking for A's overview gets an empty one, and B's own is untouched by A", async () => {
    const leaked = await as(orgB.members.owner, (db) => getFleetOverview(db, orgA.id));
    expect(leaked.devices.total).toBe(0);
    expect(leaked.firmware.items).toEqual([]);
    expect(leaked.otaJobs).toEqual({ active: 0, items: [] });
    expect(leaked.commands).toEqual([]);
    const own = await as(orgB.members.viewer, (db) => getFleetOverview(db, orgB.id));
    expect(own.devices).toEqual({ total: 4, online: 0, offline: 4, stale: 0, unknown: 0 });
    expect(own.groups.items.map((g) => [g.key, g.count])).toEqual([
      ['b-group', 4],
      ['eu', 4],
    ]);
  });

  it('an anonymous caller is refused', async () => {
    await expect(asAnon((db) => getFleetOverview(db, orgA.id))).rejects.toMatchObject({ code: '42501' });
  });
});

describe('query plan', () => {
  it('checks device membership once per statement, not once per device', async () => {
    const [row] = await as(orgA.members.viewer, (db) =>
      db<{ 'QUERY PLAN': unknown }[]>`explain (format json) ${overviewStatements.deviceFacets(db, orgA.id)}`,
    );
    const plan = JSON.stringify(row!['QUERY PLAN']);
    expect(plan).toContain('InitPlan');
    expect(plan).not.toMatch(/"Subplan Name":"SubPlan/);
  });
});
