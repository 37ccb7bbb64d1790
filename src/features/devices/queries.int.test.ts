import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase, type Tx } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import {
  expectedOrder,
  matches,
  seedFleet,
  type FleetDevice,
  type SeededFleet,
} from '../../../scripts/test/device-list-fixtures';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, createTestUser, type TestOrg } from '../../../scripts/test/fixtures';
import { decodeCursor, encodeCursor } from './cursor';
import type { DeviceFilter } from './filters';
import { DEVICE_SORTS, type DeviceSort, type SortDirection } from './list-params';
import { countDevices, countDevicesUpTo, getDeviceFacets, listDevices, loadDeviceList, type DeviceListItem } from './queries';

/**
 * The device list against real Postgres as org members (RLS and private.member_devices): every
 * filter and search against a JS oracle, keyset pages in every sort and both directions with ties
 * and nulls, counts, facets, and what other tenants and strangers get (nothing).
 */
let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;
let fleetA: SeededFleet;
let fleetB: SeededFleet;
let integrationsA: [string, string];

beforeAll(async () => {
  orgA = await createTestOrg('list-a');
  orgB = await createTestOrg('list-b');
  stranger = await createTestUser('list-stranger');
  integrationsA = [(await createTestIntegration(orgA, { name: 'A main' })).id, (await createTestIntegration(orgA, { name: 'A second' })).id];
  const integrationsB: [string, string] = [(await createTestIntegration(orgB, { name: 'B main' })).id, (await createTestIntegration(orgB, { name: 'B second' })).id];
  fleetA = await seedFleet(orgA.id, integrationsA);
  // Org B holds look-alikes of A's devices (same names, same search terms): none may ever show up for A.
  fleetB = await seedFleet(orgB.id, integrationsB);
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const viewerA = () => orgA.members.viewer;
const names = (items: { thingName: string }[]) => items.map((d) => d.thingName);
const ids = (items: { id: string }[]) => items.map((d) => d.id);

async function listAll(user: SessionUser, orgId: string, filter: DeviceFilter, sort: DeviceSort = 'name', dir?: SortDirection, limit = 7) {
  const pages: DeviceListItem[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await as(user, (db) => listDevices(db, orgId, { filter, sort, dir, cursor, limit }));
    expect(page.cursorRejected).toBe(false);
    pages.push(page.items);
    if (!page.nextCursor) return { pages, items: pages.flat(), lastPrev: page.prevCursor };
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

function expectedFor(filter: DeviceFilter, sort: DeviceSort = 'name', dir: SortDirection = sort === 'lastSeen' ? 'desc' : 'asc'): FleetDevice[] {
  return expectedOrder(fleetA.devices.filter((d) => matches(d, filter)), sort, dir);
}

describe('filters and search', () => {
  const cases: [string, () => DeviceFilter][] = [
    ['no filter', () => ({})],
    ['one status', () => ({ status: ['offline'] })],
    ['two statuses', () => ({ status: ['stale', 'unknown'] })],
    ['thing type', () => ({ type: 'tracker' })],
    ['a leaf group', () => ({ group: 'berlin' })],
    ['a parent group includes its descendants', () => ({ group: 'eu' })],
    ['the root group', () => ({ group: 'all' })],
    ['a group with no members', () => ({ group: 'nowhere' })],
    ['firmware', () => ({ firmware: '1.1.0' })],
    ['integration', () => ({ integration: integrationsA[1] })],
    ['one attribute', () => ({ attr: [{ key: 'site', value: 'lab' }] })],
    ['two attributes', () => ({ attr: [{ key: 'site', value: 'plant' }, { key: 'floor', value: '2' }] })],
    ['battery below (nulls excluded)', () => ({ batteryBelow: 50 })],
    ['search by thing name', () => ({ q: 'dev-1' })],
    ['search by display name, any case', () => ({ q: 'UNIT' })],
    ['search by attribute value', () => ({ q: 'plant' })],
    ['search with nothing matching', () => ({ q: 'no-such-thing' })],
    ['search and filters together', () => ({ q: 'dev', status: ['online', 'stale'], batteryBelow: 60, group: 'eu' })],
  ];

  it.each(cases)('%s: exactly the matching live devices, in name order, and their count', async (_label, make) => {
    const filter = make();
    const expected = expectedFor(filter);
    const { items } = await listAll(viewerA(), orgA.id, filter);
    expect(ids(items)).toEqual(ids(expected));
    expect(await as(viewerA(), (db) => countDevices(db, orgA.id, filter))).toBe(expected.length);
  });

  it('sanity: the oracle selects something for most cases and never the removed device', () => {
    expect(expectedFor({}).length).toBe(fleetA.live.length);
    expect(expectedFor({ group: 'eu' }).length).toBeGreaterThan(expectedFor({ group: 'berlin' }).length);
    expect(fleetA.devices.some((d) => d.removed)).toBe(true);
  });

  it('never lists a removed device, even when searched for by name', async () => {
    const page = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: { q: 'gone' } }));
    expect(page.items).toEqual([]);
    expect(await as(viewerA(), (db) => countDevices(db, orgA.id, { q: 'gone' }))).toBe(0);
  });

  it('treats LIKE wildcards and backslashes in a search as plain characters', async () => {
    const search = async (q: string) => names((await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: { q } }))).items);
    expect(await search('50%')).toEqual(['pump-a']);
    expect(await search('tank_level')).toEqual(['tank-1']);
    expect(await search('%')).toEqual(['pump-a']);
    expect(await search('_')).toEqual(['tank-1']);
    expect(await search('c:\\fleet\\n')).toEqual(['back-1']);
  });

  it('returns DTOs with the integration name and ISO times, nothing else', async () => {
    const page = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: { q: 'dev-05' } }));
    expect(page.items).toHaveLength(2);
    const second = page.items.find((d) => d.integrationId === integrationsA[1])!;
    expect(Object.keys(second).sort()).toEqual(
      ['battery', 'displayName', 'firmwareVersion', 'groups', 'id', 'integrationId', 'integrationName', 'lastSeenAt', 'rssi', 'status', 'thingName', 'thingType'].sort(),
    );
    expect(second.integrationName).toBe('A second');
    expect(second.lastSeenAt).toMatch(/^2026-01-15T1\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('keyset pagination', () => {
  for (const sort of DEVICE_SORTS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`${sort} ${dir}: pages forward and back cover every device once, ties and nulls included`, async () => {
        const expected = expectedFor({}, sort, dir);
        const { pages, items, lastPrev } = await listAll(viewerA(), orgA.id, {}, sort, dir, 4);
        expect(ids(items)).toEqual(ids(expected));
        expect(new Set(ids(items)).size).toBe(items.length);

        // Back from the last page to the first, one page at a time.
        const back: DeviceListItem[][] = [pages[pages.length - 1]!];
        let cursor = lastPrev ?? undefined;
        while (cursor) {
          const page = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, sort, dir, cursor, limit: 4 }));
          back.unshift(page.items);
          cursor = page.prevCursor ?? undefined;
        }
        expect(back.map(ids)).toEqual(pages.map(ids));
      });
    }
  }

  it('paginates a filtered search the same way', async () => {
    const filter: DeviceFilter = { q: 'dev', batteryBelow: 95 };
    const { items } = await listAll(viewerA(), orgA.id, filter, 'battery', 'desc', 3);
    expect(ids(items)).toEqual(ids(expectedFor(filter, 'battery', 'desc')));
  });

  it('the first page has no previous page; the last has no next page', async () => {
    const first = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, limit: 10 }));
    expect(first.prevCursor).toBeNull();
    expect(first.nextCursor).not.toBeNull();
    const all = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, limit: 200 }));
    expect(all.nextCursor).toBeNull();
    expect(all.items).toHaveLength(fleetA.live.length);
  });

  it('ignores a cursor of another sort or a forged one, showing the first page', async () => {
    const first = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, limit: 5 }));
    const byStatus = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, sort: 'status', cursor: first.nextCursor!, limit: 5 }));
    expect(byStatus.cursorRejected).toBe(true);
    expect(ids(byStatus.items)).toEqual(ids(expectedFor({}, 'status', 'asc').slice(0, 5)));
    for (const forged of ['not-base64!', Buffer.from('{"s":"name"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      const page = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, cursor: forged, limit: 5 }));
      expect(page.cursorRejected).toBe(true);
      expect(ids(page.items)).toEqual(ids(first.items));
    }
  });

  it('a cursor carries microsecond timestamps exactly', async () => {
    const page = await as(viewerA(), (db) => listDevices(db, orgA.id, { filter: {}, sort: 'lastSeen', dir: 'desc', limit: 3 }));
    const cursor = decodeCursor(page.nextCursor!, 'lastSeen', 'desc');
    expect(cursor?.value).toMatch(/^2026-01-15T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(String(cursor?.value).slice(-8)).toMatch(/^\.12345[56]Z$/);
  });

  it('a cursor from another organization leads to nothing of it', async () => {
    const deviceB = fleetB.live[0]!;
    const cursor = encodeCursor({ sort: 'name', dir: 'asc', side: 'after', thingName: 'a', id: deviceB.id });
    const page = await as(viewerA(), (db) => listDevices(db, orgB.id, { filter: {}, cursor }));
    expect(page.items).toEqual([]);
  });
});

describe('counts for the page', () => {
  it('counts a filtered set exactly up to the cap, and says when there are more', async () => {
    const filter: DeviceFilter = { status: ['online'] };
    const n = expectedFor(filter).length;
    expect(n).toBeGreaterThan(3);
    const upTo = (cap: number) => as(viewerA(), (db) => countDevicesUpTo(db, orgA.id, filter, cap));
    expect(await upTo(n + 10)).toEqual({ count: n, exact: true });
    expect(await upTo(n)).toEqual({ count: n, exact: true });
    expect(await upTo(n - 1)).toEqual({ count: n - 1, exact: false });
    expect(await as(orgB.members.viewer, (db) => countDevicesUpTo(db, orgA.id, filter, 3))).toEqual({ count: 0, exact: true });
  });

  it('the page view: list, exact counts, the total for the empty state, and the facets', async () => {
    const all = await as(viewerA(), (db) => loadDeviceList(db, orgA.id, { filter: {}, sort: 'name', dir: 'asc' }));
    expect(all).toMatchObject({ count: fleetA.live.length, countExact: true, total: fleetA.live.length });
    expect(all.page.items).toHaveLength(Math.min(50, fleetA.live.length));
    const some = await as(viewerA(), (db) => loadDeviceList(db, orgA.id, { filter: { type: 'gateway' }, sort: 'battery', dir: 'desc' }));
    expect(some).toMatchObject({ count: expectedFor({ type: 'gateway' }).length, countExact: true, total: null });
    expect(ids(some.page.items)).toEqual(ids(expectedFor({ type: 'gateway' }, 'battery', 'desc')));
    const none = await as(viewerA(), (db) => loadDeviceList(db, orgA.id, { filter: { q: 'zzz-none' }, sort: 'name', dir: 'asc' }));
    expect(none).toMatchObject({ count: 0, countExact: true, total: fleetA.live.length });
    expect(none.facets.groups).toContain('eu');
  });
});

describe('facets', () => {
  it('offers the thing types and firmware versions of live devices, the group catalog and the integrations', async () => {
    const facets = await as(viewerA(), (db) => getDeviceFacets(db, orgA.id));
    const live = fleetA.live;
    const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))].sort();
    expect(facets.thingTypes).toEqual(distinct(live.map((d) => d.thingType)));
    expect(facets.firmwareVersions).toEqual(distinct(live.map((d) => d.firmwareVersion)));
    expect(facets.groups).toEqual(['all', 'berlin', 'eu', 'paris', 'pilot']);
    expect(facets.integrations.map((i) => i.name)).toEqual(['A main', 'A second']);
  });
});

describe('tenancy', () => {
  it.each(ORG_ROLES)('a %s of A lists all of A and nothing of B', async (role) => {
    const { items } = await listAll(orgA.members[role], orgA.id, {}, 'name', 'asc', 50);
    expect(ids(items).sort()).toEqual(ids(fleetA.live).sort());
  });

  it.each(ORG_ROLES)('a %s of A asking for org B gets no devices, no count and no facets', async (role) => {
    const user = orgA.members[role];
    const page = await as(user, (db) => listDevices(db, orgB.id, { filter: {} }));
    expect(page.items).toEqual([]);
    expect(await as(user, (db) => countDevices(db, orgB.id, {}))).toBe(0);
    expect(await as(user, (db) => countDevices(db, orgB.id, { q: 'pump' }))).toBe(0);
    const facets = await as(user, (db) => getDeviceFacets(db, orgB.id));
    expect(facets).toEqual({ thingTypes: [], groups: [], firmwareVersions: [], integrations: [] });
  });

  it('a user with no membership sees nothing anywhere', async () => {
    for (const org of [orgA, orgB]) {
      expect((await as(stranger, (db) => listDevices(db, org.id, { filter: {} }))).items).toEqual([]);
      expect(await as(stranger, (db) => countDevices(db, org.id, {}))).toBe(0);
    }
    expect(await as(stranger, (db) => db`select 1 from private.member_devices`)).toHaveLength(0);
  });

  it('the members read path shows each member only their organizations', async () => {
    const read = (user: SessionUser) => as(user, (db: Tx) => db<{ org_id: string }[]>`select distinct org_id from private.member_devices`);
    expect(await read(orgA.members.viewer)).toEqual([{ org_id: orgA.id }]);
    expect(await read(orgB.members.owner)).toEqual([{ org_id: orgB.id }]);
    // Someone in both organizations sees both, and loses one with its membership.
    await adminSql()`insert into public.memberships (org_id, user_id, role) values (${orgA.id}, ${stranger.id}, 'viewer'), (${orgB.id}, ${stranger.id}, 'viewer')`;
    try {
      expect((await read(stranger)).map((r) => r.org_id).sort()).toEqual([orgA.id, orgB.id].sort());
      await adminSql()`delete from public.memberships where org_id = ${orgA.id} and user_id = ${stranger.id}`;
      expect(await read(stranger)).toEqual([{ org_id: orgB.id }]);
    } finally {
      await adminSql()`delete from public.memberships where user_id = ${stranger.id}`;
    }
  });

  it('anonymous callers cannot read the members read path or the devices', async () => {
    await expect(asAnon((db) => db`select 1 from private.member_devices`)).rejects.toMatchObject({ code: '42501' });
    expect(await asAnon((db) => db`select 1 from public.devices`).catch((e: { code: string }) => e.code)).toBe('42501');
  });

  it('nobody writes through the members read path', async () => {
    await expect(
      as(orgA.members.owner, (db) => db`update private.member_devices set display_name = 'x' where org_id = ${orgA.id}`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
