import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AuthContext } from './context';
import { AuthError, badRequest, errorBody, validationFailed } from './errors';

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
export const API_VERSION = '2024-01-01';
const MAX_BODY_BYTES = 1024 * 1024;

/** What a route handler sees of the request. */
export interface AuthRequest {
  method: string;
  /** Path below `/auth/v1`, e.g. `/token`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Captured groups of the route pattern (e.g. the user id of `/admin/users/:id`). */
  params: string[];
  ip: string | null;
  userAgent: string | null;
  /**
   * Reads and parses the JSON body with `schema` (400 `bad_json` / `validation_failed`); an empty
   * body counts as `{}` only when `allowEmpty`.
   */
  body<S extends z.ZodType>(schema: S, options?: { allowEmpty?: boolean }): Promise<z.infer<S>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: AuthContext, req: AuthRequest) => Promise<Reply>;

export const json = (body: unknown, headers?: Record<string, string>): Reply => ({ status: 200, body, headers });
export const noContent = (): Reply => ({ status: 204 });

/** The raw body; past 1 MiB the rest is drained (not kept) so a 413 can still be answered. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new AuthError(413, 'request_entity_too_large', 'Request body too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export function parseJsonBody<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === '' ? 'EOF' : (error as Error).message;
    throw badRequest('bad_json', `Could not parse request body as JSON: ${reason}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw validationFailed(`Invalid request body: ${where}${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

export function clientIp(req: IncomingMessage): string | null {
  const address = req.socket.remoteAddress;
  if (!address) return null;
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

const ALLOWED_HEADERS =
  'apikey, authorization, content-type, accept, x-client-info, x-client-ip, x-jwt-aud, x-supabase-api-version, x-use-cookie, x-retry-count';

/**
 * CORS as GoTrue + the CLI's gateway answer it: any origin (reflected, with credentials), the
 * requested headers allowed, and `X-Supabase-Api-Version` exposed so browser auth-js can read
 * `error.code`.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': `X-Total-Count, Link, ${API_VERSION_HEADER}`,
    Vary: 'Origin',
  };
  if (req.method === 'OPTIONS') {
    const requested = req.headers['access-control-request-headers'];
    headers['Access-Control-Allow-Methods'] = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
    headers['Access-Control-Allow-Headers'] = typeof requested === 'string' && requested.trim() ? requested : ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = '3600';
    headers.Vary = 'Origin, Access-Control-Request-Headers';
  }
  return headers;
}

export function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string> = { [API_VERSION_HEADER]: API_VERSION, ...extraHeaders, ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function errorReply(error: AuthError): Reply {
  return { status: error.status, body: errorBody(error), headers: { 'x-sb-error-code': error.code } };
}
