// Request/route plumbing shared by the service modules: the context a handler gets, route matching,
// typed query parameters with AWS-style validation messages, and opaque paging tokens.

import type { IncomingHttpHeaders } from 'node:http';
import type { Account } from './account';
import { AwsError, invalidRequest, type Service } from './errors';
import type { Json } from './json';
import type { Simulator } from './simulator';

export interface Principal {
  accessKeyId: string;
  accountId: string;
  arn: string;
  userId: string;
  actions: string[];
  /** Explicitly denied action patterns (win over `actions`). */
  deny?: string[];
}

export interface RequestContext {
  sim: Simulator;
  account: Account;
  principal: Principal;
  service: Service;
  region: string;
  operation: string;
  /** Simulated time of the request, epoch ms. */
  now: number;
  method: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: Buffer;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  body: string | Buffer;
  contentType?: string;
}

export interface Route {
  method: string;
  /** Path pattern with `{name}` segments, e.g. `/things/{thingName}/shadow`. */
  path: string;
  operation: string;
  /** IAM action checked against the caller's allowed actions. */
  action: string;
  /** Path parameter holding a thing name when the per-thing shadow rate applies. */
  perThing?: string;
  handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

export function json(body: unknown, status = 200): Reply {
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

/** Matches a decoded path against a route pattern; returns the parameters or null. */
export function matchPath(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/').filter(Boolean);
  // A trailing `{name+}` is a greedy label (REST-JSON): it takes the rest of the path, slashes included.
  const greedy = parts[parts.length - 1]?.endsWith('+}') === true;
  if (greedy ? segments.length < parts.length : parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const s = segments[i]!;
    if (greedy && i === parts.length - 1) params[p.slice(1, -2)] = segments.slice(i).join('/');
    else if (p.startsWith('{')) params[p.slice(1, -1)] = s;
    else if (p !== s) return null;
  }
  return params;
}

export function findRoute(routes: Route[], method: string, segments: string[]): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, segments);
    if (params) return { route, params };
  }
  return null;
}

function single(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function queryString(ctx: RequestContext, name: string, opts: { max?: number; pattern?: RegExp } = {}): string | undefined {
  const v = single(ctx, name);
  if (v === undefined) return undefined;
  if (opts.max !== undefined && v.length > opts.max) {
    throw invalidRequest(`1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${opts.max}`);
  }
  if (opts.pattern && !opts.pattern.test(v)) {
    throw invalidRequest(`1 validation error detected: Value '${v}' at '${name}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${opts.pattern.source}`);
  }
  return v;
}

export function rangeError(name: string, value: unknown, min: number, max: number): AwsError {
  const bound = Number(value) < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
  return invalidRequest(`1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must have value ${bound}`);
}

export function checkInt(name: string, value: unknown, min: number, max: number, make = rangeError): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidRequest(`1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min || value > max) throw make(name, value, min, max);
  return value;
}

export function queryInt(ctx: RequestContext, name: string, min: number, max: number): number | undefined {
  const v = single(ctx, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid value '${v}' for '${name}': expected an integer`);
  return checkInt(name, Number(v), min, max);
}

export function queryBool(ctx: RequestContext, name: string): boolean | undefined {
  const v = single(ctx, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid value '${v}' for '${name}': expected true or false`);
  return v === 'true';
}

/** Parses a JSON request body into an object; an empty body counts as `{}`. */
export function jsonBody(ctx: RequestContext, error: (msg: string) => AwsError = invalidRequest): Record<string, Json> {
  if (ctx.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    throw error('Could not parse request body into json: the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw error('Could not parse request body into json: expected a JSON object');
  }
  return parsed as Record<string, Json>;
}

export function optionalString(body: Record<string, Json>, name: string, max?: number): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`1 validation error detected: Value at '${name}' must be a string`);
  if (max !== undefined && v.length > max) {
    throw invalidRequest(`1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return v;
}

// --- paging tokens ------------------------------------------------------------------------------

interface TokenPayload {
  k: string;
  p: number;
  f: string;
}

/** Opaque token: the operation, a position, and a fingerprint of the filters it belongs to. */
export function encodeToken(kind: string, position: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position, f: fingerprint } satisfies TokenPayload)).toString('base64url');
}

export function decodeToken(token: string | undefined, kind: string, fingerprint: string, error = invalidRequest): number {
  if (token === undefined) return 0;
  let payload: TokenPayload | null = null;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    payload = null;
  }
  if (!payload || payload.k !== kind || typeof payload.p !== 'number' || !Number.isInteger(payload.p) || payload.p < 0) {
    throw error('The specified nextToken is not valid.');
  }
  if (payload.f !== fingerprint) throw error('The nextToken does not belong to this request: the filters changed between pages.');
  return payload.p;
}

/** Epoch seconds with millisecond precision: REST-JSON's default timestamp format. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}
