// IoT topic rules and topic rule destinations (control plane, REST-JSON), on top of the engine in rules.ts.
// Paths, shapes and error names follow the @aws-sdk/client-iot model. AWS answers UnauthorizedException
// (401) for a rule that does not exist; the simulator does the same.

import { AwsError, invalidRequest } from './errors';
import { decodeToken, encodeToken, epochSeconds, json, jsonBody, queryBool, queryInt, queryString, type RequestContext, type Route } from './http';
import { isObject, type Json, type JsonObject } from './json';
import { DEFAULT_BATCH, emptyRuleCounters, type Destination, type DestinationStatus, type HttpActionConfig, type StoredRule } from './rules';
import { parseRuleSql, topicMatches } from './rules-sql';

const RULE_NAME = /^[a-zA-Z0-9_]{1,128}$/;
const SQL_VERSIONS = ['2015-10-08', '2016-03-23', 'beta'];
const MAX_RULES = 1000;
const MAX_DESTINATIONS = 1000;
const MAX_ACTIONS = 10;
const MAX_HEADERS = 100;

const unauthorized = (message: string) => new AwsError('UnauthorizedException', 401, message);
const alreadyExists = (message: string) => new AwsError('ResourceAlreadyExistsException', 409, message);
const conflict = (message: string) => new AwsError('ConflictingResourceUpdateException', 409, message);

function ruleName(ctx: RequestContext): string {
  const name = ctx.params.ruleName!;
  if (!RULE_NAME.test(name)) {
    throw invalidRequest(`1 validation error detected: Value '${name}' at 'ruleName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_]+$`);
  }
  return name;
}

function requireRule(ctx: RequestContext): StoredRule {
  const name = ruleName(ctx);
  const rule = ctx.account.rules.rules.get(name);
  if (!rule) throw unauthorized(`Rule ${name} does not exist or you are not authorized to access it.`);
  return rule;
}

function httpUrl(v: Json | undefined, name: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2000) throw invalidRequest(`${name} must be a URL of 1-2000 characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalidRequest(`${name} is not a valid URL: ${v}`);
  }
  // AWS requires https; the simulator also takes http so a local endpoint can be the destination.
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalidRequest(`${name} must be an https URL`);
  if (v.includes('${')) throw invalidRequest(`${name}: substitution templates are not supported by the fleet simulator`);
  return v;
}

function int(v: Json | undefined, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidRequest(`${name} must be an integer between ${min} and ${max}`);
  return v;
}

function parseHttpAction(v: Json): HttpActionConfig {
  if (!isObject(v)) throw invalidRequest('http action must be an object');
  const url = httpUrl(v.url, 'http.url');
  let confirmationUrl: string | undefined;
  if (v.confirmationUrl !== undefined && v.confirmationUrl !== null) {
    confirmationUrl = httpUrl(v.confirmationUrl, 'http.confirmationUrl');
    if (!url.startsWith(confirmationUrl)) throw invalidRequest('http.url must begin with http.confirmationUrl');
  }
  if (v.auth !== undefined && v.auth !== null) throw invalidRequest('http.auth (SigV4) is not supported by the fleet simulator');
  const headers: { key: string; value: string }[] = [];
  if (v.headers !== undefined && v.headers !== null) {
    if (!Array.isArray(v.headers) || v.headers.length > MAX_HEADERS) throw invalidRequest(`http.headers must be a list of at most ${MAX_HEADERS} headers`);
    for (const h of v.headers) {
      if (!isObject(h) || typeof h.key !== 'string' || typeof h.value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/.test(h.key) || h.value.length > 8192) {
        throw invalidRequest('each http header needs a key (1-256 token characters) and a string value (≤ 8192 characters)');
      }
      headers.push({ key: h.key, value: h.value });
    }
  }
  if (v.enableBatching !== undefined && v.enableBatching !== null && typeof v.enableBatching !== 'boolean') throw invalidRequest('http.enableBatching must be a boolean');
  let batch: HttpActionConfig['batch'] = null;
  const cfg = v.batchConfig;
  if (cfg !== undefined && cfg !== null && !isObject(cfg)) throw invalidRequest('http.batchConfig must be an object');
  const c = isObject(cfg) ? cfg : {};
  const parsed = {
    maxBatchOpenMs: int(c.maxBatchOpenMs, 'batchConfig.maxBatchOpenMs', 5, 200, DEFAULT_BATCH.maxBatchOpenMs),
    maxBatchSize: int(c.maxBatchSize, 'batchConfig.maxBatchSize', 2, 10, DEFAULT_BATCH.maxBatchSize),
    maxBatchSizeBytes: int(c.maxBatchSizeBytes, 'batchConfig.maxBatchSizeBytes', 100, 131_072, DEFAULT_BATCH.maxBatchSizeBytes),
    batchAcrossTopics: c.batchAcrossTopics === true,
  };
  if (v.enableBatching === true) batch = parsed;
  return { url, ...(confirmationUrl ? { confirmationUrl } : {}), headers, batch };
}

interface ParsedPayload {
  sql: string;
  parsed: StoredRule['parsed'];
  description: string;
  ruleDisabled: boolean;
  awsIotSqlVersion: string;
  actions: JsonObject[];
  errorAction?: JsonObject;
  http: HttpActionConfig[];
}

function singleAction(v: Json, name: string): [string, Json] {
  if (!isObject(v) || Object.keys(v).length !== 1) throw invalidRequest(`${name} must name exactly one action type`);
  return Object.entries(v)[0]!;
}

function parsePayload(ctx: RequestContext): ParsedPayload {
  // The payload is the whole body (httpPayload binding of topicRulePayload).
  const body = jsonBody(ctx);
  const sql = body.sql;
  if (typeof sql !== 'string' || sql.trim() === '') throw invalidRequest("1 validation error detected: Value at 'topicRulePayload.sql' failed to satisfy constraint: Member must not be null");
  const parsed = parseRuleSql(sql);
  if (!Array.isArray(body.actions)) throw invalidRequest("1 validation error detected: Value at 'topicRulePayload.actions' failed to satisfy constraint: Member must not be null");
  if (body.actions.length > MAX_ACTIONS) throw invalidRequest(`A rule may have at most ${MAX_ACTIONS} actions`);
  const http = body.actions.map((a, i) => {
    const [type, config] = singleAction(a, `actions[${i}]`);
    if (type !== 'http') throw invalidRequest(`actions[${i}]: the fleet simulator executes http actions only, not ${type}`);
    return parseHttpAction(config);
  });
  let errorAction: JsonObject | undefined;
  if (body.errorAction !== undefined && body.errorAction !== null) {
    singleAction(body.errorAction, 'errorAction');
    errorAction = body.errorAction as JsonObject;
  }
  const description = body.description ?? '';
  if (typeof description !== 'string' || description.length > 2028) throw invalidRequest('description must be a string of at most 2028 characters');
  const version = body.awsIotSqlVersion ?? '2015-10-08';
  if (typeof version !== 'string' || !SQL_VERSIONS.includes(version)) throw invalidRequest(`awsIotSqlVersion must be one of ${SQL_VERSIONS.join(', ')}`);
  if (body.ruleDisabled !== undefined && body.ruleDisabled !== null && typeof body.ruleDisabled !== 'boolean') throw invalidRequest('ruleDisabled must be a boolean');
  return {
    sql,
    parsed,
    description,
    ruleDisabled: body.ruleDisabled === true,
    awsIotSqlVersion: version,
    actions: body.actions as JsonObject[],
    ...(errorAction ? { errorAction } : {}),
    http,
  };
}

/** As in AWS, an http action whose URL no destination covers creates one (confirmationUrl, else url). */
function ensureDestinations(ctx: RequestContext, actions: HttpActionConfig[]): void {
  for (const a of actions) {
    if (!ctx.account.rules.destinationFor(a.url)) ctx.account.rules.createDestination(a.confirmationUrl ?? a.url, ctx.now);
  }
}

function ruleArn(ctx: RequestContext, name: string): string {
  return `${ctx.account.arnPrefix}:rule/${name}`;
}

function createTopicRule(ctx: RequestContext) {
  const name = ruleName(ctx);
  const store = ctx.account.rules;
  if (store.rules.has(name)) throw alreadyExists(`Rule ${name} already exists in the account.`);
  if (store.rules.size >= MAX_RULES) throw invalidRequest(`An account may have at most ${MAX_RULES} topic rules`);
  const p = parsePayload(ctx);
  ensureDestinations(ctx, p.http);
  store.rules.set(name, { ruleName: name, createdAt: ctx.now, counters: emptyRuleCounters(), ...p });
  store.sync(ctx.now);
  return json({});
}

function replaceTopicRule(ctx: RequestContext) {
  const rule = requireRule(ctx);
  const p = parsePayload(ctx);
  ensureDestinations(ctx, p.http);
  // Messages already queued keep the action they were matched with (their index may no longer exist).
  ctx.account.rules.queue = ctx.account.rules.queue.filter((o) => o.rule !== rule);
  Object.assign(rule, p);
  ctx.account.rules.sync(ctx.now);
  return json({});
}

function deleteTopicRule(ctx: RequestContext) {
  const rule = requireRule(ctx);
  const store = ctx.account.rules;
  store.rules.delete(rule.ruleName);
  store.queue = store.queue.filter((o) => o.rule !== rule);
  store.sync(ctx.now);
  return json({});
}

function getTopicRule(ctx: RequestContext) {
  const rule = requireRule(ctx);
  return json({
    ruleArn: ruleArn(ctx, rule.ruleName),
    rule: {
      ruleName: rule.ruleName,
      sql: rule.sql,
      description: rule.description,
      createdAt: epochSeconds(rule.createdAt),
      actions: rule.actions,
      ruleDisabled: rule.ruleDisabled,
      awsIotSqlVersion: rule.awsIotSqlVersion,
      ...(rule.errorAction ? { errorAction: rule.errorAction } : {}),
    },
  });
}

function listTopicRules(ctx: RequestContext) {
  const topic = queryString(ctx, 'topic');
  const max = queryInt(ctx, 'maxResults', 1, 10_000) ?? 1000;
  const disabled = queryBool(ctx, 'ruleDisabled');
  const fingerprint = JSON.stringify([topic ?? null, disabled ?? null]);
  const start = decodeToken(queryString(ctx, 'nextToken'), 'ListTopicRules', fingerprint);
  const all = [...ctx.account.rules.rules.values()]
    .filter((r) => (topic === undefined || r.parsed.topicFilter === topic || topicMatches(r.parsed.topicFilter, topic)) && (disabled === undefined || r.ruleDisabled === disabled))
    .sort((a, b) => (a.ruleName < b.ruleName ? -1 : 1));
  const page = all.slice(start, start + max);
  return json({
    rules: page.map((r) => ({
      ruleArn: ruleArn(ctx, r.ruleName),
      ruleName: r.ruleName,
      topicPattern: r.parsed.topicFilter,
      createdAt: epochSeconds(r.createdAt),
      ruleDisabled: r.ruleDisabled,
    })),
    ...(start + max < all.length ? { nextToken: encodeToken('ListTopicRules', start + max, fingerprint) } : {}),
  });
}

// --- destinations ----------------------------------------------------------------------------------

function destinationView(d: Destination) {
  return {
    arn: d.arn,
    status: d.status,
    createdAt: epochSeconds(d.createdAt),
    lastUpdatedAt: epochSeconds(d.lastUpdatedAt),
    ...(d.statusReason ? { statusReason: d.statusReason } : {}),
  };
}

function requireDestination(ctx: RequestContext, arn: string): Destination {
  const d = ctx.account.rules.destinations.get(arn);
  if (!d) throw unauthorized(`Topic rule destination ${arn} does not exist or you are not authorized to access it.`);
  return d;
}

function createTopicRuleDestination(ctx: RequestContext) {
  const body = jsonBody(ctx);
  const cfg = body.destinationConfiguration;
  if (!isObject(cfg)) throw invalidRequest("1 validation error detected: Value at 'destinationConfiguration' failed to satisfy constraint: Member must not be null");
  if (cfg.vpcConfiguration !== undefined || cfg.influxDBConfiguration !== undefined) throw invalidRequest('the fleet simulator supports httpUrlConfiguration destinations only');
  const http = cfg.httpUrlConfiguration;
  if (!isObject(http)) throw invalidRequest('destinationConfiguration.httpUrlConfiguration.confirmationUrl is required');
  const url = httpUrl(http.confirmationUrl, 'confirmationUrl');
  const store = ctx.account.rules;
  if ([...store.destinations.values()].some((d) => d.confirmationUrl === url)) throw alreadyExists(`A topic rule destination for ${url} already exists.`);
  if (store.destinations.size >= MAX_DESTINATIONS) throw invalidRequest(`An account may have at most ${MAX_DESTINATIONS} topic rule destinations`);
  const d = store.createDestination(url, ctx.now);
  return json({ topicRuleDestination: { ...destinationView(d), httpUrlProperties: { confirmationUrl: d.confirmationUrl } } });
}

function getTopicRuleDestination(ctx: RequestContext) {
  const d = requireDestination(ctx, ctx.params.arn!);
  return json({ topicRuleDestination: { ...destinationView(d), httpUrlProperties: { confirmationUrl: d.confirmationUrl } } });
}

function listTopicRuleDestinations(ctx: RequestContext) {
  const max = queryInt(ctx, 'maxResults', 1, 1000) ?? 1000;
  const start = decodeToken(queryString(ctx, 'nextToken'), 'ListTopicRuleDestinations', '');
  const all = [...ctx.account.rules.destinations.values()].sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1));
  const page = all.slice(start, start + max);
  return json({
    destinationSummaries: page.map((d) => ({ ...destinationView(d), httpUrlSummary: { confirmationUrl: d.confirmationUrl } })),
    ...(start + max < all.length ? { nextToken: encodeToken('ListTopicRuleDestinations', start + max, '') } : {}),
  });
}

function updateTopicRuleDestination(ctx: RequestContext) {
  const body = jsonBody(ctx);
  if (typeof body.arn !== 'string') throw invalidRequest("1 validation error detected: Value at 'arn' failed to satisfy constraint: Member must not be null");
  const d = requireDestination(ctx, body.arn);
  const status = body.status as DestinationStatus;
  if (status === 'IN_PROGRESS') {
    ctx.account.rules.rechallenge(d, ctx.now);
  } else if (status === 'ENABLED' || status === 'DISABLED') {
    if (d.status !== 'ENABLED' && d.status !== 'DISABLED') {
      throw invalidRequest(`Topic rule destination ${d.arn} is ${d.status}: confirm it (ConfirmTopicRuleDestination) before enabling or disabling it.`);
    }
    d.status = status;
    d.lastUpdatedAt = ctx.now;
  } else {
    throw invalidRequest('status must be ENABLED, DISABLED or IN_PROGRESS');
  }
  return json({});
}

function confirmTopicRuleDestination(ctx: RequestContext) {
  const token = ctx.params.confirmationToken!;
  const d = [...ctx.account.rules.destinations.values()].find((x) => x.confirmationToken === token);
  if (!d) throw invalidRequest('The confirmation token is not valid.');
  if (d.status === 'IN_PROGRESS' || d.status === 'ERROR') {
    d.status = 'ENABLED';
    delete d.statusReason;
    d.lastUpdatedAt = ctx.now;
  }
  return json({});
}

function deleteTopicRuleDestination(ctx: RequestContext) {
  const d = requireDestination(ctx, ctx.params.arn!);
  const store = ctx.account.rules;
  const user = [...store.rules.values()].find((r) => r.http.some((a) => store.destinationFor(a.url) === d));
  if (user) throw conflict(`Topic rule destination ${d.arn} is used by rule ${user.ruleName}; delete or replace the rule first.`);
  store.destinations.delete(d.arn);
  return json({});
}

export const ruleRoutes: Route[] = [
  { method: 'GET', path: '/rules', operation: 'ListTopicRules', action: 'iot:ListTopicRules', handler: listTopicRules },
  { method: 'POST', path: '/rules/{ruleName}', operation: 'CreateTopicRule', action: 'iot:CreateTopicRule', handler: createTopicRule },
  { method: 'GET', path: '/rules/{ruleName}', operation: 'GetTopicRule', action: 'iot:GetTopicRule', handler: getTopicRule },
  { method: 'PATCH', path: '/rules/{ruleName}', operation: 'ReplaceTopicRule', action: 'iot:ReplaceTopicRule', handler: replaceTopicRule },
  { method: 'DELETE', path: '/rules/{ruleName}', operation: 'DeleteTopicRule', action: 'iot:DeleteTopicRule', handler: deleteTopicRule },
  { method: 'GET', path: '/destinations', operation: 'ListTopicRuleDestinations', action: 'iot:ListTopicRuleDestinations', handler: listTopicRuleDestinations },
  { method: 'POST', path: '/destinations', operation: 'CreateTopicRuleDestination', action: 'iot:CreateTopicRuleDestination', handler: createTopicRuleDestination },
  { method: 'PATCH', path: '/destinations', operation: 'UpdateTopicRuleDestination', action: 'iot:UpdateTopicRuleDestination', handler: updateTopicRuleDestination },
  { method: 'GET', path: '/destinations/{arn+}', operation: 'GetTopicRuleDestination', action: 'iot:GetTopicRuleDestination', handler: getTopicRuleDestination },
  { method: 'DELETE', path: '/destinations/{arn+}', operation: 'DeleteTopicRuleDestination', action: 'iot:DeleteTopicRuleDestination', handler: deleteTopicRuleDestination },
  {
    method: 'GET',
    path: '/confirmdestination/{confirmationToken+}',
    operation: 'ConfirmTopicRuleDestination',
    action: 'iot:ConfirmTopicRuleDestination',
    handler: confirmTopicRuleDestination,
  },
];

/** The unsigned GET of a confirmation message's enableUrl (what a browser does); false when the token is unknown. */
export function confirmByEnableUrl(accounts: Iterable<{ rules: { destinations: Map<string, Destination> } }>, token: string, now: number): boolean {
  for (const account of accounts) {
    for (const d of account.rules.destinations.values()) {
      if (d.confirmationToken !== token) continue;
      if (d.status === 'IN_PROGRESS' || d.status === 'ERROR') {
        d.status = 'ENABLED';
        delete d.statusReason;
        d.lastUpdatedAt = now;
      }
      return true;
    }
  }
  return false;
}
