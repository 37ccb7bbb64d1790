import {
  DescribeEndpointCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ListThingTypesCommand,
  UpdateThingCommand,
  paginateListThingGroups,
  paginateListThings,
  paginateListThingsInThingGroup,
  paginateListThingTypes,
  type IoTClient,
  type ThingAttribute,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from './config';
import { SITES, THING_GROUPS } from './fleet';
import type { RunningSimulator } from './server';
import { clients, failure, startTestSimulator } from './test-support';

const THINGS = 60;
let sim: RunningSimulator;
let iot: IoTClient;
/** The fleet as seeded, before the UpdateThing tests change attributes. */
let initial: ThingAttribute[];

beforeAll(async () => {
  sim = await startTestSimulator({ things: THINGS, seed: 3 });
  iot = clients(sim).iot;
  initial = await allThings(250);
});
afterAll(() => sim.close());

async function allThings(pageSize: number, input: Record<string, unknown> = {}): Promise<ThingAttribute[]> {
  const out: ThingAttribute[] = [];
  for await (const page of paginateListThings({ client: iot, pageSize }, input)) out.push(...(page.things ?? []));
  return out;
}

function names(things: { thingName?: string }[]): string[] {
  return things.map((t) => t.thingName!);
}

describe('ListThings', () => {
  it('pages to completion at several page sizes with the same things in the same order', async () => {
    const expected = Array.from({ length: THINGS }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`);
    for (const size of [1, 7, 250]) {
      expect(names(await allThings(size))).toEqual(expected);
    }
    const first = await iot.send(new ListThingsCommand({ maxResults: 7 }));
    expect(first.things).toHaveLength(7);
    expect(first.nextToken).toBeTypeOf('string');
    const last = await iot.send(new ListThingsCommand({ maxResults: 250 }));
    expect(last.nextToken).toBeUndefined();
  });

  it('returns registry fields with an account-scoped ARN', async () => {
    const [t] = (await iot.send(new ListThingsCommand({ maxResults: 1 }))).things ?? [];
    expect(t).toMatchObject({
      thingName: 'sensor-000001',
      thingArn: `arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}:thing/sensor-000001`,
      version: 1,
    });
    expect(Object.keys(t!.attributes ?? {}).sort()).toEqual(['hwRev', 'model', 'serial', 'site']);
    expect(['env-sensor', 'tracker', 'gateway']).toContain(t!.thingTypeName);
  });

  it('validates maxResults (1..250) and nextToken', async () => {
    for (const maxResults of [0, 251]) {
      const err = await failure(iot.send(new ListThingsCommand({ maxResults })));
      expect(err.name).toBe('InvalidRequestException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    const bad = await failure(iot.send(new ListThingsCommand({ nextToken: 'not-a-token' })));
    expect(bad.name).toBe('InvalidRequestException');
    const token = (await iot.send(new ListThingsCommand({ maxResults: 2 }))).nextToken;
    const mismatch = await failure(iot.send(new ListThingsCommand({ nextToken: token, thingTypeName: 'tracker' })));
    expect(mismatch.name).toBe('InvalidRequestException');
  });

  it('filters by thing type', async () => {
    const all = await allThings(250);
    const trackers = await allThings(5, { thingTypeName: 'tracker' });
    expect(trackers.length).toBeGreaterThan(0);
    expect(names(trackers)).toEqual(names(all.filter((t) => t.thingTypeName === 'tracker')));
  });

  it('filters on searchable attributes only, exact or by prefix', async () => {
    const all = await allThings(250);
    const berlin = await allThings(4, { attributeName: 'site', attributeValue: 'berlin' });
    expect(berlin.length).toBeGreaterThan(0);
    expect(names(berlin)).toEqual(names(all.filter((t) => t.attributes?.site === 'berlin')));
    const prefixed = await allThings(250, { attributeName: 'site', attributeValue: 'ber', usePrefixAttributeValue: true });
    expect(names(prefixed)).toEqual(names(berlin));
    // hwRev is not a searchable attribute of any thing type, so typed things never match it.
    const hw = all[0]!.attributes!.hwRev!;
    expect(await allThings(250, { attributeName: 'hwRev', attributeValue: hw })).toEqual([]);
    const err = await failure(iot.send(new ListThingsCommand({ attributeName: 'site' })));
    expect(err.name).toBe('InvalidRequestException');
  });
});

describe('DescribeThing and UpdateThing', () => {
  it('describes a thing and reports unknown things as ResourceNotFoundException 404', async () => {
    const t = await iot.send(new DescribeThingCommand({ thingName: 'sensor-000005' }));
    expect(t).toMatchObject({ thingName: 'sensor-000005', defaultClientId: 'sensor-000005', version: 1 });
    expect(t.thingId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const err = await failure(iot.send(new DescribeThingCommand({ thingName: 'sensor-999999' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it('merges, replaces and removes attributes and increments the version', async () => {
    const thingName = 'sensor-000010';
    const before = await iot.send(new DescribeThingCommand({ thingName }));
    await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { owner: 'ops' }, merge: true } }));
    const merged = await iot.send(new DescribeThingCommand({ thingName }));
    expect(merged.attributes).toEqual({ ...before.attributes, owner: 'ops' });
    expect(merged.version).toBe(before.version! + 1);

    await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { owner: '' }, merge: true } }));
    expect((await iot.send(new DescribeThingCommand({ thingName }))).attributes).toEqual(before.attributes);

    await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { site: 'lab', empty: '' } } }));
    const replaced = await iot.send(new DescribeThingCommand({ thingName }));
    expect(replaced.attributes).toEqual({ site: 'lab' });
    expect(replaced.version).toBe(before.version! + 3);
  });

  it('rejects a stale expectedVersion with VersionConflictException 409', async () => {
    const thingName = 'sensor-000011';
    const { version } = await iot.send(new DescribeThingCommand({ thingName }));
    await iot.send(new UpdateThingCommand({ thingName, expectedVersion: version, attributePayload: { attributes: { a: '1' }, merge: true } }));
    const err = await failure(
      iot.send(new UpdateThingCommand({ thingName, expectedVersion: version, attributePayload: { attributes: { a: '2' }, merge: true } })),
    );
    expect(err.name).toBe('VersionConflictException');
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect((await iot.send(new DescribeThingCommand({ thingName }))).attributes?.a).toBe('1');
  });

  it('allows at most 3 attributes on a thing without a type', async () => {
    const thingName = 'sensor-000012';
    const tooMany = await failure(iot.send(new UpdateThingCommand({ thingName, removeThingType: true })));
    expect(tooMany.name).toBe('InvalidRequestException');
    expect((await iot.send(new DescribeThingCommand({ thingName }))).thingTypeName).toBeDefined();

    await iot.send(
      new UpdateThingCommand({ thingName, removeThingType: true, attributePayload: { attributes: { site: 'x', hwRev: 'B', note: 'n' } } }),
    );
    const untyped = await iot.send(new DescribeThingCommand({ thingName }));
    expect(untyped.thingTypeName).toBeUndefined();
    expect(untyped.attributes).toEqual({ site: 'x', hwRev: 'B', note: 'n' });
    // Untyped things are searchable on all of their attributes.
    expect(names(await allThings(250, { attributeName: 'hwRev', attributeValue: 'B' }))).toContain(thingName);

    const fourth = await failure(iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { d: '4' }, merge: true } })));
    expect(fourth.name).toBe('InvalidRequestException');
    await iot.send(new UpdateThingCommand({ thingName, thingTypeName: 'gateway' }));
    expect((await iot.send(new DescribeThingCommand({ thingName }))).thingTypeName).toBe('gateway');
  });

  it('validates thing type changes', async () => {
    const both = await failure(iot.send(new UpdateThingCommand({ thingName: 'sensor-000013', thingTypeName: 'tracker', removeThingType: true })));
    expect(both.name).toBe('InvalidRequestException');
    const unknown = await failure(iot.send(new UpdateThingCommand({ thingName: 'sensor-000013', thingTypeName: 'toaster' })));
    expect(unknown.name).toBe('ResourceNotFoundException');
    const missing = await failure(iot.send(new UpdateThingCommand({ thingName: 'nope', attributePayload: { attributes: {} } })));
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });
});

describe('thing types and groups', () => {
  it('lists the thing types with their searchable attributes at any page size', async () => {
    for (const pageSize of [1, 2, 250]) {
      const types = [];
      for await (const page of paginateListThingTypes({ client: iot, pageSize }, {})) types.push(...(page.thingTypes ?? []));
      expect(types.map((t) => t.thingTypeName)).toEqual(['env-sensor', 'tracker', 'gateway']);
      expect(types[0]?.thingTypeProperties?.searchableAttributes).toEqual(['site', 'model', 'serial']);
    }
    const one = await iot.send(new ListThingTypesCommand({ thingTypeName: 'gateway' }));
    expect(one.thingTypes?.map((t) => t.thingTypeName)).toEqual(['gateway']);
  });

  it('lists thing groups with paging, parent, recursion and prefix filters', async () => {
    const all = THING_GROUPS.map((g) => g.name).sort();
    for (const pageSize of [1, 3, 250]) {
      const groups = [];
      for await (const page of paginateListThingGroups({ client: iot, pageSize }, {})) groups.push(...(page.thingGroups ?? []));
      expect(groups.map((g) => g.groupName)).toEqual(all);
    }
    const eu = await iot.send(new ListThingGroupsCommand({ parentGroup: 'region-eu' }));
    expect(eu.thingGroups?.map((g) => g.groupName)).toEqual(['site-berlin', 'site-paris']);
    const below = await iot.send(new ListThingGroupsCommand({ parentGroup: 'all-sites', recursive: true }));
    expect(below.thingGroups).toHaveLength(all.length - 1);
    const sites = await iot.send(new ListThingGroupsCommand({ namePrefixFilter: 'site-' }));
    expect(sites.thingGroups).toHaveLength(SITES.length);
    const err = await failure(iot.send(new ListThingGroupsCommand({ parentGroup: 'nope' })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('describes a thing group with its place in the hierarchy', async () => {
    const g = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'site-paris' }));
    expect(g).toMatchObject({
      thingGroupName: 'site-paris',
      thingGroupArn: `arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}:thinggroup/site-paris`,
      thingGroupMetadata: { parentGroupName: 'region-eu' },
    });
    expect(g.thingGroupMetadata?.rootToParentThingGroups?.map((p) => p.groupName)).toEqual(['all-sites', 'region-eu']);
    const err = await failure(iot.send(new DescribeThingGroupCommand({ thingGroupName: 'site-mars' })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('lists the things of a group, recursively through the hierarchy', async () => {
    let total = 0;
    for (const { site } of SITES) {
      const members: string[] = [];
      for await (const page of paginateListThingsInThingGroup({ client: iot, pageSize: 3 }, { thingGroupName: `site-${site}` })) {
        members.push(...(page.things ?? []));
      }
      // Group membership follows the site the thing was provisioned at, not later attribute edits.
      expect(members).toEqual(names(initial.filter((t) => t.attributes?.site === site)));
      total += members.length;
    }
    expect(total).toBe(THINGS);
    const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'sensor-000001' }));
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual([`site-${initial[0]!.attributes!.site}`]);
    const direct = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'region-eu' }));
    expect(direct.things).toEqual([]);
    const berlin = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site-berlin', maxResults: 250 }));
    const paris = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site-paris', maxResults: 250 }));
    const eu = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'region-eu', recursive: true, maxResults: 250 }));
    expect([...(eu.things ?? [])].sort()).toEqual([...(berlin.things ?? []), ...(paris.things ?? [])].sort());
    const err = await failure(iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'nope' })));
    expect(err.$metadata.httpStatusCode).toBe(404);
  });
});

describe('DescribeEndpoint', () => {
  it('returns the account data endpoint for iot:Data-ATS', async () => {
    const ats = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    expect(ats.endpointAddress).toMatch(/^[a-z0-9]{14}-ats\.iot\.us-east-1\.amazonaws\.com$/);
    const err = await failure(iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' })));
    expect(err.name).toBe('InvalidRequestException');
  });
});
