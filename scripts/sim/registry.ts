// IoT registry operations (control plane, REST-JSON): things, thing types, thing groups, endpoints.

import type { Account } from './account';
import { AwsError, invalidRequest, notFound } from './errors';
import { SEARCHABLE_ATTRIBUTES, THING_GROUPS, THING_TYPES } from './fleet';
import {
  checkInt,
  decodeToken,
  encodeToken,
  epochSeconds,
  json,
  jsonBody,
  queryBool,
  queryInt,
  queryString,
  type RequestContext,
  type Route,
} from './http';
import { isObject } from './json';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 250;
const NAME_PATTERN = /^[a-zA-Z0-9:_-]+$/;
const ATTRIBUTE_NAME_PATTERN = /^[a-zA-Z0-9_.,@/:#-]+$/;
const ATTRIBUTE_VALUE_PATTERN = /^[a-zA-Z0-9_.,@/:#=[\]-]*$/;
const MAX_ATTRIBUTES_TYPED = 50;
const MAX_ATTRIBUTES_UNTYPED = 3;

export function requireThing(account: Account, name: string): number {
  const index = account.fleet.indexOf(name);
  if (index < 0) throw notFound(`Thing ${name} cannot be found.`);
  return index;
}

function typeExists(account: Account, name: string): boolean {
  return account.fleet.count > 0 && THING_TYPES.some((t) => t.name === name);
}

/**
 * Shared paging over fleet indexes: scans from the token position, collects up to `limit` matches and
 * returns a token pointing at the next match, so the last page never carries a dangling token.
 */
export function pageThings(
  account: Account,
  position: number,
  limit: number,
  accept: (index: number) => boolean,
): { indexes: number[]; next: number | null } {
  const fleet = account.fleet;
  const indexes: number[] = [];
  let i = position;
  for (; i < fleet.count && indexes.length < limit; i++) {
    if (fleet.exists(i) && accept(i)) indexes.push(i);
  }
  for (; i < fleet.count; i++) if (fleet.exists(i) && accept(i)) return { indexes, next: i };
  return { indexes, next: null };
}

function listThings(ctx: RequestContext) {
  const { account } = ctx;
  const max = queryInt(ctx, 'maxResults', 1, MAX_PAGE) ?? DEFAULT_PAGE;
  const attributeName = queryString(ctx, 'attributeName', { max: 128, pattern: ATTRIBUTE_NAME_PATTERN });
  const attributeValue = queryString(ctx, 'attributeValue', { max: 800 });
  const thingTypeName = queryString(ctx, 'thingTypeName', { max: 128, pattern: NAME_PATTERN });
  const usePrefix = queryBool(ctx, 'usePrefixAttributeValue') ?? false;
  if ((attributeName === undefined) !== (attributeValue === undefined)) {
    throw invalidRequest('attributeName and attributeValue must be specified together.');
  }
  const fingerprint = JSON.stringify([attributeName, attributeValue, thingTypeName, usePrefix]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListThings', fingerprint);
  const fleet = account.fleet;
  const page = pageThings(account, position, max, (i) => {
    const type = fleet.thingTypeName(i);
    if (thingTypeName !== undefined && type !== thingTypeName) return false;
    if (attributeName !== undefined) {
      // ListThings only filters on searchable attributes (all attributes of an untyped thing).
      if (type !== null && !SEARCHABLE_ATTRIBUTES.includes(attributeName)) return false;
      const v = fleet.attributes(i)[attributeName];
      if (v === undefined) return false;
      return usePrefix ? v.startsWith(attributeValue!) : v === attributeValue;
    }
    return true;
  });
  return json({
    things: page.indexes.map((i) => {
      const name = fleet.name(i);
      const type = fleet.thingTypeName(i);
      return {
        thingName: name,
        ...(type ? { thingTypeName: type } : {}),
        thingArn: account.thingArn(name),
        attributes: fleet.attributes(i),
        version: fleet.version(i),
      };
    }),
    ...(page.next !== null ? { nextToken: encodeToken('ListThings', page.next, fingerprint) } : {}),
  });
}

function describeThing(ctx: RequestContext) {
  const { account } = ctx;
  const name = ctx.params.thingName!;
  const index = requireThing(account, name);
  const fleet = account.fleet;
  const type = fleet.thingTypeName(index);
  return json({
    defaultClientId: name,
    thingName: name,
    thingId: fleet.thingId(index),
    thingArn: account.thingArn(name),
    ...(type ? { thingTypeName: type } : {}),
    attributes: fleet.attributes(index),
    version: fleet.version(index),
  });
}

function updateThing(ctx: RequestContext) {
  const { account } = ctx;
  const name = ctx.params.thingName!;
  const index = requireThing(account, name);
  const body = jsonBody(ctx);
  const { thingTypeName, attributePayload, expectedVersion, removeThingType } = body;
  if (thingTypeName !== undefined && thingTypeName !== null && typeof thingTypeName !== 'string') {
    throw invalidRequest('thingTypeName must be a string');
  }
  if (removeThingType !== undefined && removeThingType !== null && typeof removeThingType !== 'boolean') {
    throw invalidRequest('removeThingType must be a boolean');
  }
  if (typeof thingTypeName === 'string' && removeThingType === true) {
    throw invalidRequest('You cannot specify both thingTypeName and removeThingType.');
  }
  if (typeof thingTypeName === 'string' && !typeExists(account, thingTypeName)) {
    throw notFound(`Thing type ${thingTypeName} does not exist.`);
  }
  if (expectedVersion !== undefined && expectedVersion !== null) {
    checkInt('expectedVersion', expectedVersion, 0, Number.MAX_SAFE_INTEGER);
  }
  let patch: Record<string, string> | undefined;
  let merge = false;
  if (attributePayload !== undefined && attributePayload !== null) {
    if (!isObject(attributePayload)) throw invalidRequest('attributePayload must be an object');
    const attrs = attributePayload.attributes ?? {};
    if (!isObject(attrs)) throw invalidRequest('attributePayload.attributes must be a map of strings');
    patch = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v !== 'string') throw invalidRequest(`Attribute '${k}' must have a string value`);
      if (k.length > 128 || !ATTRIBUTE_NAME_PATTERN.test(k)) throw invalidRequest(`Invalid attribute name '${k}'`);
      if (v.length > 800 || !ATTRIBUTE_VALUE_PATTERN.test(v)) throw invalidRequest(`Invalid value for attribute '${k}'`);
      patch[k] = v;
    }
    const m = attributePayload.merge;
    if (m !== undefined && m !== null && typeof m !== 'boolean') throw invalidRequest('attributePayload.merge must be a boolean');
    merge = m === true;
  }

  const fleet = account.fleet;
  const current = fleet.version(index);
  if (typeof expectedVersion === 'number' && expectedVersion !== current) {
    throw new AwsError('VersionConflictException', 409, `The version for thing ${name} does not match the expected version.`);
  }
  let attributes = { ...fleet.attributes(index) };
  if (patch) {
    // merge:true patches; otherwise the map is replaced. An empty value removes an attribute either way.
    attributes = merge ? { ...attributes, ...patch } : { ...patch };
    for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  }
  const type = removeThingType === true ? null : typeof thingTypeName === 'string' ? thingTypeName : fleet.thingTypeName(index);
  const limit = type === null ? MAX_ATTRIBUTES_UNTYPED : MAX_ATTRIBUTES_TYPED;
  if (Object.keys(attributes).length > limit) {
    throw invalidRequest(
      type === null
        ? `A thing without a thing type can have at most ${MAX_ATTRIBUTES_UNTYPED} attributes.`
        : `A thing can have at most ${MAX_ATTRIBUTES_TYPED} attributes.`,
    );
  }
  const o = fleet.override(index);
  o.attributes = attributes;
  o.thingTypeName = type;
  o.version = current + 1;
  return json({});
}

function thingTypeView(account: Account, t: (typeof THING_TYPES)[number]) {
  return {
    thingTypeName: t.name,
    thingTypeArn: `${account.arnPrefix}:thingtype/${t.name}`,
    thingTypeProperties: { thingTypeDescription: t.description, searchableAttributes: SEARCHABLE_ATTRIBUTES },
    thingTypeMetadata: { deprecated: false, creationDate: epochSeconds(account.fleet.epochMs - 90 * 86_400_000) },
  };
}

function listThingTypes(ctx: RequestContext) {
  const { account } = ctx;
  const max = queryInt(ctx, 'maxResults', 1, MAX_PAGE) ?? DEFAULT_PAGE;
  const filter = queryString(ctx, 'thingTypeName', { max: 128, pattern: NAME_PATTERN });
  const fingerprint = JSON.stringify([filter]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListThingTypes', fingerprint);
  const all = account.fleet.count > 0 ? THING_TYPES.filter((t) => filter === undefined || t.name === filter) : [];
  const page = all.slice(position, position + max);
  const next = position + max < all.length ? position + max : null;
  return json({
    thingTypes: page.map((t) => thingTypeView(account, t)),
    ...(next !== null ? { nextToken: encodeToken('ListThingTypes', next, fingerprint) } : {}),
  });
}

function descendants(group: string): string[] {
  const out: string[] = [];
  for (const g of THING_GROUPS) {
    if (g.parent === group) out.push(g.name, ...descendants(g.name));
  }
  return out;
}

function listThingGroups(ctx: RequestContext) {
  const { account } = ctx;
  const max = queryInt(ctx, 'maxResults', 1, MAX_PAGE) ?? DEFAULT_PAGE;
  const parent = queryString(ctx, 'parentGroup', { max: 128, pattern: NAME_PATTERN });
  const prefix = queryString(ctx, 'namePrefixFilter', { max: 128 });
  const recursive = queryBool(ctx, 'recursive') ?? false;
  if (parent !== undefined && !account.groupExists(parent)) throw notFound(`Thing group ${parent} cannot be found.`);
  const fingerprint = JSON.stringify([parent, prefix, recursive]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListThingGroups', fingerprint);
  let names = account.fleet.count > 0 ? THING_GROUPS.map((g) => g.name) : [];
  if (parent !== undefined) {
    names = recursive ? descendants(parent) : THING_GROUPS.filter((g) => g.parent === parent).map((g) => g.name);
  }
  if (prefix !== undefined) names = names.filter((n) => n.startsWith(prefix));
  names.sort();
  const page = names.slice(position, position + max);
  const next = position + max < names.length ? position + max : null;
  return json({
    thingGroups: page.map((n) => ({ groupName: n, groupArn: account.groupArn(n) })),
    ...(next !== null ? { nextToken: encodeToken('ListThingGroups', next, fingerprint) } : {}),
  });
}

function describeThingGroup(ctx: RequestContext) {
  const { account } = ctx;
  const name = ctx.params.thingGroupName!;
  const group = THING_GROUPS.find((g) => g.name === name);
  if (!group || !account.groupExists(name)) throw notFound(`Thing group ${name} cannot be found.`);
  const chain: { groupName: string; groupArn: string }[] = [];
  for (let p = group.parent; p; p = THING_GROUPS.find((g) => g.name === p)?.parent ?? null) {
    chain.unshift({ groupName: p, groupArn: account.groupArn(p) });
  }
  return json({
    thingGroupName: name,
    thingGroupId: `${account.endpointPrefix}-${name}`,
    thingGroupArn: account.groupArn(name),
    version: 1,
    thingGroupProperties: { thingGroupDescription: group.description },
    thingGroupMetadata: {
      ...(group.parent ? { parentGroupName: group.parent } : {}),
      rootToParentThingGroups: chain,
      creationDate: epochSeconds(account.fleet.epochMs - 90 * 86_400_000),
    },
    status: 'ACTIVE',
  });
}

function listThingsInThingGroup(ctx: RequestContext) {
  const { account } = ctx;
  const group = ctx.params.thingGroupName!;
  if (!account.groupExists(group)) throw notFound(`Thing group ${group} cannot be found.`);
  const max = queryInt(ctx, 'maxResults', 1, MAX_PAGE) ?? DEFAULT_PAGE;
  const recursive = queryBool(ctx, 'recursive') ?? false;
  const fingerprint = JSON.stringify([group, recursive]);
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListThingsInThingGroup', fingerprint);
  const page = pageThings(account, position, max, (i) => account.isMember(i, group, recursive));
  return json({
    things: page.indexes.map((i) => account.fleet.name(i)),
    ...(page.next !== null ? { nextToken: encodeToken('ListThingsInThingGroup', page.next, fingerprint) } : {}),
  });
}

function listThingGroupsForThing(ctx: RequestContext) {
  const { account } = ctx;
  const index = requireThing(account, ctx.params.thingName!);
  queryInt(ctx, 'maxResults', 1, MAX_PAGE);
  const group = account.fleet.groupName(index);
  return json({ thingGroups: [{ groupName: group, groupArn: account.groupArn(group) }] });
}

function describeEndpoint(ctx: RequestContext) {
  const type = queryString(ctx, 'endpointType') ?? 'iot:Data';
  const address = ctx.account.dataEndpoint(type);
  if (!address) throw invalidRequest(`Endpoint type ${type} is not valid.`);
  return json({ endpointAddress: address });
}

export const registryRoutes: Route[] = [
  { method: 'GET', path: '/things', operation: 'ListThings', action: 'iot:ListThings', handler: listThings },
  {
    method: 'GET',
    path: '/things/{thingName}/thing-groups',
    operation: 'ListThingGroupsForThing',
    action: 'iot:ListThingGroupsForThing',
    handler: listThingGroupsForThing,
  },
  { method: 'GET', path: '/things/{thingName}', operation: 'DescribeThing', action: 'iot:DescribeThing', handler: describeThing },
  { method: 'PATCH', path: '/things/{thingName}', operation: 'UpdateThing', action: 'iot:UpdateThing', handler: updateThing },
  { method: 'GET', path: '/thing-types', operation: 'ListThingTypes', action: 'iot:ListThingTypes', handler: listThingTypes },
  { method: 'GET', path: '/thing-groups', operation: 'ListThingGroups', action: 'iot:ListThingGroups', handler: listThingGroups },
  {
    method: 'GET',
    path: '/thing-groups/{thingGroupName}/things',
    operation: 'ListThingsInThingGroup',
    action: 'iot:ListThingsInThingGroup',
    handler: listThingsInThingGroup,
  },
  {
    method: 'GET',
    path: '/thing-groups/{thingGroupName}',
    operation: 'DescribeThingGroup',
    action: 'iot:DescribeThingGroup',
    handler: describeThingGroup,
  },
  { method: 'GET', path: '/endpoint', operation: 'DescribeEndpoint', action: 'iot:DescribeEndpoint', handler: describeEndpoint },
];
