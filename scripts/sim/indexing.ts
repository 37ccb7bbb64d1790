// Fleet indexing: indexing configuration per account, SearchIndex, GetStatistics, GetBucketsAggregation.
// The "index" is evaluated on the fly from the live fleet, so it is always consistent (AWS is eventual).

import type { Account } from './account';
import { SEARCH_MAX_PAGE, type IndexingSettings } from './config';
import { AwsError, invalidRequest, notFound } from './errors';
import { decodeToken, encodeToken, json, jsonBody, optionalString, type RequestContext, type Route } from './http';
import { isObject, type Json, type JsonObject } from './json';
import { pageThings } from './registry';
import { matches, parseSearchQuery, type FieldValue, type Searchable } from './search-query';
import type { ShadowDocument } from './shadow';

const INDEX_NAME = 'AWS_Things';

function flatten(value: Json | undefined): FieldValue[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is FieldValue => v !== null && typeof v !== 'object');
  return typeof value === 'object' ? [] : [value];
}

function at(obj: Json | undefined, path: string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** One thing as the index sees it; shadow and connectivity are computed only when a query needs them. */
export class ThingView implements Searchable {
  private shadowDoc: ShadowDocument | null | undefined;
  private readonly namedDocs = new Map<string, ShadowDocument | null>();

  constructor(
    private readonly account: Account,
    readonly index: number,
    private readonly now: number,
  ) {}

  private get indexing(): IndexingSettings {
    return this.account.indexing;
  }

  private get withShadow(): boolean {
    return this.indexing.thingIndexingMode === 'REGISTRY_AND_SHADOW';
  }

  private shadow(): ShadowDocument | null {
    if (this.shadowDoc === undefined) this.shadowDoc = this.account.shadows.get(this.index, undefined, this.now);
    return this.shadowDoc;
  }

  private named(name: string): ShadowDocument | null {
    if (!this.namedDocs.has(name)) this.namedDocs.set(name, this.account.shadows.get(this.index, name, this.now));
    return this.namedDocs.get(name) ?? null;
  }

  private indexedNamedShadows(): string[] {
    if (!this.withShadow || this.indexing.namedShadowIndexingMode !== 'ON') return [];
    const existing = new Set(this.account.shadows.listNamed(this.index));
    return this.indexing.namedShadowNames.filter((n) => existing.has(n));
  }

  private shadowField(doc: ShadowDocument | null, path: string[]): FieldValue[] {
    if (!doc) return [];
    const [section, ...rest] = path;
    switch (section) {
      case 'reported':
      case 'desired':
      case 'delta':
        return flatten(at(doc.state[section], rest));
      case 'hasDelta':
        return rest.length === 0 ? [doc.state.delta !== undefined] : [];
      case 'version':
        return rest.length === 0 ? [doc.version] : [];
      case 'metadata':
        return flatten(at(doc.metadata as JsonObject, rest));
      default:
        return [];
    }
  }

  values(field: string): FieldValue[] {
    const fleet = this.account.fleet;
    const i = this.index;
    switch (field) {
      case 'thingName':
        return [fleet.name(i)];
      case 'thingId':
        return [fleet.thingId(i)];
      case 'thingTypeName': {
        const t = fleet.thingTypeName(i);
        return t === null ? [] : [t];
      }
      case 'thingGroupNames':
        return [fleet.groupName(i)];
      case 'registry.version':
        return [fleet.version(i)];
    }
    const path = field.split('.');
    const [head, ...rest] = path;
    if (head === 'attributes' && rest.length === 1) {
      const v = fleet.attributes(i)[rest[0]!];
      return v === undefined ? [] : [v];
    }
    if (head === 'shadow' && this.withShadow) {
      if (rest[0] === 'name' && rest.length >= 3) {
        const name = rest[1]!;
        return this.indexedNamedShadows().includes(name) ? this.shadowField(this.named(name), rest.slice(2)) : [];
      }
      return this.shadowField(this.shadow(), rest);
    }
    if (head === 'connectivity' && this.indexing.thingConnectivityIndexingMode === 'STATUS' && rest.length === 1) {
      const c = fleet.connectivityAt(i, this.now);
      if (rest[0] === 'connected') return [c.connected];
      if (rest[0] === 'timestamp') return [c.sinceMs];
      if (rest[0] === 'disconnectReason') return c.disconnectReason ? [c.disconnectReason] : [];
    }
    return [];
  }

  freeText(): FieldValue[] {
    const fleet = this.account.fleet;
    const type = fleet.thingTypeName(this.index);
    return [
      fleet.name(this.index),
      ...(type ? [type] : []),
      fleet.groupName(this.index),
      ...Object.values(fleet.attributes(this.index)),
    ];
  }

  private shadowJson(doc: ShadowDocument): JsonObject {
    const out: JsonObject = {};
    if (doc.state.desired) out.desired = doc.state.desired;
    if (doc.state.reported) out.reported = doc.state.reported;
    if (doc.state.delta) out.delta = doc.state.delta;
    out.metadata = doc.metadata as JsonObject;
    out.version = doc.version;
    out.hasDelta = doc.state.delta !== undefined;
    return out;
  }

  /** The ThingDocument SearchIndex returns; `shadow` is a JSON string, as in AWS. */
  toDocument(): JsonObject {
    const fleet = this.account.fleet;
    const i = this.index;
    const type = fleet.thingTypeName(i);
    const doc: JsonObject = {
      thingName: fleet.name(i),
      thingId: fleet.thingId(i),
      ...(type ? { thingTypeName: type } : {}),
      thingGroupNames: [fleet.groupName(i)],
      attributes: fleet.attributes(i),
    };
    if (this.withShadow) {
      const classic = this.shadow();
      const shadow: JsonObject = classic ? this.shadowJson(classic) : {};
      const names = this.indexedNamedShadows();
      if (names.length > 0) {
        const named: JsonObject = {};
        for (const n of names) {
          const d = this.named(n);
          if (d) named[n] = this.shadowJson(d);
        }
        shadow.name = named;
      }
      doc.shadow = JSON.stringify(shadow);
    }
    if (this.indexing.thingConnectivityIndexingMode === 'STATUS') {
      const c = fleet.connectivityAt(i, this.now);
      doc.connectivity = {
        connected: c.connected,
        timestamp: c.sinceMs,
        ...(c.disconnectReason && !c.connected ? { disconnectReason: c.disconnectReason } : {}),
      };
    }
    return doc;
  }
}

function requireIndex(ctx: RequestContext, indexName: string | undefined): void {
  const name = indexName ?? INDEX_NAME;
  const { account } = ctx;
  if (name !== INDEX_NAME || account.indexing.thingIndexingMode === 'OFF') {
    throw notFound(`Index ${name} does not exist.`);
  }
  if (ctx.now < account.indexReadyAt) throw new AwsError('IndexNotReadyException', 400, `Index ${name} is still building.`);
}

function searchIndex(ctx: RequestContext) {
  const body = jsonBody(ctx);
  const queryString = optionalString(body, 'queryString');
  if (queryString === undefined) throw invalidRequest("1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null");
  const indexName = optionalString(body, 'indexName', 128);
  optionalString(body, 'queryVersion', 128);
  const maxResults = body.maxResults;
  if (maxResults !== undefined && maxResults !== null) {
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 500) {
      throw invalidRequest(`1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 500`);
    }
  }
  requireIndex(ctx, indexName);
  const query = parseSearchQuery(queryString);
  // Pages never exceed 100 ("cannot exceed 100" in the current SDK docs), whatever maxResults says.
  const limit = Math.min(typeof maxResults === 'number' ? maxResults : SEARCH_MAX_PAGE, SEARCH_MAX_PAGE);
  const fingerprint = queryString;
  const position = decodeToken(optionalString(body, 'nextToken'), 'SearchIndex', fingerprint);
  const { account, now } = ctx;
  const views: ThingView[] = [];
  const page = pageThings(account, position, limit, (i) => {
    const view = new ThingView(account, i, now);
    if (!matches(query.root, view)) return false;
    if (views.length < limit) views.push(view);
    return true;
  });
  return json({
    things: views.slice(0, page.indexes.length).map((v) => v.toDocument()),
    thingGroups: [],
    ...(page.next !== null ? { nextToken: encodeToken('SearchIndex', page.next, fingerprint) } : {}),
  });
}

const MANAGED_FIELDS: { name: string; type: 'String' | 'Number' | 'Boolean'; needs: 'registry' | 'shadow' | 'connectivity' }[] = [
  { name: 'thingName', type: 'String', needs: 'registry' },
  { name: 'thingId', type: 'String', needs: 'registry' },
  { name: 'thingTypeName', type: 'String', needs: 'registry' },
  { name: 'thingGroupNames', type: 'String', needs: 'registry' },
  { name: 'registry.version', type: 'Number', needs: 'registry' },
  { name: 'shadow.version', type: 'Number', needs: 'shadow' },
  { name: 'shadow.hasDelta', type: 'Boolean', needs: 'shadow' },
  { name: 'connectivity.connected', type: 'Boolean', needs: 'connectivity' },
  { name: 'connectivity.timestamp', type: 'Number', needs: 'connectivity' },
  { name: 'connectivity.disconnectReason', type: 'String', needs: 'connectivity' },
];

function managedFields(s: IndexingSettings) {
  return MANAGED_FIELDS.filter(
    (f) =>
      (f.needs === 'registry' && s.thingIndexingMode !== 'OFF') ||
      (f.needs === 'shadow' && s.thingIndexingMode === 'REGISTRY_AND_SHADOW') ||
      (f.needs === 'connectivity' && s.thingConnectivityIndexingMode === 'STATUS'),
  ).map(({ name, type }) => ({ name, type }));
}

function fieldType(ctx: RequestContext, field: string): 'String' | 'Number' | 'Boolean' {
  const s = ctx.account.indexing;
  const f = [...managedFields(s), ...s.customFields].find((x) => x.name === field);
  if (!f) {
    throw new AwsError(
      'InvalidAggregationException',
      400,
      `Field '${field}' is neither a managed field nor a custom field of the index; add it to customFields with UpdateIndexingConfiguration.`,
    );
  }
  return f.type;
}

function matchingViews(ctx: RequestContext, queryString: string, visit: (v: ThingView) => void): void {
  const query = parseSearchQuery(queryString);
  const { account, now } = ctx;
  const fleet = account.fleet;
  for (let i = 0; i < fleet.count; i++) {
    if (!fleet.exists(i)) continue;
    const view = new ThingView(account, i, now);
    if (matches(query.root, view)) visit(view);
  }
}

function aggregationInput(ctx: RequestContext) {
  const body = jsonBody(ctx);
  const queryString = optionalString(body, 'queryString');
  if (queryString === undefined) throw invalidRequest("1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null");
  requireIndex(ctx, optionalString(body, 'indexName', 128));
  return { body, queryString, aggregationField: optionalString(body, 'aggregationField', 1024) };
}

function getStatistics(ctx: RequestContext) {
  const { queryString, aggregationField } = aggregationInput(ctx);
  const type = aggregationField === undefined ? 'String' : fieldType(ctx, aggregationField);
  let count = 0;
  const numbers: number[] = [];
  matchingViews(ctx, queryString, (v) => {
    if (aggregationField === undefined) {
      count++;
      return;
    }
    const values = v.values(aggregationField);
    if (type === 'Number') for (const x of values) if (typeof x === 'number') numbers.push(x);
    if (values.length > 0) count++;
  });
  if (type !== 'Number') return json({ statistics: { count } });
  const n = numbers.length;
  const sum = numbers.reduce((a, b) => a + b, 0);
  const sumOfSquares = numbers.reduce((a, b) => a + b * b, 0);
  const average = n > 0 ? sum / n : 0;
  const variance = n > 0 ? sumOfSquares / n - average * average : 0;
  return json({
    statistics: {
      count: n,
      average,
      sum,
      minimum: n > 0 ? numbers.reduce((a, b) => Math.min(a, b)) : 0,
      maximum: n > 0 ? numbers.reduce((a, b) => Math.max(a, b)) : 0,
      sumOfSquares,
      variance: Math.max(0, variance),
      stdDeviation: Math.sqrt(Math.max(0, variance)),
    },
  });
}

function getBucketsAggregation(ctx: RequestContext) {
  const { body, queryString, aggregationField } = aggregationInput(ctx);
  if (aggregationField === undefined) {
    throw invalidRequest("1 validation error detected: Value null at 'aggregationField' failed to satisfy constraint: Member must not be null");
  }
  const type = fieldType(ctx, aggregationField);
  if (type === 'Number') {
    throw new AwsError('InvalidAggregationException', 400, `Buckets aggregation needs a String or Boolean field; '${aggregationField}' is a Number field.`);
  }
  const bat = body.bucketsAggregationType;
  if (!isObject(bat) || !isObject(bat.termsAggregation)) {
    throw invalidRequest("1 validation error detected: Value null at 'bucketsAggregationType' failed to satisfy constraint: Member must not be null");
  }
  const mb = bat.termsAggregation.maxBuckets;
  if (mb !== undefined && (typeof mb !== 'number' || !Number.isInteger(mb) || mb < 1 || mb > 10_000)) {
    throw invalidRequest('maxBuckets must be an integer between 1 and 10000');
  }
  const maxBuckets = typeof mb === 'number' ? mb : 10;
  const counts = new Map<string, number>();
  let totalCount = 0;
  matchingViews(ctx, queryString, (v) => {
    totalCount++;
    for (const value of new Set(v.values(aggregationField).map(String))) counts.set(value, (counts.get(value) ?? 0) + 1);
  });
  const buckets = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxBuckets)
    .map(([keyValue, count]) => ({ keyValue, count }));
  return json({ totalCount, buckets });
}

function getIndexingConfiguration(ctx: RequestContext) {
  const s = ctx.account.indexing;
  return json({
    thingIndexingConfiguration: {
      thingIndexingMode: s.thingIndexingMode,
      thingConnectivityIndexingMode: s.thingConnectivityIndexingMode,
      deviceDefenderIndexingMode: 'OFF',
      namedShadowIndexingMode: s.namedShadowIndexingMode,
      managedFields: managedFields(s),
      customFields: s.customFields,
      filter: { namedShadowNames: s.namedShadowNames },
    },
    thingGroupIndexingConfiguration: { thingGroupIndexingMode: 'OFF' },
  });
}

const FIELD_TYPES = ['Number', 'String', 'Boolean'];

/** Validates and applies an UpdateIndexingConfiguration body (also used by the admin API). */
export function applyIndexingUpdate(account: Account, cfg: JsonObject, now: number, buildMs: number): void {
  const mode = cfg.thingIndexingMode;
  if (!['OFF', 'REGISTRY', 'REGISTRY_AND_SHADOW'].includes(String(mode))) {
    throw invalidRequest(`Invalid thingIndexingMode '${String(mode)}': expected OFF, REGISTRY or REGISTRY_AND_SHADOW`);
  }
  const connectivity = cfg.thingConnectivityIndexingMode ?? 'OFF';
  if (!['OFF', 'STATUS'].includes(String(connectivity))) {
    throw invalidRequest(`Invalid thingConnectivityIndexingMode '${String(connectivity)}'`);
  }
  if (mode === 'OFF' && connectivity === 'STATUS') {
    throw invalidRequest('thingConnectivityIndexingMode can only be STATUS when thingIndexingMode is not OFF.');
  }
  const named = cfg.namedShadowIndexingMode ?? 'OFF';
  if (!['OFF', 'ON'].includes(String(named))) throw invalidRequest(`Invalid namedShadowIndexingMode '${String(named)}'`);
  const next: IndexingSettings = {
    ...account.indexing,
    thingIndexingMode: mode as IndexingSettings['thingIndexingMode'],
    thingConnectivityIndexingMode: connectivity as IndexingSettings['thingConnectivityIndexingMode'],
    namedShadowIndexingMode: named as IndexingSettings['namedShadowIndexingMode'],
  };
  if (cfg.customFields !== undefined) {
    if (!Array.isArray(cfg.customFields)) throw invalidRequest('customFields must be a list');
    next.customFields = cfg.customFields.map((f) => {
      if (!isObject(f) || typeof f.name !== 'string' || !FIELD_TYPES.includes(String(f.type))) {
        throw invalidRequest('Each custom field needs a name and a type of Number, String or Boolean');
      }
      return { name: f.name, type: f.type as 'Number' | 'String' | 'Boolean' };
    });
  }
  const filter = cfg.filter;
  if (isObject(filter) && filter.namedShadowNames !== undefined) {
    if (!Array.isArray(filter.namedShadowNames) || !filter.namedShadowNames.every((n) => typeof n === 'string')) {
      throw invalidRequest('filter.namedShadowNames must be a list of shadow names');
    }
    next.namedShadowNames = filter.namedShadowNames as string[];
  }
  const wasOff = account.indexing.thingIndexingMode === 'OFF';
  account.indexing = next;
  if (wasOff && next.thingIndexingMode !== 'OFF') account.indexReadyAt = now + buildMs;
}

function updateIndexingConfiguration(ctx: RequestContext) {
  const body = jsonBody(ctx);
  const cfg = body.thingIndexingConfiguration;
  if (cfg !== undefined && cfg !== null) {
    if (!isObject(cfg)) throw invalidRequest('thingIndexingConfiguration must be an object');
    applyIndexingUpdate(ctx.account, cfg, ctx.now, ctx.sim.settings.indexBuildMs);
  }
  return json({});
}

export const indexingRoutes: Route[] = [
  {
    method: 'GET',
    path: '/indexing/config',
    operation: 'GetIndexingConfiguration',
    action: 'iot:GetIndexingConfiguration',
    handler: getIndexingConfiguration,
  },
  {
    method: 'POST',
    path: '/indexing/config',
    operation: 'UpdateIndexingConfiguration',
    action: 'iot:UpdateIndexingConfiguration',
    handler: updateIndexingConfiguration,
  },
  { method: 'POST', path: '/indices/search', operation: 'SearchIndex', action: 'iot:SearchIndex', handler: searchIndex },
  { method: 'POST', path: '/indices/statistics', operation: 'GetStatistics', action: 'iot:GetStatistics', handler: getStatistics },
  {
    method: 'POST',
    path: '/indices/buckets',
    operation: 'GetBucketsAggregation',
    action: 'iot:GetBucketsAggregation',
    handler: getBucketsAggregation,
  },
];
