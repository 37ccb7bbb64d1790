// IoT data plane (Device Shadow) operations. Shadow documents travel as raw JSON bytes.

import { invalidRequest, notFound } from './errors';
import { decodeToken, encodeToken, json, queryInt, queryString, type RequestContext, type Route } from './http';
import { validateShadowName } from './shadow';

function thingIndex(ctx: RequestContext, shadowName: string | undefined): number {
  const name = ctx.params.thingName!;
  const index = ctx.account.fleet.indexOf(name);
  if (index < 0) throw notFound(`No shadow exists with name: '${shadowName ?? name}'`);
  return index;
}

function shadowName(ctx: RequestContext): string | undefined {
  const name = queryString(ctx, 'name');
  if (name !== undefined) validateShadowName(name);
  return name;
}

function getThingShadow(ctx: RequestContext) {
  const name = shadowName(ctx);
  const index = thingIndex(ctx, name);
  ctx.account.settle(ctx.now);
  const doc = ctx.account.shadows.get(index, name, ctx.now);
  if (!doc) throw notFound(`No shadow exists with name: '${name ?? ctx.params.thingName}'`);
  return json(doc);
}

function updateThingShadow(ctx: RequestContext) {
  const name = shadowName(ctx);
  const index = thingIndex(ctx, name);
  if (ctx.body.length === 0) throw invalidRequest('Payload contains invalid json');
  ctx.account.settle(ctx.now);
  return json(ctx.account.shadows.update(index, name, ctx.body, ctx.now));
}

function listNamedShadowsForThing(ctx: RequestContext) {
  const index = thingIndex(ctx, undefined);
  const pageSize = queryInt(ctx, 'pageSize', 1, 100) ?? 25;
  const position = decodeToken(queryString(ctx, 'nextToken'), 'ListNamedShadowsForThing', ctx.params.thingName!);
  const names = ctx.account.shadows.listNamed(index);
  const page = names.slice(position, position + pageSize);
  const next = position + pageSize < names.length ? position + pageSize : null;
  return json({
    results: page,
    ...(next !== null ? { nextToken: encodeToken('ListNamedShadowsForThing', next, ctx.params.thingName!) } : {}),
    timestamp: Math.floor(ctx.now / 1000),
  });
}

export const dataPlaneRoutes: Route[] = [
  {
    method: 'GET',
    path: '/things/{thingName}/shadow',
    operation: 'GetThingShadow',
    action: 'iot:GetThingShadow',
    perThing: 'thingName',
    handler: getThingShadow,
  },
  {
    method: 'POST',
    path: '/things/{thingName}/shadow',
    operation: 'UpdateThingShadow',
    action: 'iot:UpdateThingShadow',
    perThing: 'thingName',
    handler: updateThingShadow,
  },
  {
    method: 'GET',
    path: '/api/things/shadow/ListNamedShadowsForThing/{thingName}',
    operation: 'ListNamedShadowsForThing',
    action: 'iot:ListNamedShadowsForThing',
    perThing: 'thingName',
    handler: listNamedShadowsForThing,
  },
];
