import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import type { AuthConfig, AuthContext } from './context';
import { AuthError } from './errors';
import { clientIp, corsHeaders, errorReply, parseJsonBody, readBody, send, type AuthRequest, type Handler, type Reply } from './http';
import type { AuthKeys } from './keys';
import { createUser, deleteUserById, getUserById, listUsers, updateUserById } from './routes/admin';
import { health, jwks, settings } from './routes/meta';
import { signup } from './routes/signup';
import { token } from './routes/token';
import { getUser, logout, updateUser } from './routes/user';
import { loadKeyMaterial } from './tokens';

export interface AuthServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1';
  databaseUrl: string;
  keys: AuthKeys;
  /** The app's URL (GoTrue's SITE_URL); informational, nothing is mailed locally. */
  siteUrl?: string;
  /** Access-token lifetime; keep it above auth-js's 90 s refresh margin. */
  jwtExpirySeconds?: number;
  /** How long a rotated refresh token may still be swapped (GoTrue's reuse interval). */
  refreshTokenReuseIntervalSeconds?: number;
  onLog?: (line: string) => void;
}

export interface RunningAuthServer {
  /** `http://127.0.0.1:PORT/auth/v1` */
  url: string;
  /** `http://127.0.0.1:PORT` — what supabase-js `createClient` takes. */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

export const AUTH_PREFIX = '/auth/v1';

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(/\./g, '\\.').replace(':id', '([^/]+)')}$`),
  handler,
});

const ROUTES: Route[] = [
  route('GET', '/health', health),
  route('GET', '/settings', settings),
  route('GET', '/.well-known/jwks.json', jwks),
  route('POST', '/signup', signup),
  route('POST', '/token', token),
  route('GET', '/user', getUser),
  route('PUT', '/user', updateUser),
  route('POST', '/logout', logout),
  route('POST', '/admin/users', createUser),
  route('GET', '/admin/users', listUsers),
  route('GET', '/admin/users/:id', getUserById),
  route('PUT', '/admin/users/:id', updateUserById),
  route('DELETE', '/admin/users/:id', deleteUserById),
];

function match(method: string, path: string): { handler: Handler; params: string[] } | AuthError {
  let pathExists = false;
  for (const candidate of ROUTES) {
    const found = candidate.pattern.exec(path);
    if (!found) continue;
    pathExists = true;
    if (candidate.method === method) return { handler: candidate.handler, params: found.slice(1).map(decodeURIComponent) };
  }
  return pathExists ? new AuthError(405, 'method_not_allowed', 'Method Not Allowed') : new AuthError(404, 'not_found', 'Not Found');
}

function toAuthRequest(req: IncomingMessage, url: URL, path: string, params: string[]): AuthRequest {
  let text: Promise<string> | null = null;
  return {
    method: req.method ?? 'GET',
    path,
    query: url.searchParams,
    headers: req.headers,
    params,
    ip: clientIp(req),
    userAgent: req.headers['user-agent'] ?? null,
    async body(schema, options) {
      text ??= readBody(req);
      const raw = await text;
      return parseJsonBody(options?.allowEmpty && raw.trim() === '' ? '{}' : raw, schema);
    },
  };
}

async function dispatch(ctx: AuthContext, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return { status: 204 };
  if (url.pathname !== AUTH_PREFIX && !url.pathname.startsWith(`${AUTH_PREFIX}/`)) {
    return errorReply(new AuthError(404, 'not_found', 'Not Found'));
  }
  const path = url.pathname.slice(AUTH_PREFIX.length).replace(/\/+$/, '') || '/';
  const found = match(method, path);
  if (found instanceof AuthError) return errorReply(found);
  return found.handler(ctx, toAuthRequest(req, url, path, found.params));
}

/** Logged path: never the query string beyond grant_type/scope, never bodies (passwords, tokens). */
function describe(req: IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const safe = ['grant_type', 'scope', 'page', 'per_page']
    .filter((key) => url.searchParams.has(key))
    .map((key) => `${key}=${url.searchParams.get(key)}`);
  return `${req.method} ${url.pathname}${safe.length ? `?${safe.join('&')}` : ''}`;
}

async function handle(ctx: AuthContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  let reply: Reply;
  try {
    reply = await dispatch(ctx, req);
  } catch (error) {
    if (error instanceof AuthError) {
      reply = errorReply(error);
    } else {
      ctx.log(`error ${describe(req)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      reply = errorReply(new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'));
    }
  }
  if (!req.readableEnded) req.resume();
  send(res, reply, corsHeaders(req));
  ctx.log(`${describe(req)} ${reply.status} ${Date.now() - started}ms`);
}

/**
 * Starts the GoTrue-compatible auth server on 127.0.0.1 and resolves once it accepts requests
 * and the database (with the `auth` schema) answers.
 */
export async function startAuthServer(options: AuthServerOptions): Promise<RunningAuthServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.onLog ?? (() => {});
  const sql = postgres(options.databaseUrl, { max: 10, onnotice: () => {}, connection: { application_name: 'fleetline-auth' } });
  try {
    await sql`select 1 from auth.users limit 0`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(`Auth server cannot use ${redact(options.databaseUrl)}: ${(error as Error).message}`);
  }

  const config: AuthConfig = {
    issuer: '',
    url: '',
    siteUrl: options.siteUrl ?? 'http://127.0.0.1:3000',
    jwtExpirySeconds: options.jwtExpirySeconds ?? 3600,
    refreshTokenReuseIntervalMs: (options.refreshTokenReuseIntervalSeconds ?? 10) * 1000,
  };
  const ctx: AuthContext = { sql, keys: await loadKeyMaterial(options.keys), config, log };
  const server = createServer((req, res) => void handle(ctx, req, res));
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host}:${port}`;
  config.url = `${baseUrl}${AUTH_PREFIX}`;
  config.issuer = config.url;
  log(`auth server listening on ${config.url}`);

  let closing: Promise<void> | null = null;
  return {
    url: config.url,
    baseUrl,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running get a moment to finish, then their sockets are cut.
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await sql.end({ timeout: 5 });
      })();
      return closing;
    },
  };
}

function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.password = url.password ? '***' : '';
    return url.toString();
  } catch {
    return 'the database';
  }
}
